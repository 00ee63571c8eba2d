"""Appointments API (docs/api.md "Appointments"). Thin: schema in/out, call the service."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.utils import check_csrf

from govhall.appointments import selectors, services
from govhall.appointments.models import Appointment, Channel, Slot
from govhall.appointments.selectors import public_phone
from govhall.core import ratelimit
from govhall.core.api import BearerTokenAuth, paginate
from govhall.core.errors import Forbidden, InvalidInput, NotFound
from govhall.core.masking import mask_id_number, mask_name, mask_phone
from govhall.org import selectors as org_selectors
from govhall.org.models import Center
from govhall.org.selectors import scope_for

router = Router(tags=["预约服务"])


class _Public:
    """Public endpoint that still recognises a staff caller (Bearer token, or a session
    with a valid CSRF token), so one endpoint serves online and staff channels."""

    def __call__(self, request: HttpRequest) -> Any:
        user = BearerTokenAuth()(request)
        if user:
            return user
        if request.user.is_authenticated and check_csrf(request) is None:
            return request.user
        return "public"


OPTIONAL_STAFF = _Public()


def _actor(request: HttpRequest) -> Any:
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "pk", None) else None


def _center(value: str) -> Center:
    value = (value or "").strip()
    qs = org_selectors.centers_public()
    center = qs.filter(code=value).first()
    if center is None and value.isdigit():
        center = qs.filter(pk=int(value)).first()
    if center is None:
        raise InvalidInput("未找到该中心。", field="center")
    return center


class SlotOut(Schema):
    id: int
    date: dt.date
    start: dt.datetime
    end: dt.datetime
    capacity: int
    booked: int
    remaining: int


class SlotList(Schema):
    count: int
    center: str
    item_code: str
    results: list[SlotOut]


class SlotQuery(Schema):
    center: str
    item_code: str
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = 1
    page_size: int = 200


def _slot_out(slot: Slot) -> dict[str, Any]:
    return {
        "id": slot.pk,
        "date": slot.date,
        "start": timezone.localtime(slot.start),
        "end": timezone.localtime(slot.end),
        "capacity": slot.capacity,
        "booked": slot.booked,
        "remaining": slot.remaining,
    }


@router.get(
    "/appointments/slots",
    response=SlotList,
    auth=None,
    summary="可预约时段（仅工作日，含剩余名额）",
)
def slots(request: HttpRequest, q: Query[SlotQuery]) -> dict[str, Any]:
    center = _center(q.center)
    item = selectors.item_by_code(center=center, code=q.item_code)
    if item is None or selectors.bookable_guide(item) is None:
        raise InvalidInput("该事项不存在或不提供预约。", field="item_code")
    rule = selectors.rule_for_item(center=center, item=item)
    if rule is None:
        raise InvalidInput("该事项不在本中心提供预约。", field="item_code")
    if q.date_from and q.date_to and q.date_to < q.date_from:
        raise InvalidInput("结束日期不能早于开始日期。", field="date_to")
    found = services.slots_offer(
        rule=rule, now=timezone.now(), date_from=q.date_from, date_to=q.date_to
    )
    count, page = paginate(found, q.page, q.page_size)
    return {
        "count": count,
        "center": center.code,
        "item_code": item.code,
        "results": [_slot_out(s) for s in page],
    }


class BookIn(Schema):
    center: str
    item_code: str
    slot_id: int
    name: str
    phone: str = ""
    id_number: str
    id_type: str = "resident_id"
    channel: Literal["online", "phone", "onsite"] = "online"
    verification_code: str | None = None


class MaterialOut(Schema):
    id: int
    name: str
    required: bool
    form: str
    copies: int
    original_required: bool
    notes: str


class AppointmentOut(Schema):
    code: str
    status: str
    status_display: str
    center: str
    item_code: str
    item_name: str
    slot: SlotOut
    place: str
    name: str
    phone: str
    id_number: str
    channel: str
    materials: list[MaterialOut]
    notice_url: str
    pdf_url: str
    warning: str = ""
    rescheduled_from: str | None = None


def _appointment_out(appointment: Appointment) -> dict[str, Any]:
    link = services.confirmation_link(appointment)
    return {
        "code": appointment.code,
        "status": appointment.status,
        "status_display": appointment.get_status_display(),
        "center": appointment.center.code,
        "item_code": appointment.item.code,
        "item_name": appointment.item.name,
        "slot": _slot_out(appointment.slot),
        "place": appointment.place(),
        "name": mask_name(appointment.name),
        "phone": mask_phone(appointment.phone),
        "id_number": mask_id_number(appointment.id_number),
        "channel": appointment.channel,
        "materials": selectors.materials_of(appointment.guide),
        "notice_url": link,
        "pdf_url": f"{link}pdf",
        "warning": appointment.block_warning,
        "rescheduled_from": (
            appointment.rescheduled_from.code if appointment.rescheduled_from_id else None
        ),
    }


def _require_staff(request: HttpRequest, center: Center) -> Any:
    actor = _actor(request)
    if actor is None:
        raise Forbidden("电话预约和现场预约须由工作人员登录后登记。", code="unauthenticated")
    if not selectors.can_manage(scope_for(actor), center.pk):
        raise Forbidden("您无权为该中心登记预约。")
    return actor


@router.post(
    "/appointments",
    response={201: AppointmentOut},
    auth=OPTIONAL_STAFF,
    summary="预约（网上预约公开；电话/现场预约须工作人员登录）",
)
def book(request: HttpRequest, payload: BookIn) -> Status:
    ratelimit.check(request, "booking", center=payload.center)
    center = _center(payload.center)
    actor = None
    if payload.channel != Channel.ONLINE:
        actor = _require_staff(request, center)
    item = selectors.item_by_code(center=center, code=payload.item_code)
    if item is None:
        raise InvalidInput("该事项不存在。", field="item_code")
    slot = Slot.objects.filter(pk=payload.slot_id).first()
    if slot is None:
        raise InvalidInput("所选时段不存在。", field="slot_id")
    verification = None
    if payload.channel == Channel.ONLINE and services.online_code_required():
        if not payload.verification_code:
            raise InvalidInput("请先获取并填写短信验证码。", field="verification_code")
        verification = services.verification_code_use(
            phone=payload.phone, code=payload.verification_code
        )
    appointment = services.appointment_book(
        center=center,
        item=item,
        slot=slot,
        name=payload.name,
        phone=payload.phone,
        id_number=payload.id_number,
        id_type=payload.id_type,
        channel=payload.channel,
        verification=verification,
        actor=actor,
    )
    return Status(201, _appointment_out(appointment))


class CodeIn(Schema):
    phone: str


class CodeOut(Schema):
    detail: str
    expires_in_minutes: int


@router.post(
    "/appointments/verification-code",
    response=CodeOut,
    auth=None,
    summary="获取网上预约短信验证码（按手机号限频）",
)
def verification_code(request: HttpRequest, payload: CodeIn) -> dict[str, Any]:
    ratelimit.check(request, "sms_code")
    services.verification_code_request(phone=payload.phone)
    return {"detail": "验证码已发送，请查收短信。", "expires_in_minutes": services.CODE_MINUTES}


def _get(code: str) -> Appointment:
    appointment = selectors.appointment_by_code(code)
    if appointment is None:
        raise NotFound("未找到该预约。")
    return appointment


class CancelCodeOut(Schema):
    detail: str
    phone: str
    expires_in_minutes: int


@router.post(
    "/appointments/{code}/cancel-code",
    response=CancelCodeOut,
    auth=None,
    summary="向预约手机号发送取消验证码（按手机号限频）",
)
def cancel_code(request: HttpRequest, code: str) -> dict[str, Any]:
    ratelimit.check(request, "sms_code")
    appointment = _get(code)
    services.appointment_cancel_code_request(appointment=appointment)
    return {
        "detail": "验证码已发送至预约手机号，请查收短信。",
        "phone": public_phone(appointment.phone),
        "expires_in_minutes": services.CODE_MINUTES,
    }


class CancelIn(Schema):
    verification_code: str


@router.post(
    "/appointments/{code}/cancel",
    response=AppointmentOut,
    auth=None,
    summary="预约人凭预约码和发送到预约手机号的短信验证码取消预约（失败次数按预约码限制）",
)
def cancel(request: HttpRequest, code: str, payload: CancelIn) -> dict[str, Any]:
    ratelimit.check(request, "cancel")
    appointment = services.appointment_cancel(
        appointment=_get(code), verification_code=payload.verification_code
    )
    return _appointment_out(appointment)


class RescheduleIn(Schema):
    reason: str
    slot_id: int | None = None


@router.post(
    "/appointments/{code}/reschedule",
    response=AppointmentOut,
    summary="中心改约（须填原因，可给出新时段；不给新时段即由中心取消）",
)
def reschedule(request: HttpRequest, code: str, payload: RescheduleIn) -> dict[str, Any]:
    appointment = _get(code)
    actor = _actor(request)
    if not selectors.can_manage(scope_for(actor), appointment.center_id):
        raise NotFound("未找到该预约。")
    if payload.slot_id is None:
        result = services.appointment_cancel_by_center(
            appointment=appointment, reason=payload.reason, actor=actor
        )
    else:
        slot = Slot.objects.filter(pk=payload.slot_id).first()
        if slot is None:
            raise InvalidInput("所选时段不存在。", field="slot_id")
        result = services.appointment_reschedule(
            appointment=appointment, reason=payload.reason, new_slot=slot, actor=actor
        )
    return _appointment_out(result)


class TicketOut(Schema):
    id: str
    number: str
    status_url: str


class CheckInOut(Schema):
    code: str
    status: str
    item_name: str
    ticket: TicketOut


@router.post(
    "/appointments/{code}/check-in",
    response=CheckInOut,
    summary="签到（自助机/导服台）→ 优先排队号",
)
def check_in(request: HttpRequest, code: str) -> dict[str, Any]:
    appointment = _get(code)
    actor = _actor(request)
    if not (
        selectors.can_manage(scope_for(actor), appointment.center_id)
        or scope_for(actor).has_role("device", appointment.center_id)
    ):
        raise NotFound("未找到该预约。")
    result = services.appointment_check_in(center=appointment.center, code=code, actor=actor)
    return {
        "code": result.code,
        "status": result.status,
        "item_name": result.item.name,
        "ticket": {
            "id": result.ticket_id,
            "number": result.ticket_number,
            "status_url": result.ticket_url,
        },
    }
