"""The 代办 lifecycle (API): create, get, list (the register), sign, take-in, chase and
notes, fee guidance, terminate, deliver, file. Thin: schema in, one service call, out."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from govhall.assistance import selectors, services
from govhall.assistance.api_common import actor, center_for, check_period, item_for, png
from govhall.assistance.api_proxy_out import ProxyList, ProxyOut, proxy_out, summary
from govhall.cases.services import MaterialIn
from govhall.catalog.selectors import department_by_code
from govhall.core.api import PageQuery, paginate

router = Router(tags=["帮办代办"])


class MaterialLineIn(Schema):
    name: str
    copies: int = 1
    original: bool = False


class ProxyIn(Schema):
    center: str
    item_code: str
    applicant_name: str
    id_type: str = "resident_id"
    id_number: str
    phone: str
    address: str = ""
    contact: str = ""
    materials: list[MaterialLineIn]
    delivery: Literal["hand", "mail"] = "hand"
    delivery_address: str = ""


@router.post("/assistance/proxies", response={201: ProxyOut}, summary="代办申请（6.6.2）")
def proxy_create(request: HttpRequest, payload: ProxyIn) -> Status:
    center = center_for(request, payload.center)
    p = services.proxy_apply(
        center=center,
        item=item_for(center, payload.item_code),
        applicant_name=payload.applicant_name,
        id_type=payload.id_type,
        id_number=payload.id_number,
        phone=payload.phone,
        address=payload.address,
        contact=payload.contact,
        materials=[services.MaterialLine(**m.dict()) for m in payload.materials],
        delivery=payload.delivery,
        delivery_address=payload.delivery_address,
        actor=actor(request),
    )
    return Status(201, proxy_out(p))


class RegisterQuery(PageQuery):
    status: (
        Literal["applied", "authorised", "taken_in", "chasing", "delivered", "closed", "terminated"]
        | None
    ) = None
    item_code: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""


@router.get("/assistance/proxies", response=ProxyList, summary="代办登记簿（本中心，可筛选）")
def proxy_list(request: HttpRequest, q: Query[RegisterQuery]) -> dict[str, Any]:
    check_period(q.date_from, q.date_to)
    qs = selectors.proxy_register(
        actor(request),
        status=q.status or "",
        item_code=q.item_code,
        date_from=q.date_from,
        date_to=q.date_to,
        q=q.q,
    )
    count, rows = paginate(qs, q.page, q.page_size)
    return {"count": count, "results": [summary(p) for p in rows]}


@router.get("/assistance/proxies/{number}", response=ProxyOut, summary="代办详情")
def proxy_get(request: HttpRequest, number: str) -> dict[str, Any]:
    return proxy_out(selectors.proxy_for(actor(request), number))


class SignIn(Schema):
    applicant_signature_png_base64: str
    proxy_signature_png_base64: str
    proxy_id_number: str


@router.post("/assistance/proxies/{number}/sign", response=ProxyOut, summary="签署代办委托书")
def proxy_sign(request: HttpRequest, number: str, payload: SignIn) -> dict[str, Any]:
    user = actor(request)
    p = services.proxy_sign(
        proxy_case=selectors.proxy_for(user, number),
        applicant_signature=png(
            payload.applicant_signature_png_base64, "applicant_signature_png_base64"
        ),
        proxy_signature=png(payload.proxy_signature_png_base64, "proxy_signature_png_base64"),
        proxy_id_number=payload.proxy_id_number,
        actor=user,
    )
    return proxy_out(p)


class TakeInMaterial(Schema):
    material_id: int
    provided: bool = True
    form: Literal["paper", "electronic", "licence"] = "paper"
    original_checked: bool = False
    copies: int = 1


class TakeInIn(Schema):
    materials: list[TakeInMaterial]


@router.post(
    "/assistance/proxies/{number}/take-in",
    response=ProxyOut,
    summary="代办收件（经办件收件流程，中心为代理人）；材料不全返回 missing",
)
def proxy_take_in(request: HttpRequest, number: str, payload: TakeInIn) -> dict[str, Any]:
    user = actor(request)
    result = services.proxy_take_in(
        proxy_case=selectors.proxy_for(user, number),
        materials=[MaterialIn(**m.dict()) for m in payload.materials],
        actor=user,
    )
    return proxy_out(result.proxy_case, result.missing)


class NoteIn(Schema):
    kind: Literal["note", "chase"] = "chase"
    content: str
    department_code: str = ""
    method: Literal["", "phone", "visit", "system"] = ""
    contact: str = ""
    answer: str = ""
    promised_on: dt.date | None = None


@router.post(
    "/assistance/proxies/{number}/chase",
    response={201: ProxyOut},
    summary="协调记录或督办部门（记录部门答复）",
)
def proxy_chase(request: HttpRequest, number: str, payload: NoteIn) -> Status:
    user = actor(request)
    p = selectors.proxy_for(user, number)
    department = department_by_code(
        payload.department_code.strip(), center=p.center, field="department_code"
    )
    services.proxy_note_add(
        proxy_case=p,
        kind=payload.kind,
        content=payload.content,
        department=department,
        method=payload.method,
        contact=payload.contact,
        answer=payload.answer,
        promised_on=payload.promised_on,
        actor=user,
    )
    return Status(201, proxy_out(selectors.proxy_for(user, number)))


@router.post(
    "/assistance/proxies/{number}/fee-guide",
    response=ProxyOut,
    summary="引导申请人自行缴费（代办人员不代缴）",
)
def proxy_fee_guide(request: HttpRequest, number: str) -> dict[str, Any]:
    user = actor(request)
    services.proxy_fee_guide(proxy_case=selectors.proxy_for(user, number), actor=user)
    return proxy_out(selectors.proxy_for(user, number))


class TerminateIn(Schema):
    kind: Literal["not_completable", "withdrawn"]
    reason: str
    returned: list[str]
    signature_png_base64: str


@router.post(
    "/assistance/proxies/{number}/terminate",
    response=ProxyOut,
    summary="终止代办：说明情况、退还材料（申请人签收）、办件依法撤回或不予受理/许可",
)
def proxy_terminate(request: HttpRequest, number: str, payload: TerminateIn) -> dict[str, Any]:
    user = actor(request)
    p = services.proxy_terminate(
        proxy_case=selectors.proxy_for(user, number),
        kind=payload.kind,
        reason=payload.reason,
        returned=payload.returned,
        signature_png=png(payload.signature_png_base64, "signature_png_base64"),
        actor=user,
    )
    return proxy_out(p)


class DeliverIn(Schema):
    method: Literal["hand", "mail"]
    signature_png_base64: str = ""
    id_checked: bool = False
    carrier: str = ""
    tracking_no: str = ""
    address: str = ""


@router.post(
    "/assistance/proxies/{number}/deliver",
    response=ProxyOut,
    summary="送达办理结果（当面签收或邮寄，经出件流程）并邀请评价",
)
def proxy_deliver(request: HttpRequest, number: str, payload: DeliverIn) -> dict[str, Any]:
    user = actor(request)
    p = services.proxy_deliver(
        proxy_case=selectors.proxy_for(user, number),
        method=payload.method,
        signature_png=png(payload.signature_png_base64, "signature_png_base64"),
        id_checked=payload.id_checked,
        carrier=payload.carrier,
        tracking_no=payload.tracking_no,
        address=payload.address,
        actor=user,
    )
    return proxy_out(p)


@router.post("/assistance/proxies/{number}/file", response=ProxyOut, summary="代办登记归档")
def proxy_file(request: HttpRequest, number: str) -> dict[str, Any]:
    user = actor(request)
    p = services.proxy_file(proxy_case=selectors.proxy_for(user, number), actor=user)
    return proxy_out(selectors.proxy_for(user, p.number))
