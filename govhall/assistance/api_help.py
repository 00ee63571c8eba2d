"""帮办 records and the 帮办/代办 statistics (API). Thin: schema in, one service or selector
call, schema out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from govhall.assistance import selectors, services
from govhall.assistance.api_common import actor, center_for, check_period, item_for
from govhall.assistance.models import HelpRecord
from govhall.cases import selectors as case_selectors
from govhall.core.api import PageQuery, paginate
from govhall.core.errors import InvalidInput, NotFound
from govhall.core.masking import mask_phone
from govhall.documents.services import document_link
from govhall.queueing import selectors_served as queue_selectors

router = Router(tags=["帮办代办"])


class HelpIn(Schema):
    center: str
    person_name: str
    phone: str = ""
    item_code: str = ""
    actions: list[str]
    forms_filled: list[str] = []
    minutes: int
    outcome: str
    note: str = ""
    ticket_id: int | None = None
    case_no: str = ""


class HelpOut(Schema):
    id: int
    center: str
    at: dt.datetime
    staff: str | None
    person_name: str
    phone: str
    item_code: str | None
    item_name: str | None
    actions: list[str]
    action_labels: list[str]
    forms_filled: list[str]
    minutes: int
    outcome: str
    outcome_label: str
    note: str
    ticket_number: str | None
    case_no: str | None
    forms_pdf_url: str | None


class HelpList(Schema):
    count: int
    results: list[HelpOut]


def help_out(r: HelpRecord) -> dict[str, Any]:
    return {
        "id": r.pk,
        "center": r.center.code,
        "at": timezone.localtime(r.at),
        "staff": str(r.staff) if r.staff_id else None,
        "person_name": r.masked_name,
        "phone": mask_phone(r.phone),
        "item_code": r.item.code if r.item_id else None,
        "item_name": r.item.name if r.item_id else None,
        "actions": r.actions,
        "action_labels": r.action_labels(),
        "forms_filled": r.forms_filled,
        "minutes": r.minutes,
        "outcome": r.outcome,
        "outcome_label": r.get_outcome_display(),
        "note": r.note,
        "ticket_number": r.ticket.number if r.ticket_id else None,
        "case_no": r.case.number if r.case_id else None,
        "forms_pdf_url": document_link(r.forms_document) if r.forms_document_id else None,
    }


@router.post("/assistance/help", response={201: HelpOut}, summary="登记帮办（6.6.1）")
def help_create(request: HttpRequest, payload: HelpIn) -> Status:
    user = actor(request)
    center = center_for(request, payload.center)
    ticket = case = None
    if payload.ticket_id is not None:
        ticket = queue_selectors.ticket_get(payload.ticket_id)
        if ticket is None:
            raise InvalidInput("未找到该排队号。", field="ticket_id")
    if payload.case_no.strip():
        try:
            case = case_selectors.case_for(user, payload.case_no)
        except NotFound as exc:
            raise InvalidInput("未找到该办件。", field="case_no") from exc
    record = services.help_record_create(
        center=center,
        person_name=payload.person_name,
        phone=payload.phone,
        item=item_for(center, payload.item_code, required=False),
        actions=payload.actions,
        forms_filled=payload.forms_filled,
        minutes=payload.minutes,
        outcome=payload.outcome,
        note=payload.note,
        ticket=ticket,
        case=case,
        actor=user,
    )
    return Status(201, help_out(record))


@router.get("/assistance/help", response=HelpList, summary="帮办记录（本中心）")
def help_list(request: HttpRequest, q: Query[PageQuery]) -> dict[str, Any]:
    count, rows = paginate(selectors.help_visible(actor(request)), q.page, q.page_size)
    return {"count": count, "results": [help_out(r) for r in rows]}


@router.get("/assistance/help/{record_id}", response=HelpOut, summary="帮办记录详情")
def help_get(request: HttpRequest, record_id: int) -> dict[str, Any]:
    return help_out(selectors.help_for(actor(request), record_id))


class StatsQuery(Schema):
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class StatsRow(Schema):
    key: str
    total: int
    minutes: int | None = None
    closed: int | None = None


class HelpStats(Schema):
    total: int
    minutes: int
    avg_minutes: float | None
    by_item: list[StatsRow]
    by_staff: list[StatsRow]


class ProxyStats(Schema):
    total: int
    open: int
    closed: int
    terminated: int
    completion_rate: float | None
    avg_days: float | None
    by_item: list[StatsRow]
    by_staff: list[StatsRow]


class RatingStats(Schema):
    total: int
    good: int
    bad: int
    satisfaction_rate: float | None
    bad_rate: float | None


class StatsOut(Schema):
    help: HelpStats
    proxy: ProxyStats
    ratings: RatingStats


@router.get("/assistance/stats", response=StatsOut, summary="帮办代办统计：事项、人员、办结、评价")
def assistance_stats(request: HttpRequest, q: Query[StatsQuery]) -> dict[str, Any]:
    check_period(q.date_from, q.date_to)
    return selectors.stats(actor(request), q.date_from, q.date_to)
