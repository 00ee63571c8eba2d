"""Special-group services API (6.7.3): requests for accompaniment and home/bedside service,
aids and loans, the public green-channel list, statistics. Thin: schema in, one service or
selector, schema out; names and phones masked."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from govhall.assistance import selectors_special as sel
from govhall.assistance import services
from govhall.assistance.models_special import SpecialRequest
from govhall.catalog.selectors import center_by_code, item_public
from govhall.core.api import paginate
from govhall.core.errors import InvalidInput, NotFound
from govhall.org.models import Center, User

router = Router(tags=["特殊群体与便民服务"])


def actor_of(request: HttpRequest) -> Any:
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "pk", None) else None


def center_in(code: str, field: str = "center") -> Center:
    center = center_by_code((code or "").strip(), field=field)
    if center is None:
        raise InvalidInput("请填写中心编码。", field=field)
    return center


def optional_center(code: str) -> Center | None:
    return center_in(code) if code else None


def user_label(user: Any) -> str | None:
    return (user.display_name or user.username) if user is not None else None


class EventOut(Schema):
    at: dt.datetime
    action: str
    from_status: str
    to_status: str
    reason: str
    actor: str | None


class SpecialRequestIn(Schema):
    center: str
    kind: Literal["accompany", "home", "bedside"]
    group: Literal["elderly", "disabled", "pregnant", "ill", "military", "other"]
    name: str
    phone: str
    address: str = ""
    item_code: str = ""
    description: str = ""
    preferred_at: dt.datetime | None = None


class SpecialRequestOut(Schema):
    id: int
    number: str
    center: str
    kind: str
    kind_label: str
    group: str
    status: str
    status_label: str
    name: str
    phone: str
    address: str
    item_code: str | None
    description: str
    preferred_at: dt.datetime | None
    requested_at: dt.datetime
    scheduled_at: dt.datetime | None
    staff: str | None
    done_at: dt.datetime | None
    visit_note: str
    items_handled: str
    applicant_signed: bool
    cancel_reason: str


class SpecialRequestDetail(SpecialRequestOut):
    events: list[EventOut]


class SpecialRequestPage(Schema):
    count: int
    results: list[SpecialRequestOut]


class SpecialRequestQuery(Schema):
    center: str = ""
    status: Literal["", "requested", "scheduled", "done", "cancelled"] = ""
    kind: Literal["", "accompany", "home", "bedside"] = ""
    page: int = 1
    page_size: int = 50


class ScheduleIn(Schema):
    scheduled_at: dt.datetime
    staff: str


class CompleteIn(Schema):
    visit_note: str
    items_handled: str = ""
    applicant_signed: bool = False


class CancelIn(Schema):
    reason: str


def request_out(r: SpecialRequest) -> dict[str, Any]:
    local = timezone.localtime
    return {
        "id": r.pk,
        "number": r.number,
        "center": r.center.code,
        "kind": r.kind,
        "kind_label": r.get_kind_display(),
        "group": r.group,
        "status": r.status,
        "status_label": r.get_status_display(),
        "name": r.masked_name,
        "phone": r.masked_phone,
        "address": r.masked_address,
        "item_code": r.item.code if r.item_id else None,
        "description": r.description,
        "preferred_at": local(r.preferred_at) if r.preferred_at else None,
        "requested_at": local(r.requested_at),
        "scheduled_at": local(r.scheduled_at) if r.scheduled_at else None,
        "staff": user_label(r.staff),
        "done_at": local(r.done_at) if r.done_at else None,
        "visit_note": r.visit_note,
        "items_handled": r.items_handled,
        "applicant_signed": r.applicant_signed,
        "cancel_reason": r.cancel_reason,
    }


def request_detail(r: SpecialRequest) -> dict[str, Any]:
    return {
        **request_out(r),
        "events": [
            {
                "at": timezone.localtime(e.at),
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "reason": e.reason,
                "actor": user_label(e.actor),
            }
            for e in r.events.all().order_by("at", "id")
        ],
    }


@router.post(
    "/assistance/special-requests",
    response={201: SpecialRequestDetail},
    summary="登记特殊群体服务申请（陪同办理、上门服务、床旁服务，6.7.3）",
)
def special_request_create(request: HttpRequest, payload: SpecialRequestIn) -> Status:
    center = center_in(payload.center)
    item = None
    if payload.item_code.strip():
        try:
            item = item_public(payload.item_code.strip())
        except NotFound as exc:
            raise InvalidInput("未找到该事项。", field="item_code") from exc
    created = services.special_request_create(
        center=center,
        kind=payload.kind,
        group=payload.group,
        name=payload.name,
        phone=payload.phone,
        address=payload.address,
        item=item,
        description=payload.description,
        preferred_at=payload.preferred_at,
        actor=actor_of(request),
    )
    return Status(201, request_detail(sel.special_request_get(actor_of(request), created.pk)))


@router.get(
    "/assistance/special-requests",
    response=SpecialRequestPage,
    summary="特殊群体服务申请列表（本人所在中心）",
)
def special_request_list(request: HttpRequest, q: Query[SpecialRequestQuery]) -> dict[str, Any]:
    qs = sel.special_requests_for(
        actor_of(request), center=optional_center(q.center), status=q.status, kind=q.kind
    )
    count, rows = paginate(qs, q.page, q.page_size)
    return {"count": count, "results": [request_out(r) for r in rows]}


@router.get(
    "/assistance/special-requests/{request_id}",
    response=SpecialRequestDetail,
    summary="特殊群体服务申请详情及处理记录",
)
def special_request_get(request: HttpRequest, request_id: int) -> dict[str, Any]:
    return request_detail(sel.special_request_get(actor_of(request), request_id))


@router.post(
    "/assistance/special-requests/{request_id}/schedule",
    response=SpecialRequestDetail,
    summary="安排服务时间和服务人员（已安排的可改期），短信告知服务对象",
)
def special_request_schedule(
    request: HttpRequest, request_id: int, payload: ScheduleIn
) -> dict[str, Any]:
    actor = actor_of(request)
    found = sel.special_request_get(actor, request_id)
    staff = User.objects.filter(username=payload.staff.strip(), is_active=True).first()
    if staff is None:
        raise InvalidInput("未找到该服务人员。", field="staff")
    services.special_request_schedule(
        request=found, scheduled_at=payload.scheduled_at, staff=staff, actor=actor
    )
    return request_detail(sel.special_request_get(actor, request_id))


@router.post(
    "/assistance/special-requests/{request_id}/complete",
    response=SpecialRequestDetail,
    summary="登记服务记录并办结（做了什么、办理事项、服务对象签字确认）",
)
def special_request_complete(
    request: HttpRequest, request_id: int, payload: CompleteIn
) -> dict[str, Any]:
    actor = actor_of(request)
    services.special_request_complete(
        request=sel.special_request_get(actor, request_id),
        visit_note=payload.visit_note,
        items_handled=payload.items_handled,
        applicant_signed=payload.applicant_signed,
        actor=actor,
    )
    return request_detail(sel.special_request_get(actor, request_id))


@router.post(
    "/assistance/special-requests/{request_id}/cancel",
    response=SpecialRequestDetail,
    summary="取消服务申请（说明原因）",
)
def special_request_cancel(
    request: HttpRequest, request_id: int, payload: CancelIn
) -> dict[str, Any]:
    actor = actor_of(request)
    services.special_request_cancel(
        request=sel.special_request_get(actor, request_id), reason=payload.reason, actor=actor
    )
    return request_detail(sel.special_request_get(actor, request_id))


# --- statistics ------------------------------------------------------------------------------


class StatsQuery(Schema):
    center: str
    start: dt.date
    end: dt.date


class SpecialStatsOut(Schema):
    center: str
    start: dt.date
    end: dt.date
    requests: dict[str, int]
    requests_by_status: dict[str, int]
    requests_done: int
    average_hours_to_done: float | None
    done_per_staff: dict[str, int]
    aid_loans: int
    emergencies: dict[str, int]
    drills: int
    extended_hours_served: dict[str, int]


@router.get(
    "/assistance/special-stats",
    response=SpecialStatsOut,
    summary="特殊群体服务、设施借用、应急、延时服务办件统计",
)
def special_stats(request: HttpRequest, q: Query[StatsQuery]) -> dict[str, Any]:
    return sel.special_stats(actor_of(request), center_in(q.center), q.start, q.end)
