"""Reads for Cases II (never writes): the department and output consoles, handover
batches, time-limit levels and the managers' dashboard (6.1.3), the monthly on-time rate,
and the public list of results (6.2.1). Scope as in selectors: other department or center
→ nothing (404 at the door)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case as When_
from django.db.models import CharField, Count, DateField, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from govhall.cases.models import (
    Case,
    CaseResult,
    DeadlineAlert,
    FakeGatewayNotice,
    FeeOrder,
    HandoverBatch,
    ItemCasePolicy,
    Status,
)
from govhall.cases.selectors import cases_visible
from govhall.cases.services.flow import yellow_days
from govhall.core import workdays
from govhall.core.errors import NotFound
from govhall.core.masking import mask_name
from govhall.org.models import Department
from govhall.org.selectors import scope_for

APPROVAL_STAGE = (Status.ACCEPTED, Status.DEEMED_ACCEPTED, Status.APPROVING, Status.EXTENDED)
HANDOVER_STAGE = (Status.APPROVED, Status.RESULT_HANDED)
MONITORED = (Status.RECEIVED, *APPROVAL_STAGE, *HANDOVER_STAGE, Status.OUTPUT_RECEIVED)
OPEN = (*MONITORED, Status.CORRECTION_REQUESTED, Status.SUSPENDED, Status.PICKUP_NOTIFIED)
LEVEL_LABELS = {"green": "正常", "yellow": "临近", "red": "超期", "paused": "暂停计时"}


def operative_due() -> When_:
    """The deadline a case is watched against in its stage: acceptance; approval, by the
    result handover due date (1 working day before the promised due, so always the earlier);
    result handover; the pickup notice."""
    return When_(
        When(status=Status.RECEIVED, then=F("acceptance_due")),
        When(status__in=APPROVAL_STAGE, then=Coalesce(F("handover_due"), F("promised_due"))),
        When(status__in=HANDOVER_STAGE, then=Coalesce(F("handover_due"), F("promised_due"))),
        When(status=Status.OUTPUT_RECEIVED, then=F("pickup_notice_due")),
        default=None,
        output_field=DateField(),
    )


def operative_kind() -> When_:
    return When_(
        When(status=Status.RECEIVED, then=Value(DeadlineAlert.Kind.ACCEPTANCE)),
        When(
            Q(status__in=APPROVAL_STAGE, handover_due__isnull=True),
            then=Value(DeadlineAlert.Kind.APPROVAL),
        ),
        When(status=Status.OUTPUT_RECEIVED, then=Value(DeadlineAlert.Kind.PICKUP_NOTICE)),
        default=Value(DeadlineAlert.Kind.HANDOVER),
        output_field=CharField(),
    )


def yellow_until(today: dt.date) -> dt.date:
    """The last due date that is yellow today: `yellow_days()` working days or fewer left
    after today (the due day itself: 0 left, still yellow; the day after: red)."""
    return workdays.add_workdays(today, yellow_days())


def due_by(until: dt.date) -> Q:
    """Open cases whose watched date is on or before `until`, written so each branch can
    use an index (status + date) instead of computing every row's date."""
    return (
        Q(status=Status.RECEIVED, acceptance_due__lte=until)
        | Q(status__in=(*APPROVAL_STAGE, *HANDOVER_STAGE), handover_due__lte=until)
        | Q(status__in=APPROVAL_STAGE, handover_due__isnull=True, promised_due__lte=until)
        | Q(status__in=HANDOVER_STAGE, handover_due__isnull=True, promised_due__lte=until)
        | Q(status=Status.OUTPUT_RECEIVED, pickup_notice_due__lte=until)
    )


def level_of(due: dt.date | None, today: dt.date) -> str:
    if due is None:
        return "paused"
    if due < today:
        return "red"
    if due <= yellow_until(today):
        return "yellow"
    return "green"


