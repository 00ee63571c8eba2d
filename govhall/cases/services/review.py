"""The department's acceptance review (7.2.3): accept, refuse, ask for corrections; supplied
corrections; withdrawal; return (退件); deemed acceptance; provisional deadlines recomputed."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F, Q

from govhall.cases.models import Case, CaseEvent, RemedyBodies, Status
from govhall.cases.services import _common as c
from govhall.cases.services import notices
from govhall.cases.services.checks import MaterialIn, validate_materials
from govhall.cases.services.intake import save_lines
from govhall.core import workflow
from govhall.core.audit import log_action
from govhall.core.errors import InvalidInput, InvalidTransition
from govhall.documents.models import Document, DocumentKind

DECISIONS = ("accept", "reject", "correct")


def remedy_bodies(case: Case) -> tuple[str, str]:
    """The reconsideration body and court configured for the department (§38)."""
    bodies = RemedyBodies.objects.filter(department=case.department_id).first()
    if bodies is not None:
        return bodies.reconsideration_body, bodies.court
    return f"{case.center.name}所在地人民政府", "有管辖权的人民法院"


def _late(case: Case, today: dt.date) -> bool:
    return case.status == Status.RECEIVED and case.acceptance_due < today


@transaction.atomic
def case_decide(
    *,
    case: Case,
    decision: str,
    reason: str = "",
    basis: str = "",
    items: list[dict[str, Any]] | None = None,
    actor: Any,
    now: dt.datetime | None = None,
) -> tuple[Case, Document]:
    """7.2.3: 审批人员……符合法定受理条件的，应在规定时限内作出受理决定，并出具《受理通知书》。
    经审核不符合受理条件的，出具《不予受理通知书》。经审核需要补正的，出具《补正通知书》。……
    均以短信形式及时通知服务对象并提供下载地址。"""
    now = c._now(now)
    c.require_department(actor, case)
    if decision not in DECISIONS:
        raise InvalidInput("决定应为受理、不予受理或补正。", field="decision")
    today = c.local_day(now)
    guide = case.guide
    correction_items: list[dict[str, Any]] = []
    if decision == "reject" and not reason.strip():
        raise InvalidInput("不予受理须写明理由。", field="reason")
    if decision == "correct":
        materials = {m.pk: m for m in guide.materials.all()}
        for n, entry in enumerate(items or []):
            material_id = entry.get("material_id")
            if material_id not in materials:
                raise InvalidInput(
                    "该材料不属于本事项的办事指南。", field=f"missing.{n}.material_id"
                )
            correction_items.append(
                {
                    "material_id": material_id,
                    "name": materials[material_id].name,
                    "reason": (entry.get("reason") or "").strip() or "请补正",
                }
            )
        if not correction_items:
            raise InvalidInput("补正须列明需补正的全部材料。", field="missing")
    # Lock before judging lateness: a concurrent decision or the sweep may have moved it.
    locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if _late(locked, today):
        raise InvalidTransition(
            f"已超过受理审查截止日（{locked.acceptance_due:%Y年%m月%d日}），"
            "依法自收到申请材料之日起视为受理，不能再作出此决定。"
        )
    handler = c.handler_name(actor)
    progress = c.progress_url(case.number)
    decided = {"decided_at": now, "decided_by": actor if getattr(actor, "pk", None) else None}
    if decision == "accept":
        promised = c.add_days(today, guide.promised_limit_days)
        case = c.transition(
            locked,
            Status.ACCEPTED,
            action="accepted",
            actor=actor,
            now=now,
            reason=reason,
            changes={
                "accepted_on": today,
                "promised_due": promised.date,
                "promised_due_provisional": promised.provisional,
                **decided,
            },
        )
        document = _notice(
            case,
            DocumentKind.ACCEPTANCE_NOTICE,
            "受理通知书",
            notices.acceptance(case, handler=handler, progress=progress),
            actor,
            now,
        )
        c.sms(case, "case_accepted", document, now=now)
        return case, document
    if decision == "reject":
        case = c.transition(
            locked,
            Status.REJECTED,
            action="rejected",
            actor=actor,
            now=now,
            reason=reason,
            changes={"reject_reason": reason, "reject_basis": basis or guide.basis, **decided},
        )
        return case, _rejection_notice(case, reason, basis or guide.basis, handler, actor, now)
    due = c.add_days(today, guide.correction_limit_days)
    case = c.transition(
        locked,
        Status.CORRECTION_REQUESTED,
        action="correction_requested",
        actor=actor,
        now=now,
        reason=reason or "；".join(i["name"] for i in correction_items),
        changes={
            "correction_due": due.date,
            "correction_due_provisional": due.provisional,
            "correction_items": correction_items,
            **decided,
        },
    )
    document = _notice(
        case,
        DocumentKind.CORRECTION_NOTICE,
        "补正通知书",
        notices.correction(
            case, items=correction_items, handler=handler, progress=progress, day=today
        ),
        actor,
        now,
    )
    c.sms(case, "case_correction", document, now=now)
    return case, document


def _notice(case: Case, kind: str, title: str, render, actor: Any, now: dt.datetime) -> Document:
    return c.issue(
        case,
        kind=kind,
        title=f"{title} {case.number}",
        issuer=c.issuer_of(case.department),
        render=render,
        related=case,
        actor=actor,
        now=now,
    )


def _rejection_notice(
    case: Case, reason: str, basis: str, handler: str, actor: Any, now: dt.datetime
) -> Document:
    body, court = remedy_bodies(case)
    document = _notice(
        case,
        DocumentKind.REJECTION_NOTICE,
        "不予受理通知书",
        notices.rejection(
            case,
            reason=reason,
            basis=basis,
            reconsideration_body=body,
            court=court,
            handler=handler,
            progress=c.progress_url(case.number),
            day=c.local_day(now),
        ),
        actor,
        now,
    )
    c.sms(case, "case_rejected", document, now=now)
    return document


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
    return case, _rejection_notice(case, reason, case.guide.basis, handler, actor, now)


def cases_deem_accepted(*, now: dt.datetime | None = None, batch_size: int = 1000) -> int:
    """行政许可法 §32 / 7.2.3: 超过受理期限不告知的，自收到申请材料之日起即为受理.

    Set-based: per batch one conditional UPDATE (status still received, due day closed)
    tags the rows it moved with a batch id, then their events and SMS are written. Rows are
    claimed with SKIP LOCKED, so several workers share the work and each case moves once.
    """
    now = c._now(now)
    today = c.local_day(now)
    total = 0
    while True:
        with transaction.atomic():
            moved = _deem_batch(today, now, batch_size)
        total += moved
        if moved < batch_size:
            return total


def _deem_batch(today: dt.date, now: dt.datetime, batch_size: int) -> int:
    due = Q(status=Status.RECEIVED, acceptance_due__lt=today)
    ids = list(
        Case.objects.select_for_update(skip_locked=True)
        .filter(due)
        .order_by("acceptance_due", "id")
        .values_list("id", flat=True)[:batch_size]
    )
    if not ids:
        return 0
    batch = uuid.uuid4().hex
    moved = Case.objects.filter(due, pk__in=ids).update(
        status=Status.DEEMED_ACCEPTED,
        status_changed_at=now,
        accepted_on=F("review_start"),
        promised_due=F("deemed_promised_due"),
        promised_due_provisional=F("deemed_promised_provisional"),
        decided_at=now,
        deemed=True,
        deemed_batch=batch,
    )
    if not moved:
        return 0
    cases = list(
        Case.objects.filter(deemed_batch=batch).select_related("item", "center", "department")
    )
    reason = "受理审查期限届满未作决定，依法自收到申请材料之日起视为受理（部门超时）"
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case,
            at=now,
            actor=None,
            action="deemed_accepted",
            from_status=Status.RECEIVED,
            to_status=Status.DEEMED_ACCEPTED,
            reason=reason,
        )
        for case in cases
    )
    # One audit entry per batch, naming every case it moved.
    log_action(
        actor=None,
        action="govhall.cases.case.deemed_accepted",
        object_type="cases.case",
        object_id=batch,
        data={
            "from": Status.RECEIVED,
            "to": Status.DEEMED_ACCEPTED,
            "breach": True,
            "numbers": [case.number for case in cases],
        },
        now=now,
    )
    for case in cases:
        c.sms(case, "case_accepted", None, now=now)
    return moved


def cases_recompute_provisional(*, years: Iterable[int], now: dt.datetime | None = None) -> int:
    """DESIGN.md rule 5: deadlines stored as provisional are recomputed when their year is
    entered in the calendar. Runs after the calendar's commit (core.workdays signal)."""
    now = c._now(now)
    years = set(years)
    flagged = Q(acceptance_due_provisional=True) | Q(deemed_promised_provisional=True)
    flagged |= Q(correction_due_provisional=True) | Q(promised_due_provisional=True)
    changed = 0
    with transaction.atomic():
        for case in Case.objects.select_for_update().filter(flagged).select_related("guide"):
            guide = case.guide
            fields = c.review_deadlines(case.review_start, guide)
            if case.correction_due_provisional and case.decided_at:
                due = c.add_days(c.local_day(case.decided_at), guide.correction_limit_days)
                fields |= {
                    "correction_due": due.date,
                    "correction_due_provisional": due.provisional,
                }
            if case.promised_due_provisional and case.accepted_on:
                due = c.add_days(case.accepted_on, guide.promised_limit_days)
                fields |= {"promised_due": due.date, "promised_due_provisional": due.provisional}
            for name, value in fields.items():
                setattr(case, name, value)
            case.save(update_fields=list(fields))
            workflow.record_audit(
                case,
                verb="deadlines_recomputed",
                actor=None,
                now=now,
                data={"years": sorted(years), "acceptance_due": str(case.acceptance_due)},
            )
            changed += 1
    return changed
