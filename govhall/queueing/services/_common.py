"""What every queue service shares: permissions, the window session's activity, the audit
chain, and `move` — a ticket's state change through govhall.core.workflow.transition."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction

from govhall.core.errors import Forbidden, InvalidTransition, NotFound
from govhall.core.workflow import Records, transition
from govhall.core.writer import writing
from govhall.org.models import Center, Role, Window
from govhall.org.selectors import Scope, scope_for
from govhall.queueing.models import IdleIncident, Ticket, WindowSession

WINDOW_ROLES = (Role.CLERK, Role.OUTPUT_CLERK, Role.PROXY, Role.MANAGER)
ISSUE_ROLES = (Role.GUIDE, Role.CONSULTANT, Role.CLERK, Role.MANAGER, Role.DEVICE)
# A 'no activity' 空窗 needs at least a minute of silence (idle_minutes >= 1): a window
# active within the last minute has none to end.
IDLE_MIN = dt.timedelta(minutes=1)

F = TypeVar("F", bound=Callable[..., Any])


def queue_service(func: F) -> F:
    """`transaction.atomic` (in SQLite's writer queue, govhall.core.writer), with the
    actor's scope read before the transaction opens.

    On SQLite the transaction holds the database-wide write lock from its first statement
    (BEGIN IMMEDIATE), so the permission lookups happen first, outside."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        actor = kwargs.get("actor")
        if actor is not None and getattr(actor, "is_authenticated", False):
            scope_for(actor)
        with writing(), transaction.atomic():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


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


def ticket_chain(ticket: Ticket) -> str:
    if getattr(settings, "QUEUE_AUDIT_CHAIN", "center") != "fine":
        return audit_chain(ticket.center)
    part = f"w{ticket.window.number}" if ticket.window_id else f"c{ticket.category.letter}"
    return audit_chain(ticket.center, part)


def require_role(actor: Any, center_id: int, roles: tuple[str, ...], what: str) -> Scope:
    scope = scope_for(actor)
    if not any(scope.has_role(r, center_id) for r in roles):
        raise Forbidden(f"您没有在本中心{what}的权限。")
    return scope


def require_window_actor(window: Window, actor: Any) -> None:
    require_role(actor, window.center_id, WINDOW_ROLES, "操作窗口")


def session_of(window: Window, *, lock: bool = False) -> WindowSession | None:
    qs = WindowSession.objects.filter(window_id=window.pk, closed_at__isnull=True)
    if lock:
        qs = qs.select_for_update()
    return qs.first()


def active_session(window: Window, actor: Any, *, lock: bool = False) -> WindowSession:
    """The window's open session, which the actor may work in (theirs, or a manager)."""
    session = session_of(window, lock=lock)
    if session is None:
        raise InvalidTransition(f"{window} 尚未签到开窗。")
    if session.staff_id != getattr(actor, "pk", None) and not scope_for(actor).has_role(
        Role.MANAGER, window.center_id
    ):
        raise Forbidden(f"{window} 当前由其他人员签到。")
    return session


def staff_active(window: Window, actor: Any, now: dt.datetime, *, calling: bool = False) -> None:
    """Staff act at a window: checks the window's session (signed in; the actor's, or a
    manager; open, not paused, when `calling`), records the activity on it and ends an open
    'no activity' 空窗 incident.

    The usual case — the person signed in acts again within a minute — is one conditional
    UPDATE of the session (which also locks it on PostgreSQL, so one window's work runs one
    request at a time); anything else reads the session to find out which case it is."""
    staff_id = getattr(actor, "pk", None)
    if staff_id is not None:
        usual = WindowSession.objects.filter(
            window_id=window.pk,
            closed_at__isnull=True,
            staff_id=staff_id,
            last_activity_at__gt=now - IDLE_MIN,
        )
        if calling:
            usual = usual.filter(state=WindowSession.State.OPEN)
        if usual.update(last_activity_at=now) == 1:
            return
    session = active_session(window, actor, lock=True)
    if calling and session.state != WindowSession.State.OPEN:
        raise InvalidTransition(f"{window} 处于暂停状态，请先恢复服务。")
    last = session.last_activity_at
    WindowSession.objects.filter(pk=session.pk).update(last_activity_at=now)
    if now - last >= IDLE_MIN:
        end_idle_incidents(window.pk, now, kinds=[IdleIncident.Kind.NO_ACTIVITY])


def end_idle_incidents(window_id: int, now: dt.datetime, *, kinds: list[str]) -> int:
    """End the window's open 空窗 incidents of these kinds, with their duration."""
    ended = 0
    for incident in IdleIncident.objects.filter(
        window_id=window_id, kind__in=kinds, ended_at__isnull=True
    ):
        incident.ended_at = max(now, incident.started_at)
        incident.duration_seconds = int((incident.ended_at - incident.started_at).total_seconds())
        incident.save(update_fields=["ended_at", "duration_seconds"])
        ended += 1
    return ended


def lock_ticket(ticket: Ticket | int) -> Ticket:
    """The ticket re-read under a row lock (PostgreSQL), with its center, category, window."""
    pk = ticket if isinstance(ticket, int) else ticket.pk
    rows = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("center", "category", "window")
        .filter(pk=pk)
        .order_by()
    )
    locked = next(iter(rows[:1]), None)
    if locked is None:
        raise NotFound("号码不存在。")
    return locked


def ticket_actor(ticket: Ticket, actor: Any, now: dt.datetime) -> None:
    """Actions on a called/serving ticket belong to the staff of its window (whose
    activity they are); on a waiting one, to any window staff of the center."""
    if ticket.window_id is None:
        require_role(actor, ticket.center_id, WINDOW_ROLES, "处理号码")
        return
    require_window_actor(ticket.window, actor)
    staff_active(ticket.window, actor, now)


def _refused(ticket: Ticket) -> str:
    return f"号码 {ticket.number} 当前为“{ticket.get_status_display()}”，不能执行此操作。"


def _event_columns(ticket: Ticket) -> dict[str, Any]:
    return {"center_id": ticket.center_id, "window_id": ticket.window_id}


def move(
    ticket: Ticket,
    target: str,
    *,
    action: str,
    actor: Any,
    now: dt.datetime,
    reason: str = "",
    changes: Mapping[str, Any] | None = None,
    verb: str | None = None,
    data: Mapping[str, Any] | None = None,
    records: Records | None = None,
) -> Ticket:
    """The one way a ticket's state changes: workflow.transition against
    Ticket.TRANSITIONS, as a conditional UPDATE on the state the caller read (callers
    read the row under a lock, or have just claimed it), with the ticket's event row (the
    board's change feed) and audit entry on the center's queue chain."""
    return transition(
        ticket,
        target,
        action=action,
        actor=actor,
        now=now,
        reason=reason,
        changes=changes,
        lock=False,
        event=_event_columns,
        audit_verb=verb or action,
        audit_data=lambda t: {"number": t.number, "status": t.status, **dict(data or {})},
        audit_chain=ticket_chain,
        refused=_refused,
        records=records,
    )
