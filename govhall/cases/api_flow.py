"""Cases II API (API.md "Cases"): approval, suspension, extension, result handover, pickup,
mail, handover batches, fees and payment notifications, monitoring and results publicity.
Thin: schema in/out, scope through selectors (other department or center → 404), the
services (bad input → 422 naming the field, wrong state → 409 with nothing written)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema

from govhall.cases import selectors
from govhall.cases.models import Case
from govhall.cases.services import approval, output
from govhall.core.errors import InvalidInput
from govhall.documents.services import document_link

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


from govhall.cases.api_desk import router as desk_router  # noqa: E402

router.add_router("", desk_router)
