"""A window's work: sign in, pause, sign out, call the next person (叫下一位) and 办结并叫下一位,
and the "three ahead" text that follows a call."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction

from govhall.core.errors import Conflict, InvalidInput, InvalidTransition
from govhall.core.workflow import Records, record_audit, resolve_now
from govhall.notifications.services import notification_send
from govhall.org.models import Window
from govhall.queueing import selectors
from govhall.queueing.models import IdleIncident, Ticket, WindowSession, local_day
from govhall.queueing.services._common import (
    active_session,
    audit_chain,
    end_idle_incidents,
    move,
    queue_service,
    require_window_actor,
    session_of,
    staff_active,
)
from govhall.queueing.services.tickets import finish_locked

NEAR_AHEAD = 3
# The ticket a 办结并叫下一位 finishes, under its lock (PostgreSQL), with the columns the
# finish writes or records (the answer names it by number): a constant SELECT, as the
# line's heads (selectors_line), not an ORM query compiled on every call.
_FINISHING = (
    'SELECT "id", "center_id", "category_id", "window_id", "number", "status" '
    'FROM "queueing_ticket" WHERE "id" = %s'
)
# PostgreSQL: how often a call takes the line's next head when the one it claimed was
# changed between its read and its write (rare: the claim skips rows other windows hold).
CALL_RETRIES = 4


def _window_audit(window: Window, verb: str, actor: Any, now: dt.datetime, **data: Any) -> None:
    record_audit(
        window,
        verb=verb,
        actor=actor,
        now=now,
        data={"number": window.number, **data},
        chain=audit_chain(window.center, f"w{window.number}"),
    )


@queue_service
def window_open(*, window: Window, actor: Any, now: dt.datetime | None = None) -> WindowSession:
    """Sign in at a window, or resume a paused session of one's own."""
    now = resolve_now(now)
    require_window_actor(window, actor)
    Window.objects.select_for_update().filter(pk=window.pk).first()
    session = session_of(window, lock=True)
    if session is not None:
        if session.staff_id != actor.pk:
            raise Conflict(f"{window} 已由 {session.staff} 签到，请对方先签退。")
        if session.state == WindowSession.State.PAUSED:
            session.state = WindowSession.State.OPEN
            session.pause_reason = ""
            session.paused_at = None
            session.last_activity_at = now
            session.save(update_fields=["state", "pause_reason", "paused_at", "last_activity_at"])
            end_idle_incidents(session.window_id, now, kinds=list(IdleIncident.Kind.values))
            _window_audit(window, "resumed", actor, now)
        return session
    elsewhere = WindowSession.objects.filter(staff=actor, closed_at__isnull=True).first()
    if elsewhere is not None:
        raise Conflict(f"您已在{elsewhere.window}签到，请先在该窗口签退。")
    session = WindowSession.objects.create(
        window=window, staff=actor, opened_at=now, last_activity_at=now
    )
    _window_audit(window, "opened", actor, now)
    return session


