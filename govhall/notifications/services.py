"""Notifications: the one entry point other services call inside their own transaction,
plus the staff-side changes (phone-call outcomes, opt-outs, resends, delivery receipts)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from govhall.core.audit import log_action
from govhall.core.errors import InvalidInput, InvalidTransition, NotFound
from govhall.core.validators import validate_mobile
from govhall.core.workflow import resolve_now
from govhall.notifications.models import (
    OutboxMessage,
    PhoneCallTask,
    SmsOptOut,
    SmsTemplate,
    local_time,
)
from govhall.notifications.selectors import call_task_get
from govhall.notifications.templates_seed import BUILTIN_TEMPLATES


def get_template(code: str) -> SmsTemplate:
    """The admin-edited template, else the built-in one (a flushed test database)."""
    template = SmsTemplate.objects.filter(code=code, is_active=True).first()
    if template is not None:
        return template
    builtin = BUILTIN_TEMPLATES.get(code)
    if builtin is None:
        raise InvalidInput(f"未知的短信模板“{code}”。", field="template", code="unknown_template")
    return SmsTemplate(
        code=builtin.code,
        name=builtin.name,
        kind=builtin.kind,
        params=list(builtin.params),
        body=builtin.body,
        call_script=builtin.call_script,
    )


def signature_for(center: Any) -> str:
    if center is not None:
        signature = getattr(center, "signature", "") or getattr(center, "name", "")
        if signature:
            return signature
    return getattr(settings, "SMS_SIGNATURE", "")


def _as_center(center: Any) -> Any:
    """Accept a Center or its primary key."""
    if center is None or isinstance(center, models.Model):
        return center
    from govhall.org.selectors import center_by_id

    found = center_by_id(center)
    if found is None:
        raise InvalidInput("中心不存在。", field="center")
    return found


def normalize_mobile(value: str) -> str | None:
    """The 11-digit mainland mobile number, or None (empty, landline, foreign…)."""
    try:
        return validate_mobile(value or "")
    except ValidationError:
        return None


# --- Sending rules (pure functions of time) ---------------------------------------------


def local_zone() -> ZoneInfo:
    return ZoneInfo(getattr(settings, "SMS_TIME_ZONE", "Asia/Shanghai"))


def quiet_hours() -> tuple[dt.time, dt.time]:
    start = local_time(getattr(settings, "SMS_QUIET_START", "21:00"), dt.time(21))
    end = local_time(getattr(settings, "SMS_QUIET_END", "08:00"), dt.time(8))
    return start, end


def quiet_until(now: dt.datetime) -> dt.datetime | None:
    """If `now` is inside quiet hours, the moment they end (local time); else None."""
    start, end = quiet_hours()
    if start == end:
        return None
    local = now.astimezone(local_zone())
    t = local.time()
    if start < end:  # e.g. 12:00–14:00, same day
        inside = start <= t < end
        end_day = local.date()
    else:  # spans midnight, e.g. 21:00–08:00
        inside = t >= start or t < end
        end_day = local.date() + dt.timedelta(days=1) if t >= start else local.date()
    if not inside:
        return None
    return dt.datetime.combine(end_day, end, tzinfo=local_zone())


def is_opted_out(phone: str) -> bool:
    return bool(phone) and SmsOptOut.objects.filter(phone=phone).exists()


# --- The entry point --------------------------------------------------------------------


def notification_send(
    *,
    template: str,
    to: str,
    params: dict[str, Any],
    related: models.Model | None = None,
    center: Any = None,
    urgent: bool = False,
    now: dt.datetime | None = None,
) -> OutboxMessage:
    """Queue one message. Nothing leaves before the caller's transaction commits: the row
    is written in that transaction and the worker only sees committed rows.

    `template` is a template code (see notifications.templates_seed); `params` its named
    parameters (a missing one raises InvalidInput naming it). The text is rendered now, so
    what is sent is fixed and auditable. `urgent` (or an urgent template) ignores quiet
    hours. Without a mainland mobile number a phone-call task is created instead; a reminder
    to a phone that opted out is recorded as cancelled (legal notices are never suppressed).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notification_send must run inside the caller's transaction")
    now = resolve_now(now)
    tpl = get_template(template)
    params = dict(params or {})
    missing = tpl.missing_params(params)
    if missing:
        raise InvalidInput(
            f"短信模板“{tpl.code}”缺少参数：{'、'.join(missing)}。",
            field="params",
            code="missing_template_params",
        )
    # Providers take parameters as text; dates, numbers… are stored as they will be sent.
    params = {k: v if isinstance(v, str) else str(v) for k, v in params.items()}
    center = _as_center(center)
    signature = signature_for(center)
    mobile = normalize_mobile(to)
    urgent = urgent or tpl.is_urgent
    message = OutboxMessage(
        template=tpl.code,
        to=mobile or (to or "").strip(),
        params=params,
        signature=signature,
        body=tpl.render(params, signature),
        center=center,
        urgent=urgent,
        related_type=related._meta.label_lower if related is not None else "",
        related_id=str(related.pk) if related is not None else "",
        created_at=now,
        due_at=now,
    )
    if mobile is None:
        message.channel = OutboxMessage.Channel.PHONE_CALL
        message.status = OutboxMessage.Status.CALL
        message.save()
        _create_call_task(message, tpl, PhoneCallTask.Reason.NO_MOBILE, now)
        return message
    if tpl.opt_out_allowed and is_opted_out(mobile):
        message.status = OutboxMessage.Status.CANCELLED
        message.last_error = "该号码已退订提醒类短信"
        message.save()
        return message
    hold = None if urgent else quiet_until(now)
    if hold is not None:
        message.due_at = hold
        message.hold_reason = "免打扰时段"
    message.save()
    return message


