"""Every state change of the queue. Pages and the API call these same functions.

Each service is atomic, writes a TicketEvent (the board's change feed), an audit entry on
the center's queue chain and, where needed, an outbox message, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from govhall.core.audit import log_action
from govhall.core.errors import Conflict, Forbidden, InvalidInput, InvalidTransition, NotFound
from govhall.core.sqlite_backend import group_commit
from govhall.core.validators import validate_mobile
from govhall.notifications.services import notification_send
from govhall.org.models import Center, Role, Window
from govhall.org.selectors import scope_for
from govhall.queueing import statements
from govhall.queueing.models import (
    Channel,
    IdleIncident,
    PriorityGroup,
    Ticket,
    TicketCategory,
    TicketEvent,
    WindowSession,
    WindowSkill,
    local_day,
)
from govhall.queueing.selectors import config_for

WINDOW_ROLES = (Role.CLERK, Role.OUTPUT_CLERK, Role.PROXY, Role.MANAGER)
ISSUE_ROLES = (Role.GUIDE, Role.CONSULTANT, Role.CLERK, Role.MANAGER, Role.DEVICE)
NEAR_AHEAD = 3
CALL_RETRIES = 8


# --- helpers -----------------------------------------------------------------------------


def queue_service(func):
    """`transaction.atomic`, with the actor's scope read before the transaction opens.

    On SQLite the transaction holds the database-wide write lock from its first statement
    (BEGIN IMMEDIATE), so the permission lookups (two queries) happen first, outside."""
    atomic = transaction.atomic(func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        actor = kwargs.get("actor")
        if actor is not None and getattr(actor, "is_authenticated", False):
            _scope(actor)
        return atomic(*args, **kwargs)

    return wrapper


def audit_chain(center: Center, part: str = "") -> str:
    """The audit chain a queue change is appended to: one per center by default
    (`queue:<code>`), so each center's queue record verifies on its own. Appending takes
    no lock (chains are linked afterwards by the sealer, govhall.core.audit), so the
    choice costs nothing at write time. QUEUE_AUDIT_CHAIN: "center" (default), "main"
    (the global chain) or "fine" (one per window for window work, one per category for
    issuing)."""
    mode = getattr(settings, "QUEUE_AUDIT_CHAIN", "center")
    if mode == "main":
        return "main"
    if mode == "fine" and part:
        return f"queue:{center.code}:{part}"
    return f"queue:{center.code}"


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _scope(actor: Any):
    # One scope computation per actor object (a request's user): services check it twice.
    scope = getattr(actor, "_queue_scope", None)
    if scope is None:
        scope = scope_for(actor)
        if actor is not None:
            actor._queue_scope = scope
    return scope


def _require_role(actor: Any, center_id: int, roles: tuple[str, ...], what: str) -> None:
    scope = _scope(actor)
    if not any(scope.has_role(r, center_id) for r in roles):
        raise Forbidden(f"您没有在本中心{what}的权限。")


def _event(
    ticket: Ticket,
    *,
    from_status: str,
    action: str,
    actor: Any,
    now: dt.datetime,
    reason: str = "",
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        center_id=ticket.center_id,
        at=now,
        actor=actor if getattr(actor, "pk", None) else None,
        from_status=from_status,
        to_status=ticket.status,
        action=action,
        window_id=ticket.window_id,
        reason=reason[:200],
    )


def _audit(ticket: Ticket, verb: str, actor: Any, now: dt.datetime, part: str, **data) -> None:
    log_action(
        actor=actor,
        action=f"govhall.queueing.ticket.{verb}",
        obj=ticket,
        data={"number": ticket.number, "status": ticket.status, **data},
        chain=audit_chain(ticket.center, part),
        now=now,
    )


def _move(
    ticket: Ticket,
    to: str,
    *,
    action: str,
    actor: Any,
    now: dt.datetime,
    reason: str = "",
    **fields: Any,
) -> Ticket:
    """The one place a ticket's status changes: checks the transition table, then a
    conditional UPDATE (status must still be what we read) so a concurrent change loses."""
    if not ticket.can_go(to):
        raise InvalidTransition(
            f"号码 {ticket.number} 当前为“{ticket.get_status_display()}”，不能执行此操作。"
        )
    old = ticket.status
    changed = Ticket.objects.filter(pk=ticket.pk, status=old).update(status=to, **fields)
    if changed != 1:
        raise InvalidTransition(f"号码 {ticket.number} 的状态刚被他人改变，请刷新后重试。")
    ticket.status = to
    for name, value in fields.items():
        setattr(ticket, name, value)
    _event(ticket, from_status=old, action=action, actor=actor, now=now, reason=reason)
    part = f"w{ticket.window.number}" if ticket.window_id else f"c{ticket.category.letter}"
    _audit(ticket, action, actor, now, part, reason=reason)
    return ticket


def _lock_ticket(ticket: Ticket) -> Ticket:
    locked = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("center", "category", "window")
        .filter(pk=ticket.pk)
        .first()
    )
    if locked is None:
        raise NotFound("号码不存在。")
    return locked


def _session_of(window: Window, *, lock: bool = False) -> WindowSession | None:
    qs = WindowSession.objects.filter(window=window, closed_at__isnull=True)
    if lock:
        qs = qs.select_for_update()
    return qs.first()


def _touch(session: WindowSession | None, now: dt.datetime) -> None:
    """Staff activity at a window (statements.staff_active)."""
    if session is None:
        return
    statements.staff_active(
        session_id=session.pk,
        window_id=session.window_id,
        last_activity=session.last_activity_at,
        now=now,
    )
    session.last_activity_at = now


def _require_window_actor(window: Window, actor: Any) -> None:
    _require_role(actor, window.center_id, WINDOW_ROLES, "操作窗口")


def _active_session(window: Window, actor: Any, *, lock: bool = False) -> WindowSession:
    session = _session_of(window, lock=lock)
    if session is None:
        raise InvalidTransition(f"{window} 尚未签到开窗。")
    scope = _scope(actor)
    if session.staff_id != getattr(actor, "pk", None) and not scope.has_role(
        Role.MANAGER, window.center_id
    ):
        raise Forbidden(f"{window} 当前由其他人员签到。")
    return session


def _ticket_actor_session(ticket: Ticket, actor: Any) -> WindowSession | None:
    """Actions on a called/serving ticket belong to the staff of its window."""
    if ticket.window_id is None:
        _require_role(actor, ticket.center_id, WINDOW_ROLES, "处理号码")
        return None
    _require_window_actor(ticket.window, actor)
    return _active_session(ticket.window, actor)


# --- issuing -----------------------------------------------------------------------------


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
    from govhall.appointments.models import Appointment, Status

    checked_in = Appointment.objects.filter(
        center=center, code=code, status=Status.CHECKED_IN, ticket_id=""
    )
    if not checked_in.exists():
        raise InvalidInput("预约码无效或尚未签到。", field="appointment_code")
    return code


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
    the ticket is written, and a failed issue gives its number back. The returned ticket
    carries `issued_ahead`: the people ahead of it as it was issued, read from the same
    counter row (no count of the line). The write is one statement on PostgreSQL
    (govhall.queueing.statements), so no transaction is opened here on PostgreSQL: the
    statement is atomic by itself, or part of the caller's.
    """
    now = _now(now)
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
        _require_role(actor, center.pk, ISSUE_ROLES, "导办取号")
    category = _resolve_category(center, category, item)
    appointment_code = _checked_appointment_code(center, appointment_code, channel)
    ticket = Ticket(
        center=center,
        category=category,
        day=local_day(now),
        priority_group=group,
        is_appointment=bool(appointment_code),
        appointment_code=appointment_code,
        rank=0 if (group != PriorityGroup.NONE or appointment_code) else 1,
        channel=channel,
        phone=phone or "",
        issued_at=now,
        original_issued_at=now,
    )
    write = functools.partial(
        statements.insert_issued,
        ticket=ticket,
        letter=category.letter,
        item_id=item.pk if item is not None else None,
        actor=actor,
        chain=audit_chain(center, f"c{category.letter}"),
        action="govhall.queueing.ticket.issued",
    )
    # PostgreSQL: one statement, atomic by itself; SQLite: a transaction, possibly shared
    # with other requests' writes (group commit).
    row = write() if settings.IS_POSTGRES else group_commit.run(write)
    ticket.pk, ticket.number, ticket.seq = row.id, row.number, row.seq
    ticket.issued_ahead = row.ahead
    ticket._state.adding = False
    ticket._state.db = connection.alias
    return ticket


