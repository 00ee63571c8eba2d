"""Reads of consultations (never a write), scoped in one place: center-wide staff see
their centers' consultations, a department's approvers only those transferred to their
department, a colleague those transferred to them; another center's are not found."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from govhall.catalog.selectors import items_public
from govhall.consultations.models import (
    OPEN_STATUSES,
    CenterSettings,
    Consultation,
    Kind,
    OverdueAlert,
    Phrase,
    Place,
    Status,
)
from govhall.consultations.phrases import fill
from govhall.consultations.services._common import DESK_ROLES, local_day
from govhall.core.errors import InvalidInput, NotFound
from govhall.org.models import Center, Department, RoleAssignment
from govhall.org.selectors import scope_for


def scoped(actor: Any) -> QuerySet[Consultation]:
    qs = Consultation.objects.select_related("center", "item", "owner", "assignee", "department")
    scope = scope_for(actor)
    visible = scope.filter(qs, department_field="department")
    if getattr(actor, "pk", None) and not scope.is_admin:
        visible = visible | qs.filter(assignee=actor, center_id__in=scope.center_ids)
    return visible.distinct()


def ledger(
    actor: Any,
    *,
    center: Center | None = None,
    status: str = "",
    owner: str = "",
    department: str = "",
    overdue: bool = False,
    today: dt.date | None = None,
) -> QuerySet[Consultation]:
    """The ledger (6.5.1), filtered by status ("open" for every not yet replied), owner
    ("me" or a user id), department (id) and overdue, due date first."""
    today = today or local_day(timezone.now())
    qs = scoped(actor)
    if center is not None:
        qs = qs.filter(center=center)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        if status not in Status.values:
            raise InvalidInput("未知的状态。", field="status")
        qs = qs.filter(status=status)
    if owner == "me":
        qs = qs.filter(owner_id=getattr(actor, "pk", None))
    elif owner:
        if not str(owner).isdigit():
            raise InvalidInput("首问责任人参数不正确。", field="owner")
        qs = qs.filter(owner_id=int(owner))
    if department:
        if not str(department).isdigit():
            raise InvalidInput("部门参数不正确。", field="department")
        qs = qs.filter(department_id=int(department))
    if overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, reply_due__lt=today)
    return qs.order_by("reply_due", "-received_at")


def consultation_for(actor: Any, pk: int) -> Consultation:
    found = scoped(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound("未找到该咨询登记。")
    return found


EVENT_LABELS = {
    "recorded": "登记",
    "answered": "当场答复",
    "ledgered": "列入台账",
    "transferred": "转办",
    "replied": "答复",
    "closed": "办结",
    "call_requested": "生成电话答复任务",
    "call_attempt": "电话未接通",
    "guide_sent": "短信一次性告知",
}


def events(consultation: Consultation) -> list:
    rows = list(consultation.events.select_related("actor", "to_user", "to_department"))
    for row in rows:
        row.label = EVENT_LABELS.get(row.action, row.action)
    return rows


def public_lookup(code: str) -> Consultation | None:
    code = (code or "").strip().upper()
    if not code or len(code) > 12:
        return None
    return Consultation.objects.select_related("center", "item").filter(lookup_code=code).first()


def desk_centers(actor: Any) -> list[Center]:
    scope = scope_for(actor)
    return [c for c in scope.centers().order_by("code") if scope.has_any_role(DESK_ROLES, c.pk)]


def ledger_centers(actor: Any) -> list[Center]:
    return list(scope_for(actor).centers().order_by("code"))


def alerts_for(actor: Any) -> QuerySet[OverdueAlert]:
    return (
        OverdueAlert.objects.filter(recipient_id=getattr(actor, "pk", None))
        .filter(consultation__status__in=OPEN_STATUSES)
        .select_related("consultation")
        .order_by("-level", "consultation__reply_due")
    )


def awaiting_close(actor: Any) -> QuerySet[Consultation]:
    """Answered by someone else: the owner is told and closes it."""
    return scoped(actor).filter(owner_id=getattr(actor, "pk", None), status=Status.REPLIED)


def departments(center: Center) -> QuerySet[Department]:
    return Department.objects.filter(center=center, is_active=True).order_by("code")


def colleagues(center: Center) -> list[Any]:
    rows = (
        RoleAssignment.objects.filter(center=center, role__in=DESK_ROLES, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    )
    seen: dict[int, Any] = {}
    for row in rows:
        seen.setdefault(row.user_id, row.user)
    return list(seen.values())


def item_choices(center: Center, q: str) -> list:
    return list(items_public(q=q, center=center))[:20] if q.strip() else []


def phrases(moments: list[str] | tuple[str, ...], context: dict[str, Any] | None = None):
    """The library's phrases for these moments, placeholders filled: [(clause, moment
    label, text)]."""
    rows = Phrase.objects.filter(is_active=True, moment__in=list(moments))
    order = {m: n for n, m in enumerate(moments)}
    rows = sorted(rows, key=lambda p: (order[p.moment], p.position, p.code))
    return [(p.code, p.get_moment_display(), fill(p.text, context)) for p in rows]


def phrase(moment: str, context: dict[str, Any] | None = None) -> tuple[str, str] | None:
    """The first phrase of a moment, filled: (clause, text)."""
    found = phrases([moment], context)
    return (found[0][0], found[0][2]) if found else None


# The window console's moments (queueing.phrases keys) → the library's phrases said then.
CONSOLE_MOMENTS: dict[str, list[tuple[str, str]]] = {
    "call": [("greeting", "A.2.1")],
    "start": [("ask_materials", "A.2.2"), ("confirm", "A.2.4")],
    "incomplete": [("incomplete", "A.2.3")],
    "finish_done": [("finished", "A.2.5"), ("goodbye", "A.1.6")],
    "complaint": [("complaint", "A.2.7")],
    "guide": [("greeting", "A.1.1")],
}


def console_phrase(key: str, context: dict[str, Any]) -> tuple[str, str] | None:
    """The window console's phrase for a moment, from the library (None: the console keeps
    its own wording, e.g. the visit that ends before the matter is finished)."""
    wanted = CONSOLE_MOMENTS.get(key)
    if not wanted:
        return None
    if key == "incomplete":
        # The console knows the item's materials, not which of them are missing: the clerk
        # names those (the one-time list of the intake says them).
        context = {k: v for k, v in context.items() if k != "materials"}
    rows = {
        (p.moment, p.code): p
        for p in Phrase.objects.filter(
            is_active=True, moment__in=[m for m, _ in wanted], code__in=[c for _, c in wanted]
        )
    }
    found = [rows[w] for w in wanted if w in rows]
    if not found:
        return None
    return "/".join(p.code for p in found), "".join(fill(p.text, context) for p in found)


def places(center: Center) -> list[Place]:
    return list(
        Place.objects.filter(center=center, is_active=True)
        .select_related("zone")
        .order_by("floor", "position", "id")
    )


def floor_plan(center: Center) -> CenterSettings | None:
    found = CenterSettings.objects.filter(center=center).first()
    return found if found is not None and found.floor_plan else None


def stats(center: Center, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Per channel, item and hour; the share answered at once; replies on time; repeat
    questions (same phone, or same question text, more than once in the period)."""
    tz = timezone.get_default_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    rows = list(
        Consultation.objects.filter(center=center, received_at__gte=lo, received_at__lt=hi)
        .select_related("item")
        .order_by("received_at")
    )
    total = len(rows)
    channels = Counter(r.get_channel_display() for r in rows)
    items = Counter(r.item.name if r.item_id else "（未关联事项）" for r in rows)
    hours = Counter(timezone.localtime(r.received_at, tz).hour for r in rows)
    at_once = sum(1 for r in rows if r.status == Status.ANSWERED)
    replied = [r for r in rows if r.replied_at and r.reply_due]
    on_time = sum(1 for r in replied if local_day(r.replied_at) <= r.reply_due)
    by_phone = Counter(r.phone for r in rows if r.phone)
    by_text = Counter(" ".join(r.question.split()) for r in rows)
    repeats = sum(n - 1 for n in by_phone.values() if n > 1) + sum(
        n - 1 for n in by_text.values() if n > 1
    )
    return {
        "center": center,
        "start": start,
        "end": end,
        "total": total,
        "channels": channels.most_common(),
        "items": items.most_common(20),
        "hours": sorted(hours.items()),
        "at_once": at_once,
        "at_once_share": round(100 * at_once / total, 1) if total else 0.0,
        "replied": len(replied),
        "on_time": on_time,
        "on_time_share": round(100 * on_time / len(replied), 1) if replied else 0.0,
        "repeats": repeats,
        "open": sum(1 for r in rows if r.status in OPEN_STATUSES),
    }