def _create_call_task(
    message: OutboxMessage, tpl: SmsTemplate, reason: str, now: dt.datetime
) -> PhoneCallTask:
    task, _ = PhoneCallTask.objects.get_or_create(
        message=message,
        defaults={
            "center": message.center,
            "phone": message.to,
            "reason": reason,
            "script": tpl.render_script(message.params, message.signature),
            "created_at": now,
        },
    )
    return task


def call_task_request(
    *,
    template: str,
    to: str,
    params: dict[str, Any],
    related: models.Model | None = None,
    center: Any = None,
    now: dt.datetime | None = None,
) -> PhoneCallTask:
    """A call staff make on purpose (a consultation answered by phone, 6.5.4): the message
    is recorded in the outbox as a phone call and a call task with the template's script is
    opened, whatever kind of number `to` is. In the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("call_task_request must run inside the caller's transaction")
    now = resolve_now(now)
    tpl = get_template(template)
    params = {k: v if isinstance(v, str) else str(v) for k, v in dict(params or {}).items()}
    missing = tpl.missing_params(params)
    if missing:
        raise InvalidInput(
            f"短信模板“{tpl.code}”缺少参数：{'、'.join(missing)}。",
            field="params",
            code="missing_template_params",
        )
    center = _as_center(center)
    signature = signature_for(center)
    message = OutboxMessage.objects.create(
        template=tpl.code,
        to=normalize_mobile(to) or (to or "").strip(),
        params=params,
        signature=signature,
        body=tpl.render(params, signature),
        center=center,
        channel=OutboxMessage.Channel.PHONE_CALL,
        status=OutboxMessage.Status.CALL,
        related_type=related._meta.label_lower if related is not None else "",
        related_id=str(related.pk) if related is not None else "",
        created_at=now,
        due_at=now,
    )
    return _create_call_task(message, tpl, PhoneCallTask.Reason.REQUESTED, now)


def call_task_for_failed(message: OutboxMessage, *, now: dt.datetime) -> PhoneCallTask:
    """An SMS that failed for good becomes a phone call (6.3.4)."""
    return _create_call_task(message, get_template(message.template), "sms_failed", now)


# --- Staff-side changes -----------------------------------------------------------------


@transaction.atomic
def call_task_record_outcome(
    *, task_id: int, outcome: str, note: str = "", actor: Any, now: dt.datetime | None = None
) -> PhoneCallTask:
    """Record one call. No answer keeps the task open for another try (up to MAX_CALLS)."""
    now = resolve_now(now)
    if outcome not in PhoneCallTask.Outcome.values:
        raise InvalidInput("请选择通话结果。", field="outcome")
    task = PhoneCallTask.objects.select_for_update().filter(pk=task_id).first()
    if task is None or (actor is not None and not call_task_get(actor, task_id)):
        # Another center's task (or one the actor's roles there do not cover): not found.
        raise NotFound("电话通知任务不存在。")
    if task.status != PhoneCallTask.Status.OPEN:
        raise InvalidTransition("该电话通知任务已完成。")
    task.calls += 1
    task.outcome = outcome
    task.note = "\n".join(filter(None, [task.note, (note or "").strip()]))
    if outcome != PhoneCallTask.Outcome.NO_ANSWER or task.calls >= PhoneCallTask.MAX_CALLS:
        task.status = PhoneCallTask.Status.DONE
        task.done_at = now
        task.done_by = actor
    task.save()
    log_action(
        actor=actor,
        action="govhall.notifications.call_task.outcome",
        obj=task,
        data={"outcome": outcome, "calls": task.calls, "status": task.status, "note": note},
        now=now,
    )
    return task


@transaction.atomic
def opt_out_add(*, phone: str, source: str = "", actor: Any = None, now=None) -> SmsOptOut:
    now = resolve_now(now)
    mobile = normalize_mobile(phone)
    if mobile is None:
        raise InvalidInput("手机号码应为11位中国大陆手机号。", field="phone")
    row, _ = SmsOptOut.objects.get_or_create(
        phone=mobile, defaults={"created_at": now, "source": source}
    )
    log_action(actor=actor, action="govhall.notifications.opt_out.added", obj=row, now=now)
    return row


@transaction.atomic
def opt_out_remove(*, phone: str, actor: Any = None, now=None) -> int:
    mobile = normalize_mobile(phone) or phone
    deleted, _ = SmsOptOut.objects.filter(phone=mobile).delete()
    if deleted:
        log_action(
            actor=actor,
            action="govhall.notifications.opt_out.removed",
            object_type="notifications.smsoptout",
            object_id=mobile,
            now=now,
        )
    return deleted


@transaction.atomic
def message_resend(*, message_id: int, actor: Any, now: dt.datetime | None = None) -> bool:
    """Start a new attempt cycle for a failed SMS (same message id, so receipts of an
    earlier request still match it). Providers do not deduplicate: a staff resend is a
    deliberate second SMS."""
    now = resolve_now(now)
    changed = OutboxMessage.objects.filter(
        pk=message_id, status=OutboxMessage.Status.FAILED, channel=OutboxMessage.Channel.SMS
    ).update(
        status=OutboxMessage.Status.PENDING,
        attempts=0,
        cycle=models.F("cycle") + 1,
        due_at=now,
        failed_at=None,
        claim_token=None,
        lease_until=None,
        hold_reason="",
    )
    if changed:
        log_action(
            actor=actor,
            action="govhall.notifications.message.resent",
            object_type="notifications.outboxmessage",
            object_id=message_id,
            now=now,
        )
    return bool(changed)


# Statuses a delivery receipt settles as sent: the provider proves it had the message.
_SETTLED_BY_RECEIPT = (OutboxMessage.Status.PENDING, OutboxMessage.Status.CHECKING)


@transaction.atomic
def receipt_record(
    *,
    provider: str,
    message_id: str = "",
    provider_message_id: str = "",
    delivered: bool,
    report: dict[str, Any],
    at: dt.datetime | None = None,
) -> bool:
    """Store a provider's delivery report on its message. Unknown messages are ignored
    (reports for other systems sharing the account).

    A report for a message still `checking` (or back to `pending` after a lost answer)
    settles it as sent: the provider had it, so it is not sent again. A second provider id
    for one message id is a duplicate the provider sent: counted in `duplicates`."""
    at = resolve_now(at)
    if message_id:
        try:
            qs = OutboxMessage.objects.filter(message_id=message_id)
            row = qs.select_for_update().first()
        except ValidationError:
            return False
    elif provider_message_id:
        row = (
            OutboxMessage.objects.select_for_update()
            .filter(provider=provider, provider_message_id=provider_message_id)
            .first()
        )
    else:
        return False
    if row is None:
        return False
    S = OutboxMessage.Status
    status = OutboxMessage.Delivery.DELIVERED if delivered else OutboxMessage.Delivery.UNDELIVERED
    changes: dict[str, Any] = {
        "delivery_status": status,
        "delivered_at": at,
        "delivery_report": report,
    }
    ids = list(row.provider_ids or ([row.provider_message_id] if row.provider_message_id else []))
    if provider_message_id and provider_message_id not in ids:
        ids.append(provider_message_id)
        changes["provider_ids"] = ids
        changes["duplicates"] = max(0, len(ids) - 1)
    if provider_message_id and not row.provider_message_id:
        changes["provider_message_id"] = provider_message_id[:100]
    checking = row.status in _SETTLED_BY_RECEIPT or (
        row.status == S.SENDING and row.check_since is not None
    )
    if checking and row.channel == OutboxMessage.Channel.SMS:
        changes.update(
            status=S.SENT,
            provider=provider,
            sent_at=row.check_since or at,
            check_since=None,
            claim_token=None,  # a worker still holding it can no longer write its outcome
            lease_until=None,
            hold_reason="",
            last_error="",
        )
    return bool(OutboxMessage.objects.filter(pk=row.pk).update(**changes))
