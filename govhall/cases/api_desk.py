"""Cases II API, desk side: paper handover batches, fees and the payment provider's
notification, time-limit monitoring and the public results list (API.md "Cases").
Mounted under the cases router by api_flow."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from ninja import Query, Router, Schema

from govhall.cases import selectors, selectors_flow
from govhall.cases.models import Case, FeeOrder, HandoverBatch
from govhall.cases.services import fees, handover
from govhall.core.errors import DomainError, InvalidInput, NotFound
from govhall.documents.services import document_link
from govhall.org.models import Center, Department

router = Router(tags=["办件"])


def _actor(request: HttpRequest) -> Any:
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "pk", None) else None


def _case(request: HttpRequest, case_no: str) -> Case:
    return selectors.case_for(_actor(request), case_no)


# --- Handover batches ----------------------------------------------------------------------


class BatchQuery(Schema):
    center: str = ""
    department: str = ""
    date: dt.date | None = None


class BatchLineOut(Schema):
    case_no: str
    item: str
    materials: list[dict[str, Any]]
    discrepancy: str


class BatchOut(Schema):
    id: int
    department: str
    date: dt.date
    slot: str
    status: str
    document_url: str | None
    lines: list[BatchLineOut]


def _batch_out(batch: HandoverBatch) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "department": batch.department.code,
        "date": batch.day,
        "slot": batch.slot,
        "status": batch.status,
        "document_url": document_link(batch.document) if batch.document_id else None,
        "lines": [
            {
                "case_no": line.case.number,
                "item": line.case.item.name,
                "materials": line.materials,
                "discrepancy": line.discrepancy,
            }
            for line in batch.lines.select_related("case", "case__item").order_by("id")
        ],
    }


@router.get("/handover-batches", response=list[BatchOut], summary="纸质材料交接批次")
def batches(request: HttpRequest, q: Query[BatchQuery]) -> list[dict[str, Any]]:
    qs = selectors_flow.batches_visible(_actor(request))
    if q.center:
        qs = qs.filter(center__code=q.center)
    if q.department:
        qs = qs.filter(department__code=q.department)
    if q.date:
        qs = qs.filter(day=q.date)
    return [_batch_out(b) for b in qs[:100]]


class BatchIn(Schema):
    center: str
    department: str
    slot: Literal["morning", "afternoon"]


@router.post("/handover-batches", response={201: BatchOut}, summary="生成交接批次（材料交接单）")
def batch_create(request: HttpRequest, payload: BatchIn) -> tuple[int, dict[str, Any]]:
    department = Department.objects.filter(
        center__code=payload.center, code=payload.department
    ).first()
    if department is None:
        raise NotFound("未找到该部门。", field="department")
    batch = handover.handover_batch_create(
        department=department, slot=payload.slot, actor=_actor(request)
    )
    if batch is None:
        raise InvalidInput("该部门没有待交接的纸质材料（或本批次已生成）。", field="department")
    return 201, _batch_out(batch)


class Discrepancy(Schema):
    case_no: str
    problem: str


class SignIn(Schema):
    discrepancies: list[Discrepancy] = []


@router.post("/handover-batches/{batch_id}/sign", response=BatchOut, summary="部门签收材料交接单")
def batch_sign(request: HttpRequest, batch_id: int, payload: SignIn) -> dict[str, Any]:
    actor = _actor(request)
    batch = selectors_flow.batch_for(actor, batch_id)
    ids = dict(batch.lines.values_list("case__number", "case_id"))
    found: dict[int, str] = {}
    for n, d in enumerate(payload.discrepancies):
        if d.case_no not in ids:
            raise InvalidInput("该办件不在本批次中。", field=f"discrepancies.{n}.case_no")
        found[ids[d.case_no]] = d.problem
    return _batch_out(handover.handover_batch_sign(batch=batch, discrepancies=found, actor=actor))


# --- Fees ----------------------------------------------------------------------------------


class FeeOut(Schema):
    case_no: str
    amount: str
    basis: str
    status: str
    out_trade_no: str
    pay_url: str | None


def _fee(request: HttpRequest, case_no: str) -> FeeOrder:
    case = _case(request, case_no)
    order = FeeOrder.objects.filter(case=case).select_related("case").first()
    if order is None:
        raise NotFound("该办件没有缴费订单。")
    return order


def _fee_out(order: FeeOrder) -> dict[str, Any]:
    pay_url = fees.provider_get("fake").pay_url(order) if order.status == "unpaid" else None
    return {
        "case_no": order.case.number,
        "amount": f"{order.amount:.2f}",
        "basis": order.basis,
        "status": order.status,
        "out_trade_no": order.out_trade_no,
        "pay_url": pay_url,
    }


@router.get("/cases/{case_no}/fee", response=FeeOut, summary="缴费订单")
def fee_get(request: HttpRequest, case_no: str) -> dict[str, Any]:
    return _fee_out(_fee(request, case_no))


class CashIn(Schema):
    receipt_no: str


@router.post("/cases/{case_no}/fee/cash", response=FeeOut, summary="现金缴费（票据号）")
def fee_cash(request: HttpRequest, case_no: str, payload: CashIn) -> dict[str, Any]:
    order = fees.fee_pay_cash(
        order=_fee(request, case_no), receipt_no=payload.receipt_no, actor=_actor(request)
    )
    return _fee_out(order)


class ReasonIn(Schema):
    reason: str


@router.post("/cases/{case_no}/fee/refund", response=FeeOut, summary="退费（原因）")
def fee_refund(request: HttpRequest, case_no: str, payload: ReasonIn) -> dict[str, Any]:
    refund = fees.fee_refund(
        order=_fee(request, case_no), reason=payload.reason, actor=_actor(request)
    )
    return _fee_out(refund.order)


@router.post("/cases/{case_no}/fee/waive", response=FeeOut, summary="依法免收")
def fee_waive(request: HttpRequest, case_no: str, payload: ReasonIn) -> dict[str, Any]:
    order = fees.fee_waive(
        order=_fee(request, case_no), reason=payload.reason, actor=_actor(request)
    )
    return _fee_out(order)


@router.post(
    "/payments/{provider}/notify", auth=None, summary="支付渠道异步通知（验签，重复通知只记一次）"
)
def payment_notify(request: HttpRequest, provider: str) -> HttpResponse:
    """The provider posts form fields; a body that is no form (e.g. multipart without a
    boundary) is a bad request, not a server error."""
    try:
        params = {k: v for k, v in request.POST.items()}
    except MultiPartParserError as exc:
        raise DomainError(
            "通知内容不是有效的表单（Content-Type 或 boundary 有误）。",
            code="malformed_body",
            field="body",
        ) from exc
    answer = fees.fee_notify(provider=provider, params=params)
    return HttpResponse(answer, content_type="text/plain")


# --- Monitoring and results -----------------------------------------------------------------


class MonitorQuery(Schema):
    center: str = ""
    department: str = ""
    level: Literal["", "yellow", "red", "paused"] = ""


class MonitorCase(Schema):
    case_no: str
    item: str
    department: str
    status_label: str
    deadline: str
    due: dt.date | None
    level: str


class MonitorOut(Schema):
    today: dt.date
    counts: list[dict[str, Any]]
    cases: list[MonitorCase]


@router.get("/monitoring", response=MonitorOut, summary="时限监控：红黄绿灯统计与清单")
def monitoring(request: HttpRequest, q: Query[MonitorQuery]) -> dict[str, Any]:
    actor = _actor(request)
    today = timezone.localdate()
    filters: dict[str, Any] = {}
    if q.center:
        center = Center.objects.filter(code=q.center).first()
        if center is None:
            raise InvalidInput("未找到该中心。", field="center")
        filters["center_id"] = center.pk
    if q.department:
        department = Department.objects.filter(code=q.department).first()
        if department is None:
            raise InvalidInput("未找到该部门。", field="department")
        filters["department_id"] = department.pk
    rows = selectors_flow.dashboard_list(actor, today, level=q.level, **filters)
    return {
        "today": today,
        "counts": selectors_flow.dashboard_counts(actor, today, **filters),
        "cases": [
            {
                "case_no": c.number,
                "item": c.item.name,
                "department": c.department.name,
                "status_label": c.get_status_display(),
                "deadline": c.due_kind,
                "due": c.due,
                "level": c.level,
            }
            for c in rows
        ],
    }


class RateQuery(Schema):
    month: str


@router.get("/monitoring/on-time", response=list[dict[str, Any]], summary="按月按时办结率")
def on_time(request: HttpRequest, q: Query[RateQuery]) -> list[dict[str, Any]]:
    try:
        month = dt.date.fromisoformat(f"{q.month}-01")
    except ValueError as exc:
        raise InvalidInput("月份格式应为 YYYY-MM。", field="month") from exc
    return selectors_flow.on_time_rates(_actor(request), month)


class ResultsQuery(Schema):
    center: str


class ResultOut(Schema):
    case_no: str
    item: str
    department: str
    applicant: str
    result: str
    decided_on: dt.date


@router.get("/results", response=list[ResultOut], auth=None, summary="办理结果公示（申请人脱敏）")
def results(request: HttpRequest, q: Query[ResultsQuery]) -> list[dict[str, Any]]:
    center = Center.objects.filter(code=(q.center or "").strip(), is_active=True).first()
    if center is None:
        raise InvalidInput("未找到该中心。", field="center")
    return selectors_flow.published_results(center.pk)