def with_levels(qs: QuerySet[Case], today: dt.date) -> QuerySet[Case]:
    until = yellow_until(today)
    return qs.annotate(due=operative_due(), due_kind=operative_kind()).annotate(
        level=When_(
            When(due__isnull=True, then=Value("paused")),
            When(due__lt=today, then=Value("red")),
            When(due__lte=until, then=Value("yellow")),
            default=Value("green"),
            output_field=CharField(),
        )
    )


def monitored(user: Any, today: dt.date, *, center_id: int | None = None, department_id=None):
    return with_levels(_open(user, center_id, department_id), today)


def _open(user: Any, center_id: int | None = None, department_id=None) -> QuerySet[Case]:
    qs = cases_visible(user).filter(status__in=OPEN)
    if center_id:
        qs = qs.filter(center_id=center_id)
    if department_id:
        qs = qs.filter(department_id=department_id)
    return qs


# Open cases whose watched date is missing (a stage with no deadline, or none stored).
UNDATED = (
    Q(status__in=(*APPROVAL_STAGE, *HANDOVER_STAGE), handover_due__isnull=True)
    & Q(promised_due__isnull=True)
) | Q(status=Status.OUTPUT_RECEIVED, pickup_notice_due__isnull=True)
PAUSED = Q(status__in=[s for s in OPEN if s not in MONITORED]) | UNDATED


def dashboard_counts(user: Any, today: dt.date, **filters: Any) -> list[dict[str, Any]]:
    """Per department: open cases and how many are green, yellow, red or paused.

    Computed without giving every open case a level: the totals per department and status
    come from the (department, status, center) index alone; yellow and red only from the
    cases due by the end of the yellow window (found through the status + date indexes);
    paused from the stages without a deadline; green is what remains."""
    base = _open(user, **filters).order_by()
    rows: dict[int, dict[str, Any]] = {}

    def row(department_id: int) -> dict[str, Any]:
        return rows.setdefault(
            department_id, {"total": 0, "green": 0, "yellow": 0, "red": 0, "paused": 0}
        )

    for r in base.values("department_id", "status").annotate(n=Count("*")):
        row(r["department_id"])["total"] += r["n"]
        if r["status"] not in MONITORED:
            row(r["department_id"])["paused"] += r["n"]
    undated = base.filter(UNDATED).values("department_id").annotate(n=Count("*"))
    for r in undated:
        row(r["department_id"])["paused"] += r["n"]
    lit = with_levels(base.filter(due_by(yellow_until(today))), today)
    for r in lit.values("department_id", "level").annotate(n=Count("*")):
        row(r["department_id"])[r["level"]] += r["n"]
    names = {
        d["id"]: d
        for d in Department.objects.filter(pk__in=rows).values("id", "name", "center__name")
    }
    out = []
    for department_id, counts in rows.items():
        counts["green"] = counts["total"] - counts["yellow"] - counts["red"] - counts["paused"]
        out.append(
            {
                "department_id": department_id,
                "department__name": names[department_id]["name"],
                "center__name": names[department_id]["center__name"],
                **counts,
            }
        )
    return sorted(out, key=lambda r: (r["center__name"], r["department__name"]))


def dashboard_list(user: Any, today: dt.date, *, level: str = "", limit: int = 200, **filters):
    """The yellow, red and paused cases, nearest due first — read from the cases due by
    the end of the yellow window and the paused ones, not from every open case."""
    base = _open(user, **filters)
    if level == "paused":
        wanted = PAUSED
    elif level in ("yellow", "red"):
        wanted = due_by(yellow_until(today))
    else:
        wanted = due_by(yellow_until(today)) | PAUSED
    qs = with_levels(base.filter(wanted), today).exclude(level="green")
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("due", "id")[:limit]


