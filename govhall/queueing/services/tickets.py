"""The actions on one ticket: recall, start, finish, no-show, requeue, cancel, transfer,
items."""

from __future__ import annotations

import datetime as dt
from typing import Any

from govhall.core.errors import InvalidInput, InvalidTransition
from govhall.core.workflow import Records, record_audit, record_event, resolve_now
from govhall.org.models import Role, Window
from govhall.queueing.models import (
    Channel,
    Ticket,
    TicketCategory,
)
from govhall.queueing.selectors import cached_config
from govhall.queueing.services._common import (
    WINDOW_ROLES,
    lock_ticket,
    move,
    queue_service,
    require_role,
    ticket_actor,
    ticket_chain,
)

# --- actions on one ticket -------------------------------------------------------------------


@queue_service
def ticket_recall(*, ticket: Ticket, actor: Any, now: dt.datetime | None = None) -> Ticket:
    now = resolve_now(now)
    ticket = lock_ticket(ticket)
    ticket_actor(ticket, actor, now)
    if ticket.status != Ticket.Status.CALLED:
        raise InvalidTransition(f"号码 {ticket.number} 不在已叫号状态，不能重呼。")
    limit = cached_config(ticket.center).recall_limit
    if ticket.recall_count >= limit:
        raise InvalidTransition(f"号码 {ticket.number} 已重呼{limit}次，请标记过号。")
    return move(
        ticket,
        Ticket.Status.CALLED,
        action="recall",
        actor=actor,
        now=now,
        changes={"recall_count": ticket.recall_count + 1},
    )


@queue_service
def ticket_start(*, ticket: Ticket, actor: Any, now: dt.datetime | None = None) -> Ticket:
    now = resolve_now(now)
    ticket = lock_ticket(ticket)
    ticket_actor(ticket, actor, now)
    return move(
        ticket,
        Ticket.Status.SERVING,
        action="start",
        actor=actor,
        now=now,
        changes={"started_at": now},
    )


@queue_service
def ticket_finish(
    *, ticket: Ticket, items: list | None = None, actor: Any, now: dt.datetime | None = None
) -> Ticket:
    """Finish (办结) a called or serving ticket; `items` records what was handled."""
    now = resolve_now(now)
    ticket = lock_ticket(ticket)
    ticket_actor(ticket, actor, now)
    if items:
        ticket.items.add(*items)
    return finish_locked(ticket, actor=actor, now=now)


def finish_locked(
    ticket: Ticket, *, actor: Any, now: dt.datetime, records: Records | None = None
) -> Ticket:
    """The finish itself, on a ticket read under its lock by the caller (ticket_finish,
    window_finish_and_call_next)."""
    return move(
        ticket,
        Ticket.Status.DONE,
        action="finish",
        actor=actor,
        now=now,
        changes={"finished_at": now},
        data={"reason": ""},
        records=records,
    )


@queue_service
def ticket_no_show(*, ticket: Ticket, actor: Any, now: dt.datetime | None = None) -> Ticket:
    now = resolve_now(now)
    ticket = lock_ticket(ticket)
    ticket_actor(ticket, actor, now)
    limit = cached_config(ticket.center).recall_limit
    if ticket.status == Ticket.Status.CALLED and ticket.recall_count < limit:
        raise InvalidTransition(
            f"须重呼{limit}次仍未到场方可标记过号（已重呼{ticket.recall_count}次）。"
        )
    return move(
        ticket,
        Ticket.Status.NO_SHOW,
        action="no_show",
        actor=actor,
        now=now,
        changes={"finished_at": now},
    )


@queue_service
def ticket_requeue(
    *, ticket: Ticket, reason: str = "", actor: Any, now: dt.datetime | None = None
) -> Ticket:
    """Put a called ticket back in line (keeps its original issue time)."""
    now = resolve_now(now)
    ticket = lock_ticket(ticket)
    ticket_actor(ticket, actor, now)
    return move(
        ticket,
        Ticket.Status.WAITING,
        action="requeue",
        actor=actor,
        now=now,
        reason=reason,
        changes={"window": None, "staff": None, "called_at": None},
    )


