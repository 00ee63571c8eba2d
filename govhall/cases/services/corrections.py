"""After a correction notice (7.2.3): supplied corrections with their own receipt, return
(退件) when the correction period ran out, and withdrawal (撤回申请) before a decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from govhall.cases.models import Case, Status
from govhall.cases.services import _common as c
from govhall.cases.services import notices
from govhall.cases.services.checks import MaterialIn, validate_materials
from govhall.cases.services.intake import save_lines
from govhall.cases.services.review import rejection_notice
from govhall.core.errors import InvalidInput, InvalidTransition
from govhall.documents.models import Document, DocumentKind


@transaction.atomic
def case_corrections_supply(
    *, case: Case, materials: list[MaterialIn], actor: Any, now: dt.datetime | None = None
) -> tuple[Case, Document]:
    """DESIGN.md legal defaults (7.2.3): supplied materials get their own receipt, and the
    acceptance limit counts again from the day the last correction arrived."""
    now = c._now(now)
    c.require_center_staff(actor, case.center_id)
    guide_materials = {m.pk: m for m in case.guide.materials.all()}
    errors: list[dict[str, str]] = []
    if not materials:
        errors.append({"field": "materials", "message": "请登记补正的材料。"})
    validate_materials(guide_materials, materials, errors)
    if errors:
        raise InvalidInput(errors[0]["message"], errors=errors)
    today = c.local_day(now)
    locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    case = c.transition(
        locked,
        Status.RECEIVED,
        action="corrections_supplied",
        actor=actor,
        now=now,
        reason="补正材料已接收，受理审查期限重新计算",
        changes={
            **c.review_deadlines(today, locked.guide),
            "corrections_count": locked.corrections_count + 1,
        },
    )
    lines = save_lines(
        case,
        guide_materials,
        materials,
        submission=case.corrections_count,
        all_materials=False,
        actor=actor,
        now=now,
    )
    document = c.issue(
        case,
        kind=DocumentKind.CORRECTION_RECEIPT,
        title=f"补正材料收件凭证 {case.number}",
        issuer=c.center_issuer(case.center),
        render=notices.receipt(
            case,
            lines,
            handler=c.handler_name(actor),
            progress=c.progress_url(case.number),
            title="补正材料收件凭证",
        ),
        related=case,
        actor=actor,
        now=now,
    )
    c.sms(case, "case_received", document, now=now)
    return case, document


@transaction.atomic
def case_withdraw(*, case: Case, reason: str, actor: Any, now: dt.datetime | None = None) -> Case:
    """撤回申请: the applicant withdraws before a decision; the reason is recorded."""
    now = c._now(now)
    c.require_center_staff(actor, case.center_id)
    if not reason.strip():
        raise InvalidInput("请记录撤回原因。", field="reason")
    return c.transition(
        case,
        Status.WITHDRAWN,
        action="withdrawn",
        actor=actor,
        now=now,
        reason=reason,
        changes={"closed_reason": reason[:300]},
    )


@transaction.atomic
def case_return(
    *,
    case: Case,
    materials_returned: str,
    signed_by: str,
    actor: Any,
    now: dt.datetime | None = None,
) -> tuple[Case, Document]:
    """7.2.3: 服务对象未在规定期限内补齐补正材料的，可作退件处理，出具《不予受理通知书》。"""
    now = c._now(now)
    c.require_department(actor, case)
    errors = []
    if not materials_returned.strip():
        errors.append({"field": "materials_returned", "message": "请登记退还的材料。"})
    if not signed_by.strip():
        errors.append({"field": "signed_by", "message": "退还材料须由申请人签收。"})
    if errors:
        raise InvalidInput(errors[0]["message"], errors=errors)
    today = c.local_day(now)
    locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if locked.status == Status.CORRECTION_REQUESTED and not locked.correction_overdue(today):
        raise InvalidTransition(
            f"补正期限（{locked.correction_due:%Y年%m月%d日}）尚未届满，不能退件。"
        )
    due = locked.correction_due
    period = f"（{due:%Y年%m月%d日}）" if due else ""
    reason = f"未在补正期限{period}内补齐补正材料，作退件处理。"
    case = c.transition(
        locked,
        Status.RETURNED,
        action="returned",
        actor=actor,
        now=now,
        reason=reason,
        changes={
            "closed_reason": reason,
            "returned_materials": materials_returned[:500],
            "returned_signed_by": signed_by[:100],
            "reject_reason": reason,
        },
    )
    handler = c.handler_name(actor)
    return case, rejection_notice(case, reason, case.guide.basis, handler, actor, now)