def on_time_rates(user: Any, month: dt.date) -> list[dict[str, Any]]:
    """Per department and item: results decided in the month, and how many by the promised
    due date (6.1.3 限时办结)."""
    start = month.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    cases = cases_visible(user)
    rows = (
        CaseResult.objects.filter(case__in=cases, decided_on__gte=start, decided_on__lt=end)
        .values("case__department__name", "case__item__name")
        .annotate(
            finished=Count("id"),
            on_time=Count("id", filter=Q(decided_on__lte=F("case__promised_due"))),
        )
        .order_by("case__department__name", "case__item__name")
    )
    out = []
    for r in rows:
        rate = round(100 * r["on_time"] / r["finished"], 1) if r["finished"] else 0.0
        out.append(
            {
                "department": r["case__department__name"],
                "item": r["case__item__name"],
                "finished": r["finished"],
                "on_time": r["on_time"],
                "rate": rate,
            }
        )
    return out


def approval_queue(user: Any) -> QuerySet[Case]:
    """The department console: accepted cases by promised due."""
    statuses = (*APPROVAL_STAGE, Status.SUSPENDED, Status.APPROVED)
    return cases_visible(user).filter(status__in=statuses).order_by("promised_due", "id")


def output_queue(user: Any) -> QuerySet[Case]:
    statuses = (Status.RESULT_HANDED, Status.OUTPUT_RECEIVED, Status.PICKUP_NOTIFIED, Status.MAILED)
    return cases_visible(user).filter(status__in=statuses).order_by("status_changed_at", "id")


def output_find(user: Any, query: str) -> Case | None:
    """The output console's look-up: case number (typed or from the receipt QR, which links
    to /progress/?case_no=…) or the applicant's ID number."""
    text = (query or "").strip()
    if "case_no=" in text:
        text = text.split("case_no=", 1)[1].split("&", 1)[0]
    qs = cases_visible(user)
    return (
        qs.filter(Q(number=text.upper()) | Q(id_number=text.upper()))
        .order_by("-received_at")
        .first()
    )


def batches_visible(user: Any) -> QuerySet[HandoverBatch]:
    return scope_for(user).filter(
        HandoverBatch.objects.select_related("department", "center", "document"),
        center_field="center",
        department_field="department",
    )


def batch_for(user: Any, batch_id: int) -> HandoverBatch:
    batch = batches_visible(user).filter(pk=batch_id).first()
    if batch is None:
        raise NotFound("未找到该交接批次。")
    return batch


def published_results(center_id: int, limit: int = 100) -> list[dict[str, Any]]:
    """6.2.1 办理结果公开: completed cases, applicant masked, items not opted out."""
    hidden = ItemCasePolicy.objects.filter(publish_results=False).values("item_id")
    results = (
        CaseResult.objects.filter(case__center_id=center_id)
        .filter(case__status__in=(Status.CLOSED, Status.MAILED, Status.DENIED))
        .exclude(case__item_id__in=hidden)
        .select_related("case", "case__item", "case__department")
        .order_by("-decided_on", "-id")[:limit]
    )
    out = []
    for r in results:
        case = r.case
        applicant = case.applicant_name if case.applicant_kind == "organization" else None
        out.append(
            {
                "case_no": case.number,
                "item": case.item.name,
                "department": case.department.name,
                "applicant": applicant or mask_name(case.applicant_name),
                "result": r.get_outcome_display()
                + (f"（{r.get_result_type_display()}）" if r.outcome == "approved" else ""),
                "decided_on": r.decided_on,
            }
        )
    return out


def departments_visible(user: Any) -> QuerySet[Department]:
    return scope_for(user).filter(
        Department.objects.filter(is_active=True).select_related("center").order_by("code"),
        center_field="center",
        department_field="id",
    )


def fee_order_for_payer(out_trade_no: str):
    """The order behind a payment link (the fake gateway's pay page), with what the payer
    sees: the case, its item and the gateway's record of a payment; 404 when unknown."""
    order = (
        FeeOrder.objects.select_related("case__item", "case__center")
        .filter(out_trade_no=out_trade_no)
        .first()
    )
    if order is None:
        raise NotFound("未找到该缴费订单。")
    return order, FakeGatewayNotice.objects.filter(out_trade_no=out_trade_no).first()