@queue_service
def ticket_cancel(
    *, ticket: Ticket, reason: str = "", actor: Any, now: dt.datetime | None = None
) -> Ticket:
    now = resolve_now(now)
    ticket = lock_ticket(ticket)
    require_role(actor, ticket.center_id, (*WINDOW_ROLES, Role.GUIDE), "取消号码")
    return move(
        ticket, Ticket.Status.CANCELLED, action="cancel", actor=actor, now=now, reason=reason
    )


def _check_transfer_target(
    ticket: Ticket, to_category: TicketCategory | None, to_window: Window | None
) -> None:
    if (to_category is None) == (to_window is None):
        raise InvalidInput("请指定转往的业务类别或窗口（二选一）。", field="category")
    if to_category is not None and (
        to_category.center_id != ticket.center_id or not to_category.is_active
    ):
        raise InvalidInput("转往的业务类别不属于本中心。", field="category")
    if to_window is not None:
        if to_window.center_id != ticket.center_id or not to_window.is_active:
            raise InvalidInput("转往的窗口不属于本中心。", field="window")
        if to_window.pk == ticket.window_id:
            raise InvalidInput("不能转给本窗口。", field="window")


@queue_service
def ticket_transfer(
    *,
    ticket: Ticket,
    to_category: TicketCategory | None = None,
    to_window: Window | None = None,
    reason: str = "",
    actor: Any,
    now: dt.datetime | None = None,
) -> Ticket:
    """Send the person to another category or a named window. The old ticket ends as
    'transferred'; its successor keeps the number the person holds and the original issue
    time, so they do not lose their place."""
    now = resolve_now(now)
    ticket = lock_ticket(ticket)
    ticket_actor(ticket, actor, now)
    _check_transfer_target(ticket, to_category, to_window)
    target = to_category or ticket.category
    move(
        ticket,
        Ticket.Status.TRANSFERRED,
        action="transfer",
        actor=actor,
        now=now,
        reason=reason or (f"转至{to_window}" if to_window else f"转至{target.name}"),
        changes={"finished_at": now},
    )
    successor = Ticket.objects.create(
        center_id=ticket.center_id,
        category=target,
        number=ticket.number,
        day=ticket.day,
        seq=None,
        priority_group=ticket.priority_group,
        is_appointment=ticket.is_appointment,
        appointment_code=ticket.appointment_code,
        rank=ticket.rank,
        channel=Channel.TRANSFER,
        phone=ticket.phone,
        target_window=to_window,
        transferred_from=ticket,
        issued_at=now,
        original_issued_at=ticket.original_issued_at,
        near_sms_sent=ticket.near_sms_sent,
    )
    successor.center = ticket.center
    successor.items.set(ticket.items.all())
    record_event(
        successor,
        action="issue",
        from_status="",
        actor=actor,
        now=now,
        reason="转办",
        event={"center_id": successor.center_id, "window_id": None},
    )
    record_audit(
        successor,
        verb="transferred_in",
        actor=actor,
        now=now,
        data={"number": successor.number, "status": successor.status, "source": ticket.pk},
        chain=ticket_chain(successor),
    )
    return successor


@queue_service
def ticket_set_items(
    *, ticket: Ticket, items: list, actor: Any, now: dt.datetime | None = None
) -> Ticket:
    """Record the items one visit covers (one ticket may cover several)."""
    now = resolve_now(now)
    ticket = lock_ticket(ticket)
    ticket_actor(ticket, actor, now)
    for item in items:
        if item.center_id != ticket.center_id:
            raise InvalidInput("事项不属于本中心。", field="items")
    ticket.items.set(items)
    record_audit(
        ticket,
        verb="items_set",
        actor=actor,
        now=now,
        data={"number": ticket.number, "status": ticket.status, "items": [i.code for i in items]},
        chain=ticket_chain(ticket),
    )
    return ticket
