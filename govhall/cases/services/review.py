"""The department's acceptance review (7.2.3): accept, refuse, ask for corrections, each with
its notice. Supplied corrections, withdrawal and return are in corrections.py; deemed
acceptance and provisional deadlines in deemed.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from govhall.cases.models import Case, RemedyBodies, Status
from govhall.cases.services import _common as c
from govhall.cases.services import deadlines, notices
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
    return case.status == Status.RECEIVED and deadlines.review_closed(case.acceptance_due, today)


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
        case = c.transition(
            locked,
            Status.ACCEPTED,
            action="accepted",
            actor=actor,
            now=now,
            reason=reason,
            changes={
                "accepted_on": today,
                **deadlines.promised_deadline(today, guide),
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
        return case, rejection_notice(case, reason, basis or guide.basis, handler, actor, now)
    case = c.transition(
        locked,
        Status.CORRECTION_REQUESTED,
        action="correction_requested",
        actor=actor,
        now=now,
        reason=reason or "；".join(i["name"] for i in correction_items),
        changes={
            **deadlines.correction_deadline(today, guide),
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


def rejection_notice(
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
