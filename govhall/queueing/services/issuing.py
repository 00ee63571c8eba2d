"""Issuing a ticket (kiosk, guide desk, mobile, API, an appointment's check-in)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from govhall.core.errors import InvalidInput
from govhall.core.validators import validate_mobile
from govhall.core.workflow import record_audit, record_event, resolve_now
from govhall.core.writer import writing
from govhall.org.models import Center
from govhall.queueing.models import (
    Channel,
    PriorityGroup,
    Ticket,
    TicketCategory,
    TicketCounter,
    local_day,
)
from govhall.queueing.services._common import ISSUE_ROLES, audit_chain, require_role

# How an appointment check-in's code is confirmed: a function (center, code) -> bool that
# the appointments app registers when it starts (apps.py). The queue does not import the
# appointments app (it depends on the queue, not the other way round); with none
# registered, every code is refused.
_appointment_checks: list[Callable[[Center, str], bool]] = []


def register_appointment_check(check: Callable[[Center, str], bool]) -> None:
    if check not in _appointment_checks:
        _appointment_checks.append(check)


def ticket_number(letter: str, seq: int) -> str:
    """A001 … A999, then A1000: at least three digits, never truncated."""
    return f"{letter}{seq:03d}"


def _resolve_category(center: Center, category: TicketCategory | None, item: Any) -> TicketCategory:
    if category is not None:
        if category.center_id != center.pk or not category.is_active:
            raise InvalidInput("该业务类别不属于本中心或已停用。", field="category")
        return category
    if item is not None:
        if item.center_id != center.pk:
            raise InvalidInput("该事项不属于本中心。", field="item_code")
        found = (
            TicketCategory.objects.filter(center=center, is_active=True, items=item)
            .order_by("order", "letter")
            .first()
        )
        if found is None:
            raise InvalidInput("该事项未设置取号类别，请到咨询台咨询。", field="item_code")
        return found
    raise InvalidInput("请选择业务类别或事项。", field="category")


def _checked_appointment_code(center: Center, appointment_code: str | None, channel: str) -> str:
    """Only an appointment check-in ranks a ticket first (6.3, appointments'
    `appointment_check_in`: channel "appointment", a real booking of this center that has
    just been checked in and has no ticket yet). Any other code is refused, never honoured."""
    code = (appointment_code or "").strip()
    if not code:
        return ""
    if channel != Channel.APPOINTMENT:
        raise InvalidInput(
            "预约优先须在自助机或导服台凭预约码签到取号，此处不接受预约码。",
            field="appointment_code",
        )
    if not any(check(center, code) for check in _appointment_checks):
        raise InvalidInput("预约码无效或尚未签到。", field="appointment_code")
    return code


# The category's counter of the day: a constant SELECT (writes stay ORM), as the queue's
# other hot reads (selectors_line): compiling the ORM query cost more than the read.
_COUNTER = 'SELECT * FROM "queueing_ticketcounter" WHERE "category_id" = %s AND "day" = %s'


def _next_number(category: TicketCategory, day: dt.date) -> TicketCounter:
    """The category's counter of the day, locked (PostgreSQL; on SQLite the transaction
    holds the write lock) and moved on by one; its waiting counts are as they were before
    the new ticket."""
    sql = _COUNTER + (" FOR UPDATE" if settings.IS_POSTGRES else "")
    counter = next(iter(TicketCounter.objects.raw(sql, [category.pk, day])), None)
    if counter is None:
        try:
            with transaction.atomic():
                counter = TicketCounter.objects.create(category=category, day=day, last=0)
        except IntegrityError:  # another issue created it first
            counter = TicketCounter.objects.select_for_update().get(category=category, day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter


def ticket_issue(
    *,
    center: Center,
    category: TicketCategory | None = None,
    item: Any = None,
    priority_group: str | None = None,
    phone: str | None = None,
    appointment_code: str | None = None,
    channel: str = Channel.KIOSK,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> Ticket:
    """Issue the next number of a category (or of the category covering `item`).

    Appointment check-ins pass `appointment_code=` and channel "appointment"; such tickets
    and those of a priority group rank before everyone else.

    Numbers are unique and gapless per category and day: the counter row is locked until
    the ticket is written, in one transaction, so a failed issue gives its number back. The
    returned ticket carries `issued_ahead`: the people ahead of it as it was issued, read
    from the same counter row (its waiting counts are kept by the database, see
    TicketCounter), not by counting the line."""
    now = resolve_now(now)
    if not center.is_active:
        raise InvalidInput("该中心未启用。", field="center")
    group = priority_group or PriorityGroup.NONE
    if group not in PriorityGroup.values:
        raise InvalidInput("优先群体取值不正确。", field="priority_group")
    if channel not in Channel.values or channel == Channel.TRANSFER:
        raise InvalidInput("取号渠道不正确。", field="channel")
    if phone:
        try:
            phone = validate_mobile(phone)
        except ValidationError as exc:
            raise InvalidInput(exc.messages[0], field="phone") from exc
    if channel == Channel.GUIDE:
        require_role(actor, center.pk, ISSUE_ROLES, "导办取号")
    category = _resolve_category(center, category, item)
    code = _checked_appointment_code(center, appointment_code, channel)
    rank = 0 if (group != PriorityGroup.NONE or code) else 1
    day = local_day(now)
    with writing(), transaction.atomic():
        counter = _next_number(category, day)
        ticket = Ticket(
            center=center,
            category=category,
            number=ticket_number(category.letter, counter.last),
            day=day,
            seq=counter.last,
            priority_group=group,
            is_appointment=bool(code),
            appointment_code=code,
            rank=rank,
            channel=channel,
            phone=phone or "",
            issued_at=now,
            original_issued_at=now,
        )
        ticket.save(force_insert=True)
        if item is not None:
            ticket.items.through.objects.create(ticket=ticket, serviceitem=item)
        record_event(
            ticket,
            action="issue",
            from_status="",
            actor=actor,
            now=now,
            event={"center_id": center.pk, "window_id": None},
        )
        record_audit(
            ticket,
            verb="issued",
            actor=actor,
            now=now,
            data={"number": ticket.number, "status": ticket.status, "channel": channel},
            chain=audit_chain(center, f"c{category.letter}"),
        )
    waiting_first, waiting_rest = counter.waiting_first, counter.waiting_rest
    ticket.issued_ahead = waiting_first if rank == 0 else waiting_first + waiting_rest
    return ticket
