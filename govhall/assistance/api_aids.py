"""Aids and their loans, and the public green-channel list (6.7.3). Thin: schema in, one
service or selector, schema out; borrowers masked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from govhall.assistance import selectors_special as sel
from govhall.assistance import services
from govhall.assistance.api_special import actor_of, optional_center, user_label
from govhall.assistance.models_special import AidLoan
from govhall.core.errors import NotFound
from govhall.org.selectors import center_get

router = Router(tags=["特殊群体与便民服务"])


# --- aids and loans ----------------------------------------------------------------------


class LoanOut(Schema):
    id: int
    aid_id: int
    aid: str
    borrower_name: str
    borrower_phone: str
    lent_at: dt.datetime
    lent_by: str | None
    returned_at: dt.datetime | None
    note: str


class AidOut(Schema):
    id: int
    center: str
    kind: str
    kind_label: str
    label: str
    location: str
    lendable: bool
    on_loan: LoanOut | None


class AidQuery(Schema):
    center: str = ""


class LendIn(Schema):
    borrower_name: str
    borrower_phone: str = ""
    note: str = ""


def loan_out(loan: AidLoan) -> dict[str, Any]:
    return {
        "id": loan.pk,
        "aid_id": loan.aid_id,
        "aid": str(loan.aid),
        "borrower_name": loan.masked_name,
        "borrower_phone": loan.masked_phone,
        "lent_at": timezone.localtime(loan.lent_at),
        "lent_by": user_label(loan.lent_by),
        "returned_at": timezone.localtime(loan.returned_at) if loan.returned_at else None,
        "note": loan.note,
    }


@router.get(
    "/assistance/aids",
    response=list[AidOut],
    summary="便民辅助设施（轮椅、老花镜、放大镜、手语、助听环路…）及借出状态",
)
def aid_list(request: HttpRequest, q: Query[AidQuery]) -> list[dict[str, Any]]:
    return [
        {
            "id": a.pk,
            "center": a.center.code,
            "kind": a.kind,
            "kind_label": a.get_kind_display(),
            "label": a.label,
            "location": a.location,
            "lendable": a.lendable,
            "on_loan": loan_out(a.open_loan) if a.open_loan else None,
        }
        for a in sel.aids_for(actor_of(request), center=optional_center(q.center))
    ]


@router.post(
    "/assistance/aids/{aid_id}/lend",
    response={201: LoanOut},
    summary="借出辅助设施（已借出未归还的设施不能再借，409）",
)
def aid_lend(request: HttpRequest, aid_id: int, payload: LendIn) -> Status:
    actor = actor_of(request)
    loan = services.aid_lend(
        aid=sel.aid_get(actor, aid_id),
        borrower_name=payload.borrower_name,
        borrower_phone=payload.borrower_phone,
        note=payload.note,
        actor=actor,
    )
    return Status(201, loan_out(sel.loan_get(actor, loan.pk)))


@router.post(
    "/assistance/aid-loans/{loan_id}/return",
    response=LoanOut,
    summary="归还辅助设施（重复归还 409）",
)
def aid_return(request: HttpRequest, loan_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    loan = services.aid_return(loan=sel.loan_get(actor, loan_id), actor=actor)
    return loan_out(sel.loan_get(actor, loan.pk))


# --- public green channel -------------------------------------------------------


class GreenChannelOut(Schema):
    item_code: str
    item_name: str
    department: str
    groups: list[str]
    groups_label: str
    measures: str


@router.get(
    "/public/centers/{code}/green-channel",
    response=list[GreenChannelOut],
    auth=None,
    summary="特殊群体绿色通道事项（公开，6.7.3）",
)
def green_channel(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    center = center_get(code=code)
    if center is None:
        raise NotFound(f"未找到编码为“{code}”的中心。", field="code")
    return [
        {
            "item_code": g.item.code,
            "item_name": g.item.name,
            "department": g.item.department.name,
            "groups": list(g.groups),
            "groups_label": g.groups_text(),
            "measures": g.measures,
        }
        for g in sel.green_channel_of(center)
    ]
