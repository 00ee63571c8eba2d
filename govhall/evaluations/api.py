"""Evaluations API (API.md "Evaluation"). Thin: schema in/out, scope through selectors,
the services. POST /evaluations is public with a signed token; staff and devices may name
the target instead."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from govhall.core import ratelimit
from govhall.core.api import BearerTokenAuth, PageQuery, StaffSessionAuth, paginate
from govhall.core.errors import InvalidInput, NotFound
from govhall.core.masking import mask_phone
from govhall.evaluations import selectors, services, tokens
from govhall.evaluations.models import Rating, Rectification
from govhall.org.models import Center
from govhall.org.selectors import scope_for

router = Router(tags=["好差评"])


class _TokenOrStaff:
    """Public (a signed token is the credential) but recognises a staff or device caller."""

    def __call__(self, request: HttpRequest) -> Any:
        user = BearerTokenAuth()(request)
        if user:
            return user
        staff = StaffSessionAuth()(request)
        return staff or "public"


TOKEN_OR_STAFF = _TokenOrStaff()


class TargetIn(Schema):
    case_no: str | None = None
    ticket_id: int | None = None
    window_id: int | None = None
    staff_id: int | None = None


class DimensionsIn(Schema):
    attitude: int | None = None
    quality: int | None = None
    efficiency: int | None = None
    environment: int | None = None


class EvaluationIn(Schema):
    token: str | None = None
    target: TargetIn | None = None
    channel: Literal["device", "qr", "box", "survey", "sms", "online", "blocked"] = "online"
    level: int
    dimensions: DimensionsIn | None = None
    comment: str = ""
    tags: list[str] = []
    name: str | None = None
    phone: str | None = None
    append: bool = False


class EvaluationOut(Schema):
    id: int
    matter: str
    level: int
    level_label: str
    channel: str
    real_name: bool
    phone: str
    at: dt.datetime
    rectification_id: int | None


def _actor(request: HttpRequest) -> Any:
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "pk", None) else None


def _target(target: TargetIn | None, actor: Any) -> tuple[str, str]:
    if target is None:
        raise InvalidInput("请提供评价链接令牌 token 或评价对象 target。", field="token")
    if actor is None:
        raise NotFound("评价链接无效。", field="token")
    if target.case_no:
        from govhall.cases.selectors import case_for

        return "case", str(case_for(actor, target.case_no).pk)
    for kind in ("ticket", "window", "staff"):
        value = getattr(target, f"{kind}_id")
        if value is not None:
            return kind, str(value)
    raise InvalidInput("评价对象为空。", field="target")


def rating_out(rating: Rating) -> dict[str, Any]:
    rect = Rectification.objects.filter(rating=rating).values_list("pk", flat=True).first()
    return {
        "id": rating.pk,
        "matter": rating.matter_label,
        "level": rating.level,
        "level_label": rating.get_level_display(),
        "channel": rating.channel,
        "real_name": rating.real_name,
        "phone": mask_phone(rating.phone),
        "at": timezone.localtime(rating.at),
        "rectification_id": rect,
    }


@router.post(
    "/evaluations",
    auth=TOKEN_OR_STAFF,
    response={201: EvaluationOut},
    summary="提交评价（公开：签名评价链接令牌；工作人员/评价器：指定评价对象）",
)
def evaluation_create(request: HttpRequest, payload: EvaluationIn) -> Status:
    actor = _actor(request)
    now = timezone.now()
    if payload.token:
        ratelimit.check(request, "lookup")
        kind, matter_id = tokens.read_token(payload.token, now=now)
    else:
        kind, matter_id = _target(payload.target, actor)
    phone = (payload.phone or "").strip()
    rating = services.rating_submit(
        kind=kind,
        matter_id=matter_id,
        channel=payload.channel,
        level=payload.level,
        dimensions=payload.dimensions.dict() if payload.dimensions else None,
        comment=payload.comment,
        tags=payload.tags,
        real_name=bool(phone),
        name=payload.name or "",
        phone=phone,
        append=payload.append,
        actor=actor,
        now=now,
    )
    return Status(201, rating_out(rating))


class StatsQuery(Schema):
    center: str
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")


class StatsRow(Schema):
    key: str
    total: int
    good: int
    bad: int
    satisfaction_rate: float | None
    bad_rate: float | None


class StatsOut(Schema):
    center: str
    total: int
    good: int
    bad: int
    satisfaction_rate: float | None
    bad_rate: float | None
    levels: dict[str, int]
    by_window: list[StatsRow]
    by_staff: list[StatsRow]
    by_department: list[StatsRow]
    by_item: list[StatsRow]
    by_channel: list[StatsRow]
    by_month: list[StatsRow]
    rectification: dict[str, Any]


def _center(user: Any, code: str) -> Center:
    center = Center.objects.filter(code=(code or "").strip(), is_active=True).first()
    if center is None or not scope_for(user).sees_center(center.pk):
        raise NotFound("未找到该中心。", field="center")
    return center


@router.get("/evaluations/stats", response=StatsOut, summary="好差评统计（满意率、差评率、整改）")
def evaluation_stats(request: HttpRequest, q: Query[StatsQuery]) -> dict[str, Any]:
    actor = _actor(request)
    center = _center(actor, q.center)
    ratings = selectors.counted(selectors.ratings_visible(actor).filter(center=center))
    ratings = selectors.in_period(ratings, q.date_from, q.date_to)
    rects = selectors.in_period(
        selectors.rectifications_visible(actor).filter(center=center),
        q.date_from,
        q.date_to,
        field="opened_at",
    )
    body = {"center": center.code, **selectors.summary(ratings)}
    for group in selectors.GROUPS:
        body[f"by_{group}"] = selectors.stats_by(ratings, group)
    body["rectification"] = selectors.rectification_rates(rects)
    return body


class RectOut(Schema):
    id: int
    status: str
    status_label: str
    source: str
    real_name: bool
    department: str | None
    opened_at: dt.datetime
    step_due: dt.date
    step_due_provisional: bool
    overdue: bool
    founded: bool | None
    verify_note: str
    measures: str
    responsible: str
    callback_result: str
    callback_satisfaction: int | None
    closed_at: dt.datetime | None


class RectList(Schema):
    count: int
    results: list[RectOut]


def rect_out(rect: Rectification, today: dt.date) -> dict[str, Any]:
    return {
        "id": rect.pk,
        "status": rect.status,
        "status_label": rect.get_status_display(),
        "source": rect.source_label,
        "real_name": rect.real_name,
        "department": rect.department.name if rect.department_id else None,
        "opened_at": timezone.localtime(rect.opened_at),
        "step_due": rect.step_due,
        "step_due_provisional": rect.step_due_provisional,
        "overdue": rect.overdue(today),
        "founded": rect.founded,
        "verify_note": rect.verify_note,
        "measures": rect.measures,
        "responsible": rect.responsible,
        "callback_result": rect.callback_result,
        "callback_satisfaction": rect.callback_satisfaction,
        "closed_at": timezone.localtime(rect.closed_at) if rect.closed_at else None,
    }


class RectQuery(PageQuery):
    status: Literal["verifying", "rectifying", "callback", "closing", "closed"] | None = None


@router.get("/rectifications", response=RectList, summary="整改列表（差评、投诉、办不成事）")
def rectification_list(request: HttpRequest, q: Query[RectQuery]) -> dict[str, Any]:
    qs = selectors.rectifications_visible(_actor(request))
    if q.status:
        qs = qs.filter(status=q.status)
    count, rows = paginate(qs.order_by("step_due", "id"), q.page, q.page_size)
    today = timezone.localdate()
    return {"count": count, "results": [rect_out(r, today) for r in rows]}


class VerifyIn(Schema):
    founded: bool
    note: str


class RectifyIn(Schema):
    measures: str
    responsible: str


class CallbackIn(Schema):
    result: str
    satisfaction: int


class CloseIn(Schema):
    note: str = ""


def _step(request: HttpRequest, rect_id: int, service: Any, **fields: Any) -> dict[str, Any]:
    actor = _actor(request)
    rect = selectors.rectification_for(actor, rect_id)
    rect = service(rect=rect, actor=actor, now=timezone.now(), **fields)
    return rect_out(rect, timezone.localdate())


@router.post("/rectifications/{rect_id}/verify", response=RectOut, summary="核实（属实/不属实）")
def rectification_verify(request: HttpRequest, rect_id: int, payload: VerifyIn):
    return _step(request, rect_id, services.rectification_verify, **payload.dict())


@router.post("/rectifications/{rect_id}/rectify", response=RectOut, summary="整改（措施、责任人）")
def rectification_rectify(request: HttpRequest, rect_id: int, payload: RectifyIn):
    return _step(request, rect_id, services.rectification_rectify, **payload.dict())


@router.post("/rectifications/{rect_id}/callback", response=RectOut, summary="回访（结果、满意度）")
def rectification_callback(request: HttpRequest, rect_id: int, payload: CallbackIn):
    return _step(request, rect_id, services.rectification_callback, **payload.dict())


@router.post("/rectifications/{rect_id}/close", response=RectOut, summary="办结（实名须先回访）")
def rectification_close(request: HttpRequest, rect_id: int, payload: CloseIn):
    return _step(request, rect_id, services.rectification_close, **payload.dict())


class AppealIn(Schema):
    reason: str
    evidence: str = ""


class AppealOut(Schema):
    id: int
    rating_id: int
    status: str
    status_label: str


class DecisionIn(Schema):
    upheld: bool
    note: str


def _appeal_out(appeal: Any) -> dict[str, Any]:
    return {
        "id": appeal.pk,
        "rating_id": appeal.rating_id,
        "status": appeal.status,
        "status_label": appeal.get_status_display(),
    }


@router.post(
    "/evaluations/{rating_id}/appeal",
    response={201: AppealOut},
    summary="工作人员对恶意评价提出申诉",
)
def appeal_create(request: HttpRequest, rating_id: int, payload: AppealIn) -> Status:
    actor = _actor(request)
    rating = selectors.rating_for(actor, rating_id)
    appeal = services.appeal_file(rating=rating, actor=actor, now=timezone.now(), **payload.dict())
    return Status(201, _appeal_out(appeal))


@router.post("/appeals/{appeal_id}/decision", response=AppealOut, summary="管理人员决定申诉")
def appeal_decision(request: HttpRequest, appeal_id: int, payload: DecisionIn) -> dict[str, Any]:
    actor = _actor(request)
    appeal = selectors.appeal_for(actor, appeal_id)
    appeal = services.appeal_decide(
        appeal=appeal, actor=actor, now=timezone.now(), **payload.dict()
    )
    return _appeal_out(appeal)
