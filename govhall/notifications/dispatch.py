"""The outbox dispatcher run by `manage.py run_worker` (see jobs.py).

A message is claimed (pending → sending, with a claim token and a lease), sent, and
finished with a conditional update that names the token. Several workers may run at once:
on PostgreSQL the claim uses SELECT … FOR UPDATE SKIP LOCKED, on SQLite a conditional
UPDATE (SQLite serialises writers anyway). A worker killed after claiming leaves the row in
`sending`; once its lease expires another worker reclaims it.

Providers do not deduplicate, so nothing whose first request may have reached the provider
is sent again blindly. A send whose answer was lost (`OutcomeUnknown`) and a reclaimed
abandoned claim both go to `checking` (see reconcile.py): after the provider's receipt
delay the backend is asked what it has for that phone and day; found → `sent`, not found
after SMS_CHECK_WINDOW_SECONDS → resent once. A backend without `lookup` (database,
console) has no unknown outcomes and is simply sent again.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, DateTimeField, F, PositiveIntegerField, Q, Value, When
from django.utils import timezone

from govhall.notifications.backends import (
    Backend,
    OutcomeUnknown,
    PermanentFailure,
    SendError,
    get_backend,
)
from govhall.notifications.budget import BudgetBook
from govhall.notifications.models import OutboxMessage, SmsTemplate
from govhall.notifications.reconcile import check_delay, reconcile
from govhall.notifications.services import (
    call_task_for_failed,
    get_template,
    is_opted_out,
    quiet_until,
)

logger = logging.getLogger("govhall.notifications")

Status = OutboxMessage.Status

BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600


def lease_seconds() -> int:
    return int(getattr(settings, "SMS_LEASE_SECONDS", 300))


def max_attempts() -> int:
    return int(getattr(settings, "SMS_MAX_ATTEMPTS", 8))


def backoff_seconds(attempt: int, rng: random.Random | None = None) -> float:
    """Exponential back-off with "equal jitter": half fixed, half random, so retries of
    many messages that failed together spread out instead of hitting the provider at once."""
    delay = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempt - 1))
    return delay / 2 + (rng or random).uniform(0, delay / 2)


@dataclass
class DispatchResult:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0
    cancelled: int = 0
    checking: int = 0  # outcome unknown: waiting to ask the provider
    queries: int = 0  # provider queries made (QuerySendDetails / PullSmsSendStatus…)
    found: int = 0  # unknown outcomes the provider had on record
    resent_unknown: int = 0  # not found after the window: sent once more
    errors: list[str] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.cancelled


def _claimable(now: dt.datetime) -> Q:
    due = Q(status__in=[Status.PENDING, Status.CHECKING], due_at__lte=now)
    abandoned = Q(status=Status.SENDING, lease_until__lt=now)
    return Q(channel=OutboxMessage.Channel.SMS) & (due | abandoned)


def claim_batch(*, now: dt.datetime, limit: int = 100) -> tuple[uuid.UUID, list[OutboxMessage]]:
    """Claim up to `limit` due messages for this worker; returns the token and the rows."""
    token = uuid.uuid4()
    lease = now + dt.timedelta(seconds=lease_seconds())
    claimable = _claimable(now)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            ids = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(claimable)
                .order_by("due_at", "id")
                .values_list("id", flat=True)[:limit]
            )
        else:
            ids = list(
                OutboxMessage.objects.filter(claimable)
                .order_by("due_at", "id")
                .values_list("id", flat=True)[:limit]
            )
        if not ids:
            return token, []
        # The condition is repeated: a row another worker claimed in between is skipped.
        # Reclaiming an abandoned row counts as an attempt, so a message that kills every
        # worker that sends it cannot loop forever; and its last request may have reached
        # the provider, so it is checked before anything is sent again (check_since).
        OutboxMessage.objects.filter(claimable, id__in=ids).update(
            status=Status.SENDING,
            claim_token=token,
            lease_until=lease,
            attempts=Case(
                When(status=Status.SENDING, then=F("attempts") + 1),
                default=F("attempts"),
                output_field=PositiveIntegerField(),
            ),
            check_since=Case(
                When(status=Status.SENDING, check_since__isnull=True, then=Value(now)),
                default=F("check_since"),
                output_field=DateTimeField(),
            ),
        )
    rows = list(OutboxMessage.objects.filter(claim_token=token).order_by("due_at", "id"))
    return token, rows


def _finish(message: OutboxMessage, token: uuid.UUID, **changes) -> bool:
    """Write the outcome only if this worker still holds the claim."""
    changes.setdefault("claim_token", None)
    changes.setdefault("lease_until", None)
    updated = OutboxMessage.objects.filter(
        pk=message.pk, claim_token=token, status=Status.SENDING
    ).update(**changes)
    return updated == 1


def rate_limit() -> int:
    return int(getattr(settings, "SMS_PER_PHONE_PER_HOUR", 10))


def recent_sends(phones: set[str], now: dt.datetime) -> dict[str, list[dt.datetime]]:
    """Send times in the last hour per phone, oldest first (one query per batch)."""
    recent: dict[str, list[dt.datetime]] = {p: [] for p in phones}
    if rate_limit() <= 0 or not phones:
        return recent
    rows = (
        OutboxMessage.objects.filter(
            to__in=phones, status=Status.SENT, sent_at__gt=now - dt.timedelta(hours=1)
        )
        .order_by("sent_at")
        .values_list("to", "sent_at")
    )
    for phone, sent_at in rows:
        recent[phone].append(sent_at)
    return recent


def _hold_for_rules(
    message: OutboxMessage, now: dt.datetime, recent: list[dt.datetime]
) -> tuple[dt.datetime, str] | None:
    """Quiet hours and the per-phone hourly limit; returns (new due time, reason) or None."""
    if not message.urgent:
        hold = quiet_until(now)
        if hold is not None:
            return hold, "免打扰时段"
    limit = rate_limit()
    if limit > 0:
        in_window = [t for t in recent if t > now - dt.timedelta(hours=1)]
        if len(in_window) >= limit:
            # Free again when enough of the last hour's sends have left the window.
            return in_window[len(in_window) - limit] + dt.timedelta(hours=1, seconds=1), (
                "超过每小时发送上限"
            )
    return None


def send_one(
    message: OutboxMessage,
    token: uuid.UUID,
    *,
    backend: Backend,
    now: dt.datetime,
    result: DispatchResult,
    rng: random.Random | None = None,
    templates: dict[str, SmsTemplate] | None = None,
    recent: dict[str, list[dt.datetime]] | None = None,
    budget: BudgetBook | None = None,
) -> None:
    lookup = getattr(backend, "lookup", None)
    if message.check_since is not None and lookup is not None:
        reconcile(
            message,
            token,
            backend=backend,
            now=now,
            result=result,
            finish=_finish,
            give_up=_give_up,
        )
        return
    templates = templates if templates is not None else {}
    template = templates.get(message.template)
    if template is None:
        template = templates[message.template] = get_template(message.template)
    if recent is None:
        recent = recent_sends({message.to}, now)
    phone_recent = recent.setdefault(message.to, [])
    hold = _hold_for_rules(message, now, phone_recent)
    if hold is None:
        budget = budget if budget is not None else BudgetBook.for_batch([message], now)
        hold = budget.hold(message, template, now)
    if hold is not None:
        _finish(message, token, status=Status.PENDING, due_at=hold[0], hold_reason=hold[1])
        result.deferred += 1
        return
    if template.opt_out_allowed and is_opted_out(message.to):
        _finish(message, token, status=Status.CANCELLED, last_error="该号码已退订提醒类短信")
        result.cancelled += 1
        return
    if message.attempts >= max_attempts():
        _give_up(message, token, "多次领取后仍未完成发送（工作进程中断）", backend, now, result)
        return
    attempt = message.attempts + 1
    try:
        provider_id = backend.send(message, template)
    except OutcomeUnknown as exc:
        if lookup is None:  # nothing to ask: treat like a refusal
            _after_error(message, token, exc, attempt, backend, now, result, rng)
            return
        # The provider may have sent it: do not resend, ask it after its receipt delay.
        error = f"第{attempt}次（{backend.name}）结果不明，待核实：{exc}"[:1000]
        result.errors.append(error)
        _finish(
            message,
            token,
            status=Status.CHECKING,
            attempts=attempt,
            provider=backend.name,
            check_since=now,
            due_at=now + dt.timedelta(seconds=check_delay()),
            last_error=error,
            hold_reason="",
        )
        budget.count(message, now)
        result.checking += 1
        return
    except SendError as exc:
        _after_error(message, token, exc, attempt, backend, now, result, rng)
        return
    except Exception as exc:  # a backend bug must not lose the message: retry later
        logger.exception("SMS backend %s crashed on %s", backend.name, message.message_id)
        _after_error(message, token, SendError(repr(exc)[:300]), attempt, backend, now, result, rng)
        return
    provider_id = str(provider_id)[:100]
    _finish(
        message,
        token,
        status=Status.SENT,
        attempts=attempt,
        provider=backend.name,
        provider_message_id=provider_id,
        provider_ids=[provider_id] if provider_id else [],
        sent_at=now,
        hold_reason="",
        check_since=None,
    )
    phone_recent.append(now)
    budget and budget.count(message, now)
    result.sent += 1


def _give_up(message, token, error, backend, now, result, **changes) -> None:
    with transaction.atomic():
        if _finish(
            message,
            token,
            status=Status.FAILED,
            provider=backend.name,
            last_error=error,
            failed_at=now,
            **changes,
        ):
            call_task_for_failed(message, now=now)
    result.failed += 1


def _after_error(message, token, exc, attempt, backend, now, result, rng) -> None:
    error = f"第{attempt}次（{backend.name}）：{exc}"[:1000]
    result.errors.append(error)
    if isinstance(exc, PermanentFailure) or attempt >= max_attempts():
        _give_up(message, token, error, backend, now, result, attempts=attempt)
        return
    _finish(
        message,
        token,
        status=Status.PENDING,
        attempts=attempt,
        last_error=error,
        due_at=now + dt.timedelta(seconds=backoff_seconds(attempt, rng)),
    )
    result.retried += 1


def dispatch_due(
    now: dt.datetime | None = None,
    *,
    backend: Backend | None = None,
    batch_size: int = 20,
    max_batches: int = 50,
    rng: random.Random | None = None,
) -> DispatchResult:
    """Send what is due, batch by batch, until nothing is due or max_batches is reached.

    A batch must finish within its lease: batch_size × the backend timeout (10 s) stays
    below SMS_LEASE_SECONDS (300 s), else another worker would reclaim rows still in flight
    (harmless to the person — a reclaimed row is checked with the provider before it is
    sent again — but wasteful)."""
    fixed_now = now
    backend = backend or get_backend()
    result = DispatchResult()
    templates: dict[str, SmsTemplate] = {}
    for _ in range(max_batches):
        # Sends take real time: without a given `now`, each batch reads the clock at its
        # claim, so its lease starts then (a given `now` is for tests and back-fills).
        now = fixed_now or timezone.now()
        token, batch = claim_batch(now=now, limit=batch_size)
        if not batch:
            break
        result.claimed += len(batch)
        recent = recent_sends({m.to for m in batch}, now)
        budget = BudgetBook.for_batch(batch, now)
        for message in batch:
            send_one(
                message,
                token,
                backend=backend,
                now=now,
                result=result,
                rng=rng,
                templates=templates,
                recent=recent,
                budget=budget,
            )
    return result
