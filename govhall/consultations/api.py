"""Consultations API (API.md "Consultations", plus the ledger listing). Thin: schema in,
scope through selectors, the services; phones masked in every answer."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from govhall.catalog.models import ServiceItem
from govhall.consultations import selectors, services
from govhall.consultations.models import Consultation
from govhall.core.api import paginate
from govhall.core.errors import InvalidInput, NotFound
from govhall.org.models import Center

router = Router(tags=["咨询"])


class ConsultationIn(Schema):
    center: str
    channel: Literal["desk", "window", "phone", "online", "letter"]
    question: str
    item_code: str | None = None
    answered_now: bool = False
    answer: str = ""
    name: str = ""
    phone: str = ""
    kind: Literal["question", "rescue", "complaint"] = "question"
    action_taken: str = ""
    passed_to: str = ""


class EventOut(Schema):
    at: dt.datetime
    action: str
    from_status: str
    to_status: str
    reason: str
    actor: str | None


class ConsultationOut(Schema):
    id: int
    number: str
    center: str
    kind: str
    channel: str
    status: str
    status_label: str
    question: str
    item_code: str | None
    name: str
    phone: str
    received_at: dt.datetime
    owner: str | None
    assignee: str | None
    department: str | None
    reply_due: dt.date | None
    reply_due_provisional: bool
    overdue: bool
    answer: str
    reply_channel: str
    replied_at: dt.datetime | None


class ConsultationDetail(ConsultationOut):
    lookup_code: str
    events: list[EventOut]


class LedgerQuery(Schema):
    center: str = ""
    status: str = ""
    owner: str = ""
    department: str = ""
    overdue: bool = False
    page: int = 1
    page_size: int = 50


class LedgerOut(Schema):
    count: int
    results: list[ConsultationOut]


class ReplyIn(Schema):
    answer: str
    channel: Literal["", "desk", "sms", "call", "letter", "online"] = ""


class TransferIn(Schema):
    to_user: int | str | None = None
    to_department: int | str | None = None
    note: str = ""


def _actor(request: HttpRequest) -> Any:
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "pk", None) else None


def _center(value: str) -> Center:
    center = Center.objects.filter(is_active=True, code=(value or "").strip()).first()
    if center is None:
        raise InvalidInput("未找到该中心。", field="center")
    return center


def _user(u: Any) -> str | None:
    return (u.display_name or u.username) if u is not None else None


def out(c: Consultation, today: dt.date) -> dict[str, Any]:
    return {
        "id": c.pk,
        "number": c.number,
        "center": c.center.code,
        "kind": c.kind,
        "channel": c.channel,
        "status": c.status,
        "status_label": c.get_status_display(),
        "question": c.question,
        "item_code": c.item.code if c.item_id else None,
        "name": c.masked_name,
        "phone": c.masked_phone,
        "received_at": timezone.localtime(c.received_at),
        "owner": _user(c.owner),
        "assignee": _user(c.assignee),
        "department": c.department.name if c.department_id else None,
        "reply_due": c.reply_due,
        "reply_due_provisional": c.reply_due_provisional,
        "overdue": c.is_overdue(today),
        "answer": c.answer if c.replied_at else "",
        "reply_channel": c.reply_channel,
        "replied_at": timezone.localtime(c.replied_at) if c.replied_at else None,
    }


def detail(c: Consultation, today: dt.date) -> dict[str, Any]:
    return {
        **out(c, today),
        "lookup_code": c.lookup_code,
        "events": [
            {
                "at": timezone.localtime(e.at),
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "reason": e.reason,
                "actor": _user(e.actor),
            }
            for e in selectors.events(c)
        ],
    }


def _today() -> dt.date:
    return timezone.localtime(timezone.now(), timezone.get_default_timezone()).date()


@router.post(
    "/consultations",
    response={201: ConsultationDetail},
    summary="登记咨询（当场答复，或列入台账并返回约定答复日 reply_due）",
)
def consultation_create(request: HttpRequest, payload: ConsultationIn) -> Status:
    center = _center(payload.center)
    item = None
    if payload.item_code:
        item = ServiceItem.objects.filter(code=payload.item_code.strip(), center=center).first()
        if item is None:
            raise InvalidInput("未找到本中心的该事项。", field="item_code")
    consultation = services.consultation_record(
        center=center,
        channel="desk" if payload.channel == "window" else payload.channel,
        question=payload.question,
        item=item,
        name=payload.name,
        phone=payload.phone,
        answered_now=payload.answered_now,
        answer=payload.answer,
        kind=payload.kind,
        action_taken=payload.action_taken,
        passed_to=payload.passed_to,
        actor=_actor(request),
    )
    return Status(201, detail(consultation, _today()))


@router.get(
    "/consultations", response=LedgerOut, summary="咨询台账（按状态、首问责任人、部门、逾期筛选）"
)
def consultation_list(request: HttpRequest, q: Query[LedgerQuery]) -> dict[str, Any]:
    center = None
    if q.center:
        center = Center.objects.filter(code=q.center.strip()).first()
        if center is None or not selectors.scoped(_actor(request)).filter(center=center).exists():
            return {"count": 0, "results": []}
    qs = selectors.ledger(
        _actor(request),
        center=center,
        status=q.status,
        owner=q.owner,
        department=q.department,
        overdue=q.overdue,
    )
    count, rows = paginate(qs, q.page, q.page_size)
    today = _today()
    return {"count": count, "results": [out(c, today) for c in rows]}


@router.get("/consultations/{consultation_id}", response=ConsultationDetail, summary="咨询详情")
def consultation_get(request: HttpRequest, consultation_id: int) -> dict[str, Any]:
    return detail(selectors.consultation_for(_actor(request), consultation_id), _today())


@router.post(
    "/consultations/{consultation_id}/reply",
    response=ConsultationDetail,
    summary="答复（短信、电话任务、答复函、网上、当面）",
)
def consultation_reply(
    request: HttpRequest, consultation_id: int, payload: ReplyIn
) -> dict[str, Any]:
    actor = _actor(request)
    consultation = selectors.consultation_for(actor, consultation_id)
    consultation = services.consultation_reply(
        consultation=consultation, answer=payload.answer, channel=payload.channel, actor=actor
    )
    return detail(consultation, _today())


@router.post(
    "/consultations/{consultation_id}/transfer",
    response=ConsultationDetail,
    summary="转办给同事或部门（首问责任人不变）",
)
def consultation_transfer(
    request: HttpRequest, consultation_id: int, payload: TransferIn
) -> dict[str, Any]:
    actor = _actor(request)
    consultation = selectors.consultation_for(actor, consultation_id)
    consultation = services.consultation_transfer(
        consultation=consultation,
        to_user=payload.to_user,
        to_department=payload.to_department,
        note=payload.note,
        actor=actor,
    )
    return detail(consultation, _today())


class PublicOut(Schema):
    number: str
    status_label: str
    question: str
    received_at: dt.datetime
    reply_due: dt.date | None
    answer: str
    replied_at: dt.datetime | None


@router.get(
    "/public/consultations/{code}",
    response=PublicOut,
    auth=None,
    summary="咨询人凭查询码查看答复",
)
def consultation_public(request: HttpRequest, code: str) -> dict[str, Any]:
    from govhall.core import ratelimit

    ratelimit.check(request, "lookup")
    c = selectors.public_lookup(code)
    if c is None:
        raise NotFound("查询码不正确。", field="code")
    return {
        "number": c.number,
        "status_label": c.get_status_display(),
        "question": c.question,
        "received_at": timezone.localtime(c.received_at),
        "reply_due": c.reply_due,
        "answer": c.answer if c.replied_at else "",
        "replied_at": timezone.localtime(c.replied_at) if c.replied_at else None,
    }
