"""Cases II API (API.md "Cases"): approval, suspension, extension, result handover, pickup,
mail, handover batches, fees and payment notifications, monitoring and results publicity.
Thin: schema in/out, scope through selectors (other department or center → 404), the
services (bad input → 422 naming the field, wrong state → 409 with nothing written)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema

from govhall.cases import selectors, selectors_flow
from govhall.cases.models import Case
from govhall.cases.models_flow import FeeOrder, HandoverBatch
from govhall.cases.services import approval, fees, handover, output
from govhall.core.errors import InvalidInput, NotFound
from govhall.documents.services import document_link
from govhall.org.models import Center, Department

router = Router(tags=["办件"])


def _actor(request: HttpRequest) -> Any:
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "pk", None) else None


def _case(request: HttpRequest, case_no: str) -> Case:
    return selectors.case_for(_actor(request), case_no)


def _b64(value: str, field: str) -> bytes:
    try:
        return base64.b64decode(value or "", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("内容不是有效的 Base64。", field=field) from exc


class StateOut(Schema):
    case_no: str
    status: str
    status_label: str
    promised_due: dt.date | None
    handover_due: dt.date | None
    pickup_notice_due: dt.date | None
    document_url: str | None = None


def _state(case: Case, document=None) -> dict[str, Any]:
    return {
        "case_no": case.number,
        "status": case.status,
        "status_label": case.get_status_display(),
        "promised_due": case.promised_due,
        "handover_due": case.handover_due,
        "pickup_notice_due": case.pickup_notice_due,
        "document_url": document_link(document) if document is not None else None,
    }


@router.post("/cases/{case_no}/approval-start", response=StateOut, summary="签收电子材料，开始审批")
def approval_start(request: HttpRequest, case_no: str) -> dict[str, Any]:
    case = approval.case_approval_start(case=_case(request, case_no), actor=_actor(request))
    return _state(case)


class SuspensionIn(Schema):
    kind: Literal[
        "hearing",
        "tender",
        "auction",
        "inspection",
        "testing",
        "quarantine",
        "appraisal",
        "expert_review",
    ]
    expected_days: int
    reason: str = ""


@router.post("/cases/{case_no}/suspension", response=StateOut, summary="特别程序：中止计时")
def suspension(request: HttpRequest, case_no: str, payload: SuspensionIn) -> dict[str, Any]:
    case, s = approval.case_suspend(
        case=_case(request, case_no), actor=_actor(request), **payload.dict()
    )
    return _state(case, s.notice)


@router.post("/cases/{case_no}/suspension/end", response=StateOut, summary="特别程序结束，恢复计时")
def suspension_end(request: HttpRequest, case_no: str) -> dict[str, Any]:
    return _state(approval.case_resume(case=_case(request, case_no), actor=_actor(request)))


class ExtensionIn(Schema):
    days: int
    reason: str
    head_name: str
    head_approved_at: dt.datetime | None = None


@router.post("/cases/{case_no}/extension", response=StateOut, summary="延期审批（负责人批准）")
def extension(request: HttpRequest, case_no: str, payload: ExtensionIn) -> dict[str, Any]:
    case, ext = approval.case_extend(
        case=_case(request, case_no), actor=_actor(request), **payload.dict()
    )
    return _state(case, ext.notice)


class FileIn(Schema):
    name: str
    content_base64: str


class ApprovalIn(Schema):
    result: Literal["approved", "denied"]
    result_type: Literal["licence", "certificate", "approval_document", "other"] = "licence"
    result_no: str = ""
    review_steps: list[str] = []
    reason: str = ""
    basis: str = ""
    file: FileIn | None = None


@router.post("/cases/{case_no}/approval", response=StateOut, summary="审批决定：准予 / 不予许可")
def approval_decide(request: HttpRequest, case_no: str, payload: ApprovalIn) -> dict[str, Any]:
    data = _b64(payload.file.content_base64, "file") if payload.file else None
    case, result = approval.case_approval_decide(
        case=_case(request, case_no),
        outcome=payload.result,
        result_type=payload.result_type,
        result_no=payload.result_no,
        review_steps=payload.review_steps,
        reason=payload.reason,
        basis=payload.basis,
        file_name=payload.file.name if payload.file else "",
        file_data=data,
        actor=_actor(request),
    )
    return _state(case, result.decision)


@router.post(
    "/cases/{case_no}/result-handover", response=StateOut, summary="移交办理结果和交接凭证"
)
def result_handover(request: HttpRequest, case_no: str) -> dict[str, Any]:
    case = output.case_result_handover(case=_case(request, case_no), actor=_actor(request))
    return _state(case, case.result.voucher)


class ReceiveIn(Schema):
    ok: bool
    problem: str = ""


@router.post(
    "/cases/{case_no}/result-handover/receive", response=StateOut, summary="出件窗口签收或拒收结果"
)
def result_receive(request: HttpRequest, case_no: str, payload: ReceiveIn) -> dict[str, Any]:
    case = output.case_result_receive(
        case=_case(request, case_no), ok=payload.ok, problem=payload.problem, actor=_actor(request)
    )
    return _state(case)


@router.post("/cases/{case_no}/pickup-notice", response=StateOut, summary="发送领取通知")
def pickup_notice(request: HttpRequest, case_no: str) -> dict[str, Any]:
    case = output.case_pickup_notify(case=_case(request, case_no), actor=_actor(request))
    return _state(case)


class PickupIn(Schema):
    signature_png_base64: str
    id_checked: bool
    agent: bool = False
    signer_name: str = ""
    signer_id_number: str = ""
    authorization: str = ""


class PickupOut(StateOut):
    signature_sha256: str


@router.post(
    "/cases/{case_no}/pickup",
    response=PickupOut,
    summary="窗口领取：核验身份、签名、出具领取签收单",
)
def pickup(request: HttpRequest, case_no: str, payload: PickupIn) -> dict[str, Any]:
    png = _b64(payload.signature_png_base64, "signature_png_base64")
    case, release = output.case_pickup(
        case=_case(request, case_no),
        signature_png=png,
        id_checked=payload.id_checked,
        agent=payload.agent,
        signer_name=payload.signer_name,
        signer_id_number=payload.signer_id_number,
        authorization=payload.authorization,
        actor=_actor(request),
    )
    return _state(case, release.receipt) | {"signature_sha256": release.signature_sha256}


class MailIn(Schema):
    carrier: str
    tracking_no: str
    address: str = ""


@router.post("/cases/{case_no}/mail", response=StateOut, summary="邮寄送达登记（短信告知运单号）")
def mail(request: HttpRequest, case_no: str, payload: MailIn) -> dict[str, Any]:
    case, release = output.case_mail(
        case=_case(request, case_no), actor=_actor(request), **payload.dict()
    )
    return _state(case, release.receipt)


class DeliveredIn(Schema):
    delivered_on: dt.date


@router.post("/cases/{case_no}/mail/delivered", response=StateOut, summary="确认妥投，办结")
def mail_delivered(request: HttpRequest, case_no: str, payload: DeliveredIn) -> dict[str, Any]:
    case = output.case_mail_delivered(
        case=_case(request, case_no), delivered_on=payload.delivered_on, actor=_actor(request)
    )
    return _state(case)


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
    params = {k: v for k, v in request.POST.items()}
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
