"""Paper material handover from the window to the department (7.3), twice a day.

7.3: 政务服务中心指定人员负责纸质材料交接工作。在上午和下午规定时间，将纸质材料转交审批部门
（即办件即转即办）；电子材料均通过统一受理中心实时推送，材料清单经审批部门核对后通过统一受理中心
签收（做好材料交接工作）。"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from govhall.cases.models import (
    Case,
    CaseMaterial,
    CaseProblem,
    HandoverBatch,
    HandoverLine,
    HandoverSchedule,
    Status,
)
from govhall.cases.services import _common as c
from govhall.cases.services import flow
from govhall.cases.services import flow_notices as fn
from govhall.cases.services.approval import start_approval
from govhall.core import workdays, workflow
from govhall.core.errors import InvalidInput, InvalidTransition, NotFound
from govhall.documents.models import DocumentKind
from govhall.org.models import Department
from govhall.org.selectors import scope_for

# Cases whose paper may travel: under review or accepted, not yet approved.
TRAVELLING = (
    Status.RECEIVED,
    Status.CORRECTION_REQUESTED,
    Status.ACCEPTED,
    Status.DEEMED_ACCEPTED,
)
SLOT_LABEL = dict(HandoverBatch.Slot.choices)


def cases_awaiting_handover(department: Department):
    """Received cases of the department with paper materials not handed over, not in a
    pending batch and without an unresolved discrepancy (即办件 move at once)."""
    paper = CaseMaterial.objects.filter(case=OuterRef("pk"), provided=True, form="paper")
    pending = HandoverLine.objects.filter(
        case=OuterRef("pk"), batch__status=HandoverBatch.Status.PENDING
    )
    problem = CaseProblem.objects.filter(
        case=OuterRef("pk"), source=CaseProblem.Source.BATCH, resolved_at__isnull=True
    )
    return (
        Case.objects.filter(
            department=department,
            status__in=TRAVELLING,
            paper_handed_over_at__isnull=True,
            guide__is_immediate=False,
        )
        .filter(Exists(paper))
        .exclude(Exists(pending))
        .exclude(Exists(problem))
        .select_related("item")
        .order_by("received_at", "id")
    )


@transaction.atomic
def handover_batch_create(
    *, department: Department, slot: str, actor: Any = None, now: dt.datetime | None = None
) -> HandoverBatch | None:
    """The batch of the slot with every case waiting, and its 材料交接单; None if no case
    waits (or the slot's batch exists already)."""
    now = c._now(now)
    if slot not in HandoverBatch.Slot.values:
        raise InvalidInput("批次应为上午或下午。", field="slot")
    if actor is not None:
        flow_require_center(actor, department)
    day = c.local_day(now)
    cases = list(cases_awaiting_handover(department).select_for_update(of=("self",)))
    if not cases:
        return None
    try:
        with transaction.atomic():
            batch = HandoverBatch.objects.create(
                center=department.center,
                department=department,
                day=day,
                slot=slot,
                status=HandoverBatch.Status.PENDING,
                created_at=now,
                created_by=flow.actor_or_none(actor),
            )
    except IntegrityError:
        return None  # another worker made this slot's batch
    lines = []
    for case in cases:
        materials = [
            {"name": m.name, "copies": m.copies}
            for m in case.materials.filter(provided=True, form="paper").order_by("submission", "id")
        ]
        lines.append(HandoverLine(batch=batch, case=case, materials=materials))
    HandoverLine.objects.bulk_create(lines)
    batch.document = c.issue(
        department.center,
        kind=DocumentKind.MATERIAL_HANDOVER,
        title=f"材料交接单 {department.name} {day} {SLOT_LABEL[slot]}",
        issuer=c.center_issuer(department.center),
        render=fn.material_handover(
            center_name=department.center.name,
            department_name=department.name,
            slot=SLOT_LABEL[slot],
            day=day,
            lines=[(line.case, line.materials) for line in lines],
            handler=c.handler_name(actor),
            progress=c.progress_url(cases[0].number),
        ),
        related=batch,
        actor=actor,
        now=now,
    )
    batch.save(update_fields=["document"])
    workflow.record_event(batch, action="created", from_status="", actor=actor, now=now)
    workflow.record_audit(batch, verb="created", actor=actor, now=now, data={"cases": len(lines)})
    return batch


def flow_require_center(actor: Any, department: Department) -> None:
    scope = scope_for(actor)
    if not scope.sees(department.center_id, department.pk):
        raise NotFound("未找到该部门。")


def handover_batches_due(now: dt.datetime) -> int:
    """Job: at each department's morning and afternoon cut-off on a working day, the
    slot's batch is made (once: the slot is unique per department and day)."""
    local = timezone.localtime(now, timezone.get_default_timezone())
    if not workdays.is_workday(local.date()):
        return 0
    schedules = {s.department_id: s for s in HandoverSchedule.objects.all()}
    made = 0
    for department in Department.objects.filter(is_active=True).select_related("center"):
        schedule = schedules.get(department.pk) or HandoverSchedule(department=department)
        for slot, cutoff in (
            (HandoverBatch.Slot.MORNING, schedule.morning_cutoff),
            (HandoverBatch.Slot.AFTERNOON, schedule.afternoon_cutoff),
        ):
            if local.time() < cutoff:
                continue
            exists = HandoverBatch.objects.filter(
                department=department, day=local.date(), slot=slot
            ).exists()
            if not exists and handover_batch_create(department=department, slot=slot, now=now):
                made += 1
    return made


@transaction.atomic
def handover_batch_sign(
    *,
    batch: HandoverBatch,
    discrepancies: dict[int, str] | None = None,
    actor: Any,
    now: dt.datetime | None = None,
) -> HandoverBatch:
    """The department's receiver signs the 材料交接单; a case with a discrepancy goes back to
    the window as a problem (its paper is not handed over and waits for the next batch once
    the window resolves it); the others are with the department, and accepted ones start
    approval."""
    now = c._now(now)
    scope = scope_for(actor)
    if not scope.is_admin and (
        batch.department_id not in scope.department_ids
        or not scope.has_role("approver", batch.center_id)
    ):
        raise NotFound("未找到该交接批次。")
    discrepancies = {int(k): (v or "").strip() for k, v in (discrepancies or {}).items()}
    lines = {line.case_id: line for line in batch.lines.select_related("case")}
    for case_id in discrepancies:
        if case_id not in lines:
            raise InvalidInput("该办件不在本批次中。", field=f"discrepancies.{case_id}")
    batch = workflow.transition(
        batch,
        HandoverBatch.Status.SIGNED,
        action="signed",
        actor=actor,
        now=now,
        changes={"signed_at": now, "signed_by": flow.actor_or_none(actor)},
        audit_data={"discrepancies": len([v for v in discrepancies.values() if v])},
        refused=lambda b: "该交接单已签收。",
    )
    for case_id, line in lines.items():
        problem = discrepancies.get(case_id, "")
        case = Case.objects.select_for_update(of=("self",)).get(pk=case_id)
        if problem:
            line.discrepancy = problem[:300]
            line.save(update_fields=["discrepancy"])
            CaseProblem.objects.create(
                case=case,
                source=CaseProblem.Source.BATCH,
                text=problem[:500],
                raised_at=now,
                raised_by=flow.actor_or_none(actor),
            )
            workflow.record_event(
                case,
                action="paper_discrepancy",
                from_status=case.status,
                actor=actor,
                now=now,
                reason=problem,
            )
            continue
        Case.objects.filter(pk=case_id).update(paper_handed_over_at=now)
        case.paper_handed_over_at = now
        if case.status in flow.NOT_STARTED:
            start_approval(case, actor=actor, now=now, reason="纸质材料已交接签收，开始审批")
    return batch


@transaction.atomic
def case_problem_resolve(
    *, problem: CaseProblem, resolution: str, actor: Any, now: dt.datetime | None = None
) -> CaseProblem:
    """The window (batch discrepancy) or department (refused result) records how it was
    resolved; a resolved batch problem puts the case into the next batch."""
    now = c._now(now)
    case = problem.case
    if not scope_for(actor).sees(case.center_id, case.department_id):
        raise NotFound("未找到该问题。")
    if problem.resolved_at is not None:
        raise InvalidTransition("该问题已处理。")
    if not (resolution or "").strip():
        raise InvalidInput("请填写处理说明。", field="resolution")
    problem.resolution = resolution.strip()[:500]
    problem.resolved_at = now
    problem.resolved_by = flow.actor_or_none(actor)
    problem.save(update_fields=["resolution", "resolved_at", "resolved_by"])
    workflow.record_event(
        case,
        action="problem_resolved",
        from_status=case.status,
        actor=actor,
        now=now,
        reason=problem.resolution,
    )
    workflow.record_audit(case, verb="problem_resolved", actor=actor, now=now)
    return problem