@queue_service
def window_pause(
    *, window: Window, reason: str, actor: Any, now: dt.datetime | None = None
) -> WindowSession:
    now = resolve_now(now)
    require_window_actor(window, actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("暂停须填写原因。", field="reason")
    session = active_session(window, actor, lock=True)
    if session.state == WindowSession.State.PAUSED:
        raise InvalidTransition(f"{window} 已处于暂停状态。")
    session.state = WindowSession.State.PAUSED
    session.pause_reason = reason[:100]
    session.paused_at = now
    session.last_activity_at = now
    session.save(update_fields=["state", "pause_reason", "paused_at", "last_activity_at"])
    end_idle_incidents(session.window_id, now, kinds=[IdleIncident.Kind.NO_ACTIVITY])
    _window_audit(window, "paused", actor, now, reason=reason)
    return session


@queue_service
def window_close(*, window: Window, actor: Any, now: dt.datetime | None = None) -> WindowSession:
    now = resolve_now(now)
    require_window_actor(window, actor)
    session = active_session(window, actor, lock=True)
    current = Ticket.objects.filter(window=window, status__in=Ticket.ACTIVE).first()
    if current is not None:
        raise InvalidTransition(f"请先处理当前号码 {current.number}，再签退。")
    session.closed_at = now
    session.last_activity_at = now
    session.save(update_fields=["closed_at", "last_activity_at"])
    end_idle_incidents(session.window_id, now, kinds=list(IdleIncident.Kind.values))
    _window_audit(window, "closed", actor, now)
    return session


# --- calling -----------------------------------------------------------------------------------


def _call(
    window: Window, actor: Any, now: dt.datetime, records: Records | None = None
) -> Ticket | None:
    """Claim the window's next ticket by the ordering rule and move it to 'called' (the
    window holds no ticket: the caller made sure, under the session's lock)."""
    for _ in range(CALL_RETRIES):
        claimed = selectors.window_next(window, local_day(now), claim=settings.IS_POSTGRES)
        if claimed is None:
            return None
        claimed.center = window.center
        try:
            return move(
                claimed,
                Ticket.Status.CALLED,
                action="call",
                actor=actor,
                now=now,
                verb="called",
                data={"window": window.number},
                changes={
                    "window": window,
                    "staff": actor if getattr(actor, "pk", None) else None,
                    "called_at": now,
                },
                records=records,
            )
        except InvalidTransition:
            continue  # changed between the read and the write: take the next head
    return None


def window_call_next(
    *, window: Window, actor: Any, now: dt.datetime | None = None
) -> Ticket | None:
    """Hand the window its next ticket, or None when nobody waits for its skills.

    Two windows calling at once never get the same ticket: on PostgreSQL the claim skips
    rows another window holds (FOR UPDATE SKIP LOCKED) and the write is conditional on the
    ticket still waiting; on SQLite the transaction holds the database's write lock."""
    now = resolve_now(now)
    called = _call_next(window=window, actor=actor, now=now)
    if called is not None:
        _notify_near(called.category_id, now)
    return called


@queue_service
def _call_next(*, window: Window, actor: Any, now: dt.datetime) -> Ticket | None:
    require_window_actor(window, actor)
    staff_active(window, actor, now, calling=True)
    # Today's tickets of the window (ticket_window_day_idx): the statuses are parameters,
    # so SQLite cannot prove the partial index of active tickets applies, and the window's
    # tickets of every day would be read. Earlier days' are closed by the day's-end sweep.
    active = Ticket.objects.filter(
        window_id=window.pk, day=local_day(now), status__in=Ticket.ACTIVE
    ).order_by()
    current = active.values_list("number", flat=True)[:1]
    if current:
        raise InvalidTransition(
            f"当前号码 {current[0]} 尚未办结，请先办结、过号或转办后再叫下一位。"
        )
    return _call(window, actor, now)


def window_finish_and_call_next(
    *, window: Window, ticket_id: int, actor: Any, now: dt.datetime | None = None
) -> tuple[Ticket, Ticket | None]:
    """办结并叫下一位: finish the window's current ticket and call the next one, in one
    transaction — the one key a clerk presses between two people. `ticket_id` names the
    ticket being finished, so a retried request cannot finish the person it just called
    (the retry finds that ticket done, and changes nothing).
    Returns (finished, called); called is None when nobody waits."""
    now = resolve_now(now)
    finished, called = _finish_and_call(window=window, ticket_id=ticket_id, actor=actor, now=now)
    if called is not None:
        _notify_near(called.category_id, now)
    return finished, called


@queue_service
def _finish_and_call(
    *, window: Window, ticket_id: int, actor: Any, now: dt.datetime
) -> tuple[Ticket, Ticket | None]:
    require_window_actor(window, actor)
    if not 0 < ticket_id < 2**63:  # no row has such an id (nor can the database compare it)
        raise InvalidInput("要办结的号码不存在。", field="finish")
    sql = _FINISHING + (" FOR UPDATE" if settings.IS_POSTGRES else "")
    ticket = next(iter(Ticket.objects.raw(sql, [ticket_id])), None)
    if ticket is None:
        raise InvalidInput("要办结的号码不存在。", field="finish")
    if ticket.window_id != window.pk:
        raise InvalidTransition("该号码不是本窗口正在办理的号码。")
    staff_active(window, actor, now, calling=True)
    ticket.window, ticket.center = window, window.center
    # Both moves' event rows and audit entries in one INSERT each.
    records = Records()
    finished = finish_locked(ticket, actor=actor, now=now, records=records)
    # The window held that one ticket (one at a time, its session locked): it holds none now.
    called = _call(window, actor, now, records)
    records.flush()
    return finished, called


# --- the "three ahead" text ------------------------------------------------------------------


def _notify_near(category_id: int, now: dt.datetime) -> None:
    """Text the person who now has exactly three people ahead (once per ticket). Read
    after the call's transaction: on SQLite it does not hold the write lock for it."""
    found = selectors.line_position(category_id, local_day(now), NEAR_AHEAD)
    if found is None:
        return
    pk, phone, sent = found
    if not phone or sent:
        return
    with transaction.atomic():  # the flag and the message together (or in the caller's)
        if Ticket.objects.filter(pk=pk, near_sms_sent=False).update(near_sms_sent=True) != 1:
            return
        ticket = Ticket.objects.select_related("category", "center").get(pk=pk)
        notification_send(
            template="queue_turn_near",
            to=ticket.phone,
            params={"number": ticket.number, "ahead": NEAR_AHEAD, "category": ticket.category.name},
            related=ticket,
            center=ticket.center,
            urgent=True,
            now=now,
        )