def desk_complaints(*, since: dt.datetime) -> QuerySet[Consultation]:
    """Complaints recorded at the desk (by phone, letter or online too) since a moment,
    oldest first: evaluations reads them to open a rectification for each (9.5)."""
    return (
        Consultation.objects.filter(kind=Kind.COMPLAINT, received_at__gte=since)
        .select_related("item", "owner")
        .order_by("received_at", "id")
    )


ANSWERED_STATUSES = (Status.ANSWERED, Status.REPLIED, Status.CLOSED)


def consultation_get(pk: int) -> Consultation | None:
    """One consultation by id, unscoped (evaluations reads the matter it rates)."""
    return Consultation.objects.select_related("item", "replied_by", "owner").filter(pk=pk).first()


def consultation_is_answered(consultation: Consultation) -> bool:
    return consultation.status in ANSWERED_STATUSES


def consultations_answered_between(start: dt.datetime, end: dt.datetime) -> QuerySet[Consultation]:
    """Questions answered in a time range (evaluation invitations, 9.4 e); complaints and
    rescue requests are not invited to rate."""
    return (
        Consultation.objects.select_related("item")
        .filter(kind=Kind.QUESTION, status__in=ANSWERED_STATUSES)
        .filter(replied_at__gte=start, replied_at__lt=end)
        .order_by("replied_at", "id")
    )
