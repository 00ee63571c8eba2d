"""Reads of cases for pages, the API and other apps. Scope is applied here, in one place:
approvers see their department's cases, clerks their center's; anything else is 404."""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Any

from django.db.models import QuerySet

from govhall.cases.models import Case, CaseEvent, FeeOrder, Status
from govhall.catalog.models import ServiceItem
from govhall.core.errors import NotFound
from govhall.documents.models import Document
from govhall.documents.selectors import documents_for
from govhall.documents.services import document_link
from govhall.org.models import Center
from govhall.org.selectors import scope_for

NOT_FOUND = "未找到该办件。"
PUBLIC_NOT_FOUND = "未找到该办件，请核对办件编号和手机号后四位。"


def cases_visible(user: Any) -> QuerySet[Case]:
    return scope_for(user).filter(
        Case.objects.select_related("item", "department", "center", "window", "clerk"),
        center_field="center",
        department_field="department",
    )


def case_for(user: Any, case_no: str) -> Case:
    """The case by number if the user may see it; otherwise 404 (no hint it exists)."""
    case = cases_visible(user).filter(number=(case_no or "").strip()).first()
    if case is None:
        raise NotFound(NOT_FOUND)
    return case


def review_queue(user: Any) -> QuerySet[Case]:
    """Cases awaiting the department's acceptance review, nearest due first."""
    return cases_visible(user).filter(status=Status.RECEIVED).order_by("acceptance_due", "id")


def corrections_overdue(user: Any, today: dt.date) -> QuerySet[Case]:
    """Cases whose correction period passed without corrections (to be returned, 退件)."""
    return (
        cases_visible(user)
        .filter(status=Status.CORRECTION_REQUESTED, correction_due__lt=today)
        .order_by("correction_due", "id")
    )


def awaiting_corrections(user: Any) -> QuerySet[Case]:
    return (
        cases_visible(user)
        .filter(status=Status.CORRECTION_REQUESTED)
        .order_by("correction_due", "id")
    )


def case_events(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("at", "id")


def case_documents(case: Case) -> QuerySet[Document]:
    return documents_for(case).order_by("created_at", "id")


def case_materials(case: Case):
    return case.materials.select_related("file").order_by("submission", "id")


def intake_items(center: Center) -> QuerySet[ServiceItem]:
    return (
        ServiceItem.objects.filter(center=center, is_active=True, published__isnull=False)
        .select_related("department", "published")
        .order_by("department__code", "code")
    )


def item_for_intake(center: Center, code: str) -> ServiceItem | None:
    return intake_items(center).filter(code=(code or "").strip()).first()


def public_case(case_no: str, phone_last4: str) -> Case:
    """The applicant's view: a wrong phone tail answers exactly like an unknown number."""
    case = (
        Case.objects.select_related("item", "department", "center")
        .filter(number=(case_no or "").strip().upper())
        .first()
    )
    tail = (phone_last4 or "").strip()
    expected = case.phone[-4:] if case is not None else "0000"
    if case is None or len(tail) != 4 or not hmac.compare_digest(tail, expected):
        raise NotFound(PUBLIC_NOT_FOUND)
    return case


STAGES = {
    Status.RECEIVED: "已收件，等待部门受理审查",
    Status.CORRECTION_REQUESTED: "需补正材料",
    Status.ACCEPTED: "已受理",
    Status.DEEMED_ACCEPTED: "已受理",
    Status.REJECTED: "不予受理",
    Status.WITHDRAWN: "已撤回",
    Status.RETURNED: "已退件",
    Status.APPROVED: "已审批，待移交出件窗口",
    Status.APPROVING: "审批中",
    Status.EXTENDED: "审批中（已依法延期）",
    Status.SUSPENDED: "特别程序中（不计入办理时限）",
    Status.DENIED: "不予许可",
    Status.RESULT_HANDED: "办理结果已移交出件窗口",
    Status.OUTPUT_RECEIVED: "办理结果已到出件窗口",
    Status.PICKUP_NOTIFIED: "请到出件窗口领取",
    Status.MAILED: "已邮寄",
    Status.CLOSED: "已办结",
}


def public_progress(case: Case, now: dt.datetime) -> dict[str, Any]:
    return {
        "case_no": case.number,
        "item_name": case.item.name,
        "department": case.department.name,
        "center": case.center.name,
        "applicant": case.masked_name,
        "status": case.status,
        "stage": STAGES[case.status],
        "received_on": case.review_start if case.corrections_count == 0 else None,
        "received_at": case.received_at,
        "acceptance_due": case.acceptance_due if case.status == Status.RECEIVED else None,
        "correction_due": case.correction_due
        if case.status == Status.CORRECTION_REQUESTED
        else None,
        "accepted_on": case.accepted_on,
        "promised_due": case.promised_due,
        "documents": [
            {
                "kind": d.kind,
                "title": d.get_kind_display() if d.kind != "correction_notice" else "补正通知书",
                "number": d.number,
                "date": d.created_at,
                "url": document_link(d, now=now),
            }
            for d in case_documents(case)
        ],
    }


# --- reads for other apps (evaluations) ----------------------------------------------------

# A case is finished for the applicant — and open to evaluation (9.4 e: after a case is
# picked up) — once its result or decision has reached them: picked up or delivered
# (closed), sent by post (mailed), or refused (不予受理, 不予许可).
FINISHED = (Status.CLOSED, Status.MAILED, Status.DENIED, Status.REJECTED)


def case_get(case_id: int) -> Case | None:
    return (
        Case.objects.select_related("center", "item", "department", "window", "clerk")
        .filter(pk=case_id)
        .first()
    )


def case_is_finished(case: Case) -> bool:
    return case.status in FINISHED


def cases_finished_between(start: dt.datetime, end: dt.datetime) -> QuerySet[Case]:
    """Cases finished in a time range (evaluation invitations)."""
    return (
        Case.objects.select_related("item")
        .filter(status__in=FINISHED, status_changed_at__gte=start, status_changed_at__lt=end)
        .order_by("status_changed_at", "id")
    )


def case_fee(case: Case) -> FeeOrder | None:
    """The case's fee order, if its item charges one (shown to the applicant to pay)."""
    return FeeOrder.objects.filter(case=case).first()