# --- windows -----------------------------------------------------------------------------


@queue_service
def window_open(*, window: Window, actor: Any, now: dt.datetime | None = None) -> WindowSession:
    """Sign in at a window, or resume a paused session of one's own."""
    now = _now(now)
    _require_window_actor(window, actor)
    Window.objects.select_for_update().filter(pk=window.pk).first()
    session = _session_of(window, lock=True)
    if session is not None:
        if session.staff_id != actor.pk:
            raise Conflict(f"{window} 已由 {session.staff} 签到，请对方先签退。")
        if session.state == WindowSession.State.PAUSED:
            session.state = WindowSession.State.OPEN
            session.pause_reason = ""
            session.paused_at = None
            session.last_activity_at = now
            session.save(update_fields=["state", "pause_reason", "paused_at", "last_activity_at"])
            statements.end_idle_incidents(
                session.window_id, now, kinds=list(IdleIncident.Kind.values)
            )
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
    now = _now(now)
    _require_window_actor(window, actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("暂停须填写原因。", field="reason")
    session = _active_session(window, actor, lock=True)
    if session.state == WindowSession.State.PAUSED:
        raise InvalidTransition(f"{window} 已处于暂停状态。")
    session.state = WindowSession.State.PAUSED
    session.pause_reason = reason[:100]
    session.paused_at = now
    session.last_activity_at = now
    session.save(update_fields=["state", "pause_reason", "paused_at", "last_activity_at"])
    statements.end_idle_incidents(session.window_id, now, kinds=[IdleIncident.Kind.NO_ACTIVITY])
    _window_audit(window, "paused", actor, now, reason=reason)
    return session


@queue_service
def window_close(*, window: Window, actor: Any, now: dt.datetime | None = None) -> WindowSession:
    now = _now(now)
    _require_window_actor(window, actor)
    session = _active_session(window, actor, lock=True)
    current = Ticket.objects.filter(window=window, status__in=Ticket.ACTIVE).first()
    if current is not None:
        raise InvalidTransition(f"请先处理当前号码 {current.number}，再签退。")
    session.closed_at = now
    session.last_activity_at = now
    session.save(update_fields=["closed_at", "last_activity_at"])
    statements.end_idle_incidents(session.window_id, now, kinds=list(IdleIncident.Kind.values))
    _window_audit(window, "closed", actor, now)
    return session


def _window_audit(window: Window, verb: str, actor: Any, now: dt.datetime, **data) -> None:
    log_action(
        actor=actor,
        action=f"govhall.queueing.window.{verb}",
        obj=window,
        data={"number": window.number, **data},
        chain=audit_chain(window.center, f"w{window.number}"),
        now=now,
    )


def window_candidates(window: Window, now: dt.datetime):
    """Waiting tickets this window may call, best first (the ordering rule, docs/queueing.md):
    1. rank 0 (priority group or appointment) across all the window's skills, by time;
    2. then the primary category by time; 3. then the other skills by time.
    'Time' is the original issue time, kept across transfers. A ticket transferred to
    this window specifically is treated as a ticket of its primary category.

    The window's skills are subqueries, so the whole choice is one statement."""
    skills = WindowSkill.objects.filter(window_id=window.pk).values("category_id")
    primary = skills.filter(is_primary=True)
    qs = Ticket.objects.filter(
        center_id=window.center_id, day=local_day(now), status=Ticket.Status.WAITING
    ).filter(Q(category_id__in=skills, target_window__isnull=True) | Q(target_window=window))
    return qs.annotate(
        tier=Case(
            When(rank=0, then=Value(0)),
            When(target_window=window, then=Value(1)),
            When(category_id__in=primary, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("tier", "original_issued_at", "id")


def _claim_next(window: Window, actor: Any, now: dt.datetime) -> Ticket | None:
    """One statement: mark the window's best candidate called and return it.

    The candidate is chosen in a subquery by the rule of window_candidates (on PostgreSQL
    `FOR UPDATE SKIP LOCKED`: a row another window is claiming is passed over, not waited
    for); the UPDATE still requires status='waiting' and that the window holds no
    called/serving ticket, so a ticket is handed out exactly once and a window never
    holds two."""
    params = {
        "called": Ticket.Status.CALLED,
        "serving": Ticket.Status.SERVING,
        "waiting": Ticket.Status.WAITING,
        "w": window.pk,
        "staff": getattr(actor, "pk", None),
        "at": connection.ops.adapt_datetimefield_value(now),
        "center": window.center_id,
        "day": connection.ops.adapt_datefield_value(local_day(now)),
    }
    with connection.cursor() as cursor:
        cursor.execute(statements.claim_sql(settings.IS_POSTGRES), params)
        row = cursor.fetchone()
    if row is None:
        return None
    return statements.ticket_from_row(row)


def window_call_next(
    *, window: Window, actor: Any, now: dt.datetime | None = None
) -> Ticket | None:
    """Hand the window its next ticket, or None when nobody waits for its skills.

    Two windows calling at once never get the same ticket: the choice and the claim are
    one conditional UPDATE (see _claim_next), retried if another window won the race.
    The usual case — the person signed in at the window calls — is written by
    govhall.queueing.statements (one statement on PostgreSQL); anything else (paused,
    busy, nobody waiting, a manager at someone else's window) takes the step-by-step
    path, which finds out which and says so.
    """
    now = _now(now)
    _require_window_actor(window, actor)
    called = statements.call_next(
        window=window, actor=actor, now=now, chain=audit_chain(window.center, f"w{window.number}")
    )
    if called is not None:
        _called(called.ticket, window, actor)
        _notify_near(called.ticket.category_id, now, line_after=called.line_after)
        return called.ticket
    return _window_call_next_stepwise(window=window, actor=actor, now=now)


def window_finish_and_call_next(
    *, window: Window, ticket_id: int, actor: Any, now: dt.datetime | None = None
) -> tuple[Ticket, Ticket | None]:
    """办结并叫下一位: finish the window's current ticket and call the next one, in one
    transaction — the one key a clerk presses between two people. `ticket_id` names the
    ticket being finished, so a retried request cannot finish the person it just called
    (the retry finds that ticket done and the window busy, and changes nothing).
    Returns (finished, called); called is None when nobody waits.

    The usual case is written by govhall.queueing.statements (on PostgreSQL one statement,
    atomic by itself); anything else takes the finish and the call one after the other in
    one transaction, which find out what is wrong and say so."""
    now = _now(now)
    _require_window_actor(window, actor)
    both = statements.finish_and_call_next(
        ticket_id=ticket_id,
        window=window,
        actor=actor,
        now=now,
        chain=audit_chain(window.center, f"w{window.number}"),
    )
    if both is not None:
        finished, called = both
        finished.window, finished.center = window, window.center
        if called is None:  # nobody waits, or a race for the line's head: ask again
            return finished, window_call_next(window=window, actor=actor, now=now)
        _called(called.ticket, window, actor)
        _notify_near(called.ticket.category_id, now, line_after=called.line_after)
        return finished, called.ticket
    ticket = statements.ticket_place(ticket_id)
    if ticket is None:
        raise InvalidInput("要办结的号码不存在。", field="finish")
    if ticket.window_id != window.pk:
        raise InvalidTransition("该号码不是本窗口正在办理的号码。")
    ticket.window = window  # as the caller has it (with its center): no second read
    with transaction.atomic():
        finished = ticket_finish(ticket=ticket, actor=actor, now=now)
        return finished, window_call_next(window=window, actor=actor, now=now)


def _called(claimed: Ticket, window: Window, actor: Any) -> None:
    claimed.center = window.center
    claimed.window = window
    if getattr(actor, "pk", None):
        claimed.staff = actor


@queue_service
def _window_call_next_stepwise(*, window: Window, actor: Any, now: dt.datetime) -> Ticket | None:
    session = _active_session(window, actor)
    if session.state != WindowSession.State.OPEN:
        raise InvalidTransition(f"{window} 处于暂停状态，请先恢复服务。")
    claimed: Ticket | None = None
    for _ in range(CALL_RETRIES):
        claimed = _claim_next(window, actor, now)
        if claimed is not None:
            break
        # Nothing claimed: the window still holds a ticket, nobody waits, or (PostgreSQL)
        # every candidate was being claimed by another window at that instant.
        current = Ticket.objects.filter(window=window, status__in=Ticket.ACTIVE).first()
        if current is not None:
            raise InvalidTransition(
                f"当前号码 {current.number} 尚未办结，请先办结、过号或转办后再叫下一位。"
            )
        if not window_candidates(window, now).exists():
            break
    if claimed is None:
        _touch(session, now)
        return None
    _called(claimed, window, actor)
    _event(claimed, from_status=Ticket.Status.WAITING, action="call", actor=actor, now=now)
    _touch(session, now)
    _notify_near(claimed.category_id, now)
    # The audit head is locked last: it is the lock every queue write of the center shares.
    _audit(claimed, "called", actor, now, f"w{window.number}", window=window.number)
    return claimed


def _notify_near(category_id: int, now: dt.datetime, line_after: list[tuple] | None = None) -> None:
    """Text the person who now has exactly three people ahead (once per ticket).

    `line_after`: the first waiting tickets of the category after the call, when the
    call's one-go write already read them (statements.call_next and
    finish_and_call_next, both databases); otherwise (the step-by-step path) they are
    read here."""
    if line_after is not None:
        found = line_after[NEAR_AHEAD] if len(line_after) > NEAR_AHEAD else None
    else:
        found = _line_position(category_id, now, NEAR_AHEAD)
    if found is None or not found[1] or found[2]:
        return
    row = {"pk": found[0], "phone": found[1], "number": found[3]}
    with transaction.atomic():  # the flag and the message together (or in the caller's)
        _send_near(row, now)


def _line_position(category_id: int, now: dt.datetime, position: int) -> tuple | None:
    # Asked after every call: written out (one probe of ticket_waiting_line_idx), not built.
    return statements.fetchone(
        statements.LINE_SQL + " LIMIT 1 OFFSET %s",
        [category_id, connection.ops.adapt_datefield_value(local_day(now)), position],
    )


def _send_near(row: dict[str, Any], now: dt.datetime) -> None:
    if Ticket.objects.filter(pk=row["pk"], near_sms_sent=False).update(near_sms_sent=True) != 1:
        return
    ticket = Ticket.objects.select_related("category", "center").get(pk=row["pk"])
    notification_send(
        template="queue_turn_near",
        to=row["phone"],
        params={"number": row["number"], "ahead": NEAR_AHEAD, "category": ticket.category.name},
        related=ticket,
        center=ticket.center,
        urgent=True,
        now=now,
    )


# --- ticket actions ------------------------------------------------------------------------


@queue_service
def ticket_recall(*, ticket: Ticket, actor: Any, now: dt.datetime | None = None) -> Ticket:
    now = _now(now)
    ticket = _lock_ticket(ticket)
    session = _ticket_actor_session(ticket, actor)
    if ticket.status != Ticket.Status.CALLED:
        raise InvalidTransition(f"号码 {ticket.number} 不在已叫号状态，不能重呼。")
    limit = config_for(ticket.center).recall_limit
    if ticket.recall_count >= limit:
        raise InvalidTransition(f"号码 {ticket.number} 已重呼{limit}次，请标记过号。")
    _touch(session, now)
    _move(
        ticket,
        Ticket.Status.CALLED,
        action="recall",
        actor=actor,
        now=now,
        recall_count=ticket.recall_count + 1,
    )
    return ticket


@queue_service
def ticket_start(*, ticket: Ticket, actor: Any, now: dt.datetime | None = None) -> Ticket:
    now = _now(now)
    ticket = _lock_ticket(ticket)
    session = _ticket_actor_session(ticket, actor)
    _touch(session, now)
    _move(ticket, Ticket.Status.SERVING, action="start", actor=actor, now=now, started_at=now)
    return ticket


def ticket_finish(
    *, ticket: Ticket, items: list | None = None, actor: Any, now: dt.datetime | None = None
) -> Ticket:
    """Finish (办结) a called or serving ticket; `items` records what was handled.

    The usual case — the person signed in at the ticket's window finishes it, no items
    given — is written by govhall.queueing.statements (one statement on PostgreSQL)."""
    now = _now(now)
    if not items and ticket.window_id:
        # The window as the caller read it; the statement re-checks it under a row lock.
        window = ticket.window
        if window is not None:
            _require_window_actor(window, actor)
            done = statements.finish(
                ticket_id=ticket.pk,
                window=window,
                actor=actor,
                now=now,
                chain=audit_chain(window.center, f"w{window.number}"),
            )
            if done is not None:
                done.window = window
                done.center = window.center
                return done
    return _ticket_finish_stepwise(ticket=ticket, items=items, actor=actor, now=now)


@queue_service
def _ticket_finish_stepwise(
    *, ticket: Ticket, items: list | None, actor: Any, now: dt.datetime
) -> Ticket:
    ticket = _lock_ticket(ticket)
    session = _ticket_actor_session(ticket, actor)
    _touch(session, now)
    if items:
        ticket.items.add(*items)
    _move(ticket, Ticket.Status.DONE, action="finish", actor=actor, now=now, finished_at=now)
    return ticket


@queue_service
def ticket_no_show(*, ticket: Ticket, actor: Any, now: dt.datetime | None = None) -> Ticket:
    now = _now(now)
    ticket = _lock_ticket(ticket)
    session = _ticket_actor_session(ticket, actor)
    limit = config_for(ticket.center).recall_limit
    if ticket.status == Ticket.Status.CALLED and ticket.recall_count < limit:
        raise InvalidTransition(
            f"须重呼{limit}次仍未到场方可标记过号（已重呼{ticket.recall_count}次）。"
        )
    _touch(session, now)
    _move(ticket, Ticket.Status.NO_SHOW, action="no_show", actor=actor, now=now, finished_at=now)
    return ticket


@queue_service
def ticket_requeue(
    *, ticket: Ticket, reason: str = "", actor: Any, now: dt.datetime | None = None
) -> Ticket:
    """Put a called ticket back in line (keeps its original issue time)."""
    now = _now(now)
    ticket = _lock_ticket(ticket)
    session = _ticket_actor_session(ticket, actor)
    _move(
        ticket,
        Ticket.Status.WAITING,
        action="requeue",
        actor=actor,
        now=now,
        reason=reason,
        window=None,
        staff=None,
        called_at=None,
    )
    _touch(session, now)
    return ticket


@queue_service
def ticket_cancel(
    *, ticket: Ticket, reason: str = "", actor: Any, now: dt.datetime | None = None
) -> Ticket:
    now = _now(now)
    ticket = _lock_ticket(ticket)
    _require_role(actor, ticket.center_id, (*WINDOW_ROLES, Role.GUIDE), "取消号码")
    _move(ticket, Ticket.Status.CANCELLED, action="cancel", actor=actor, now=now, reason=reason)
    return ticket


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
    now = _now(now)
    ticket = _lock_ticket(ticket)
    session = _ticket_actor_session(ticket, actor)
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
    target = to_category or ticket.category
    _touch(session, now)
    _move(
        ticket,
        Ticket.Status.TRANSFERRED,
        action="transfer",
        actor=actor,
        now=now,
        reason=reason or (f"转至{to_window}" if to_window else f"转至{target.name}"),
        finished_at=now,
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
    successor.items.set(ticket.items.all())
    _event(successor, from_status="", action="issue", actor=actor, now=now, reason="转办")
    _audit(successor, "transferred_in", actor, now, f"c{target.letter}", source=ticket.pk)
    return successor


@queue_service
def ticket_set_items(
    *, ticket: Ticket, items: list, actor: Any, now: dt.datetime | None = None
) -> Ticket:
    """Record the items one visit covers (one ticket may cover several)."""
    now = _now(now)
    ticket = _lock_ticket(ticket)
    _ticket_actor_session(ticket, actor)
    for item in items:
        if item.center_id != ticket.center_id:
            raise InvalidInput("事项不属于本中心。", field="items")
    ticket.items.set(items)
    _audit(ticket, "items_set", actor, now, "items", items=[i.code for i in items])
    return ticket


# --- sweeps (called by jobs) ---------------------------------------------------------------


@transaction.atomic
def tickets_close_stale(*, now: dt.datetime | None = None) -> int:
    """Tickets of earlier days still waiting or called are cancelled (day's end)."""
    now = _now(now)
    stale = list(
        Ticket.objects.select_related("center", "category", "window")
        .filter(day__lt=local_day(now), status__in=[Ticket.Status.WAITING, Ticket.Status.CALLED])
        .order_by("id")[:500]
    )
    done = 0
    for ticket in stale:
        try:
            _move(
                ticket,
                Ticket.Status.CANCELLED,
                action="expire",
                actor=None,
                now=now,
                reason="当日未办理，自动作废",
            )
            done += 1
        except InvalidTransition:
            continue
    return done
