"""Cases API (API.md "Cases"). Thin: schema in/out, scope through selectors, the services.
The applicant's public progress look-up is in api_public.py."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from govhall.cases import selectors, services
from govhall.cases.api_flow import router as flow_router
from govhall.cases.api_public import router as public_router
from govhall.cases.models import Case
from govhall.core.errors import InvalidInput, NotFound
from govhall.core.masking import mask_id_number, mask_phone
from govhall.documents.services import document_link
from govhall.org.models import Center
from govhall.org.selectors import scope_for

router = Router(tags=["办件"])
router.add_router("/", public_router)
# Cases II: approval, output, batches, fees, monitoring, results.
router.add_router("", flow_router)

INTAKE_ROLES = {"clerk", "proxy", "manager", "admin", "device"}


class ApplicantSchema(Schema):
    kind: Literal["person", "organization"]
    name: str
    id_type: str = "resident_id"
    id_number: str
    phone: str
    address: str = ""
    legal_representative: str = ""


class AgentSchema(Schema):
    name: str
    id_type: str = "resident_id"
    id_number: str
    authorization: str


class FileSchema(Schema):
    name: str
    content_base64: str


class MaterialSchema(Schema):
    material_id: int
    provided: bool = True
    form: Literal["paper", "electronic", "licence"] = "electronic"
    original_checked: bool = False
    copies: int = 1
    defects: str = ""
    licence_ref: str = ""
    file: FileSchema | None = None


class MailSchema(Schema):
    carrier: str
    tracking_no: str
    signed_in_at: dt.datetime
    contents: str = ""


class CaseIn(Schema):
    center: str
    item_code: str
    channel: Literal["window", "online", "mail", "proxy"]
    applicant: ApplicantSchema
    agent: AgentSchema | None = None
    materials: list[MaterialSchema]
    delivery: Literal["pickup", "mail"] = "pickup"
    delivery_address: str = ""
    mail: MailSchema | None = None


class MissingOut(Schema):
    material_id: int
    name: str
    reason: str


class CaseCreated(Schema):
    case_no: str | None
    status: str
    missing: list[MissingOut]
    receipt_url: str | None
    notice_url: str | None
    acceptance_due: dt.date | None


class EventOut(Schema):
    at: dt.datetime
    action: str
    from_status: str
    to_status: str
    reason: str
    actor: str | None


class DocumentOut(Schema):
    kind: str
    title: str
    number: str
    date: dt.datetime
    url: str


class CaseOut(Schema):
    case_no: str
    status: str
    status_label: str
    center: str
    item_code: str
    item_name: str
    department: str
    channel: str
    applicant_name: str
    id_number: str
    phone: str
    received_at: dt.datetime
    acceptance_due: dt.date
    acceptance_due_provisional: bool
    correction_due: dt.date | None
    promised_due: dt.date | None
    promised_due_provisional: bool
    handover_due: dt.date | None
    accepted_on: dt.date | None
    deemed: bool
    correction_items: list[dict[str, Any]]
    events: list[EventOut]
    documents: list[DocumentOut]


def _actor(request: HttpRequest) -> Any:
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "pk", None) else None


def _center(value: str) -> Center:
    center = Center.objects.filter(is_active=True, code=(value or "").strip()).first()
    if center is None:
        raise InvalidInput("未找到该中心。", field="center")
    return center


def _file(index: int, value: FileSchema | None) -> tuple[str, bytes | None]:
    if value is None:
        return "", None
    try:
        return value.name, base64.b64decode(value.content_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("文件内容不是有效的 Base64。", field=f"materials.{index}.file") from exc


def _materials(items: list[MaterialSchema]) -> list[services.MaterialIn]:
    lines = []
    for n, m in enumerate(items):
        name, data = _file(n, m.file)
        lines.append(
            services.MaterialIn(
                material_id=m.material_id,
                provided=m.provided,
                form=m.form,
                original_checked=m.original_checked,
                copies=m.copies,
                defects=m.defects,
                licence_ref=m.licence_ref,
                file_name=name,
                file_data=data,
            )
        )
    return lines


def case_out(case: Case, now: dt.datetime) -> dict[str, Any]:
    return {
        "case_no": case.number,
        "status": case.status,
        "status_label": case.get_status_display(),
        "center": case.center.code,
        "item_code": case.item.code,
        "item_name": case.item.name,
        "department": case.department.name,
        "channel": case.channel,
        "applicant_name": case.masked_name,
        "id_number": mask_id_number(case.id_number),
        "phone": mask_phone(case.phone),
        "received_at": timezone.localtime(case.received_at),
        "acceptance_due": case.acceptance_due,
        "acceptance_due_provisional": case.acceptance_due_provisional,
        "correction_due": case.correction_due,
        "promised_due": case.promised_due,
        "promised_due_provisional": case.promised_due_provisional,
        "handover_due": case.handover_due,
        "accepted_on": case.accepted_on,
        "deemed": case.deemed,
        "correction_items": case.correction_items,
        "events": [
            {
                "at": timezone.localtime(e.at),
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "reason": e.reason,
                "actor": str(e.actor) if e.actor_id else None,
            }
            for e in selectors.case_events(case)
        ],
        "documents": selectors.public_progress(case, now)["documents"],
    }


@router.post(
    "/cases",
    response={201: CaseCreated},
    summary="收件：窗口、网上、邮寄申请（材料不全返回 incomplete 和一次性告知单）",
)
def case_create(request: HttpRequest, payload: CaseIn) -> Status:
    center = _center(payload.center)
    actor = _actor(request)
    if not scope_for(actor).has_any_role(INTAKE_ROLES, center.pk):
        raise NotFound("未找到该中心。", field="center")
    item = selectors.item_for_intake(center, payload.item_code)
    if item is None:
        raise InvalidInput("未找到该事项或该事项未在本中心发布。", field="item_code")
    applicant = services.ApplicantIn(**payload.applicant.dict())
    agent = services.AgentIn(**payload.agent.dict()) if payload.agent else None
    mail = services.MailIn(**payload.mail.dict()) if payload.mail else None
    now = timezone.now()
    result = services.case_intake(
        center=center,
        item=item,
        channel=payload.channel,
        applicant=applicant,
        agent=agent,
        materials=_materials(payload.materials),
        delivery=payload.delivery,
        delivery_address=payload.delivery_address,
        mail=mail,
        actor=actor,
        now=now,
    )
    link = document_link(result.document, now=now)
    if result.case is None:
        body = {
            "case_no": None,
            "status": "incomplete",
            "missing": result.missing,
            "receipt_url": None,
            "notice_url": link,
            "acceptance_due": None,
        }
    else:
        body = {
            "case_no": result.case.number,
            "status": result.case.status,
            "missing": [],
            "receipt_url": link,
            "notice_url": None,
            "acceptance_due": result.case.acceptance_due,
        }
    return Status(201, body)


@router.get("/cases/{case_no}", response=CaseOut, summary="办件详情：状态、时限、记录、文书")
def case_get(request: HttpRequest, case_no: str) -> dict[str, Any]:
    case = selectors.case_for(_actor(request), case_no)
    return case_out(case, timezone.now())


class DecisionMissing(Schema):
    material_id: int
    reason: str = ""


class DecisionIn(Schema):
    decision: Literal["accept", "reject", "correct"]
    reason: str = ""
    basis: str = ""
    missing: list[DecisionMissing | int] = []


class DecisionOut(Schema):
    case_no: str
    status: str
    document_number: str
    document_url: str


@router.post(
    "/cases/{case_no}/decision",
    response=DecisionOut,
    summary="部门受理审查：受理 / 不予受理 / 补正（出具通知书并短信告知）",
)
def case_decision(request: HttpRequest, case_no: str, payload: DecisionIn) -> dict[str, Any]:
    actor = _actor(request)
    case = selectors.case_for(actor, case_no)
    items = [
        {"material_id": m, "reason": ""} if isinstance(m, int) else m.dict()
        for m in payload.missing
    ]
    now = timezone.now()
    case, document = services.case_decide(
        case=case,
        decision=payload.decision,
        reason=payload.reason,
        basis=payload.basis,
        items=items,
        actor=actor,
        now=now,
    )
    return {
        "case_no": case.number,
        "status": case.status,
        "document_number": document.number,
        "document_url": document_link(document, now=now),
    }


class CorrectionsIn(Schema):
    materials: list[MaterialSchema]


@router.post(
    "/cases/{case_no}/corrections",
    response=DecisionOut,
    summary="接收补正材料（出具补正材料收件凭证，受理审查期限重新计算）",
)
def case_corrections(request: HttpRequest, case_no: str, payload: CorrectionsIn) -> dict[str, Any]:
    actor = _actor(request)
    case = selectors.case_for(actor, case_no)
    now = timezone.now()
    case, document = services.case_corrections_supply(
        case=case, materials=_materials(payload.materials), actor=actor, now=now
    )
    return {
        "case_no": case.number,
        "status": case.status,
        "document_number": document.number,
        "document_url": document_link(document, now=now),
    }
