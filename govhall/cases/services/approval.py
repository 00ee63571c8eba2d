"""Approval (7.4): the department starts work once it holds every material, may suspend the
clock for a special procedure (§45), extend the limit with its head's approval (§42), and
approves or denies (§38).

7.4: 审批部门在规定时限内完成审查、审批、决定、出具办理结果文书或证件等。"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from govhall.cases.models import (
    Case,
    CaseExtension,
    CaseResult,
    CaseSuspension,
    ItemCasePolicy,
    Status,
)
from govhall.cases.services import _common as c
from govhall.cases.services import flow
from govhall.cases.services import flow_notices as fn
from govhall.cases.services.fees import fee_order_open
from govhall.core import workdays
from govhall.core.errors import InvalidInput, InvalidTransition
from govhall.documents.models import DocumentKind
from govhall.documents.services import document_link, stored_file_save


def has_paper_pending(case: Case) -> bool:
    """Paper materials not yet handed to the department in a signed batch (7.3)."""
    if case.paper_handed_over_at is not None or case.guide.is_immediate:
        return False
    return case.materials.filter(provided=True, form="paper").exists()


def start_approval(case: Case, *, actor: Any, now: dt.datetime, reason: str = "") -> Case:
    """Accepted (or deemed accepted) → approving, once the department holds the materials;
    the result handover due date (7.5.1.1) is stored from the promised due date."""
    return c.transition(
        case,
        Status.APPROVING,
        action="approval_started",
        actor=actor,
        now=now,
        reason=reason or "材料已交接，开始审批",
        changes={
            "approval_started_on": c.local_day(now),
            **flow.deadline_changes(case.promised_due),
        },
    )


def _in_approval(case: Case, actor: Any, now: dt.datetime) -> Case:
    """The locked case in its approval stage; an accepted case whose materials are all with
    the department starts approval here; one still waiting for paper is refused (409)."""
    locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if locked.status in flow.NOT_STARTED:
        if has_paper_pending(locked):
            raise InvalidTransition("纸质材料尚未交接到部门，请在材料交接单签收后再审批。")
        locked = start_approval(locked, actor=actor, now=now, reason="电子材料已签收，开始审批")
    return locked


@transaction.atomic
def case_approval_start(*, case: Case, actor: Any, now: dt.datetime | None = None) -> Case:
    """7.3: 电子材料……材料清单经审批部门核对后……签收 — the department signs off the
    electronic materials and the approval clock is shown."""
    now = c._now(now)
    c.require_department(actor, case)
    locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if locked.status in flow.NOT_STARTED and has_paper_pending(locked):
        raise InvalidTransition("纸质材料尚未交接到部门，请在材料交接单签收后再审批。")
    return start_approval(locked, actor=actor, now=now, reason="电子材料已签收，开始审批")


@transaction.atomic
def case_suspend(
    *,
    case: Case,
    kind: str,
    expected_days: int,
    reason: str = "",
    actor: Any,
    now: dt.datetime | None = None,
) -> tuple[Case, CaseSuspension]:
    """行政许可法 §45: 听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审所需时间不计算在
    期限内，应当将所需时间书面告知申请人。"""
    now = c._now(now)
    c.require_department(actor, case)
    if kind not in CaseSuspension.Kind.values:
        raise InvalidInput(
            "请选择听证、招标、拍卖、检验、检测、检疫、鉴定或专家评审。", field="kind"
        )
    if not 1 <= int(expected_days or 0) <= 365:
        raise InvalidInput("预计所需工作日应为 1 到 365。", field="expected_days")
    locked = _in_approval(case, actor, now)
    step = CaseSuspension.Kind(kind).label
    today = c.local_day(now)
    case = c.transition(
        locked,
        Status.SUSPENDED,
        action="suspended",
        actor=actor,
        now=now,
        reason=f"{step}，预计{expected_days}个工作日" + (f"：{reason}" if reason else ""),
    )
    notice = flow.department_document(
        case,
        kind=DocumentKind.SPECIAL_PROCEDURE_NOTICE,
        title="特别程序告知书",
        render=fn.suspension_notice(
            case,
            step=step,
            expected_days=expected_days,
            reason=reason,
            handler=c.handler_name(actor),
            day=today,
        ),
        actor=actor,
        now=now,
    )
    suspension = CaseSuspension.objects.create(
        case=case,
        kind=kind,
        reason=reason,
        started_on=today,
        expected_days=expected_days,
        notice=notice,
        created_by=flow.actor_or_none(actor),
    )
    link = document_link(notice, now=now)
    flow.notify(case, "case_suspended", now=now, step=step, days=expected_days, link=link)
    return case, suspension


@transaction.atomic
def case_resume(*, case: Case, actor: Any, now: dt.datetime | None = None) -> Case:
    """§45: the special procedure ended; the promised due date (and the result handover due
    date) move by exactly the working days it took."""
    now = c._now(now)
    c.require_department(actor, case)
    locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    suspension = locked.suspensions.filter(ended_on__isnull=True).last()
    if locked.status != Status.SUSPENDED or suspension is None:
        raise InvalidTransition(f"办件当前为“{locked.get_status_display()}”，不能恢复计时。")
    today = c.local_day(now)
    days = flow.suspended_workdays(suspension.started_on, today)
    promised = workdays.add_workdays(locked.promised_due, days)
    target = Status.EXTENDED if locked.extended_days else Status.APPROVING
    case = c.transition(
        locked,
        target,
        action="resumed",
        actor=actor,
        now=now,
        reason=f"{suspension.get_kind_display()}结束，不计时{days}个工作日",
        changes={"suspended_days": locked.suspended_days + days, **flow.deadline_changes(promised)},
    )
    suspension.ended_on = today
    suspension.workdays = days
    suspension.save(update_fields=["ended_on", "workdays"])
    return case


def extension_limit(case: Case) -> int:
    policy = ItemCasePolicy.objects.filter(item=case.item_id).first()
    return policy.extension_limit_days if policy else flow.default_extension_days()


@transaction.atomic
def case_extend(
    *,
    case: Case,
    days: int,
    reason: str,
    head_name: str,
    head_approved_at: dt.datetime | None = None,
    actor: Any,
    now: dt.datetime | None = None,
) -> tuple[Case, CaseExtension]:
    """行政许可法 §42: 二十日内不能作出决定的，经本行政机关负责人批准，可以延长十日，并应当
    将延长期限的理由告知申请人。"""
    now = c._now(now)
    c.require_department(actor, case)
    limit = extension_limit(case)
    if not 1 <= int(days or 0) <= limit:
        raise InvalidInput(f"延长期限应为 1 到 {limit} 个工作日。", field="days")
    if not (reason or "").strip():
        raise InvalidInput("请写明延期理由（将告知申请人）。", field="reason")
    if not (head_name or "").strip():
        raise InvalidInput("延期须经本机关负责人批准，请填写批准的负责人。", field="head_name")
    locked = _in_approval(case, actor, now)
    before = locked.promised_due
    promised = workdays.add_workdays(before, days)
    case = c.transition(
        locked,
        Status.EXTENDED,
        action="extended",
        actor=actor,
        now=now,
        reason=f"延长{days}个工作日（{head_name}批准）：{reason}",
        changes={"extended_days": days, **flow.deadline_changes(promised)},
    )
    today = c.local_day(now)
    notice = flow.department_document(
        case,
        kind=DocumentKind.EXTENSION_NOTICE,
        title="延期办理告知书",
        render=fn.extension_notice(
            case,
            days=days,
            reason=reason,
            head=head_name,
            before=before,
            handler=c.handler_name(actor),
            day=today,
        ),
        actor=actor,
        now=now,
    )
    extension = CaseExtension.objects.create(
        case=case,
        days=days,
        reason=reason.strip(),
        head_name=head_name.strip(),
        head_approved_at=head_approved_at or now,
        promised_before=before,
        promised_after=promised,
        notice=notice,
        recorded_by=flow.actor_or_none(actor),
    )
    flow.notify(
        case,
        "case_extended",
        now=now,
        days=days,
        reason=reason.strip(),
        due=f"{promised:%Y年%m月%d日}",
    )
    return case, extension


@transaction.atomic
def case_approval_decide(
    *,
    case: Case,
    outcome: str,
    result_type: str = CaseResult.ResultType.LICENCE,
    result_no: str = "",
    review_steps: list[str] | None = None,
    reason: str = "",
    basis: str = "",
    file_name: str = "",
    file_data: bytes | None = None,
    actor: Any,
    now: dt.datetime | None = None,
) -> tuple[Case, CaseResult]:
    """7.4 and §38: approved (result number and type, optional electronic result) or denied
    with the 不予许可决定书 giving reasons and the 复议/诉讼 remedies."""
    now = c._now(now)
    c.require_department(actor, case)
    if outcome not in CaseResult.Outcome.values:
        raise InvalidInput("审批结果应为准予许可或不予许可。", field="result")
    if outcome == CaseResult.Outcome.APPROVED:
        if result_type not in CaseResult.ResultType.values:
            raise InvalidInput("请选择结果类型。", field="result_type")
        if not (result_no or "").strip():
            raise InvalidInput("准予许可须填写结果编号（证照或文书编号）。", field="result_no")
    elif not (reason or "").strip():
        raise InvalidInput("不予许可须写明理由。", field="reason")
    stored = None
    if file_data is not None:
        stored = stored_file_save(
            center=case.center, data=file_data, filename=file_name, actor=actor, now=now
        )
    locked = _in_approval(case, actor, now)
    if locked.status not in flow.IN_APPROVAL:
        raise InvalidTransition(f"办件当前为“{locked.get_status_display()}”，不能作出审批决定。")
    today = c.local_day(now)
    approved = outcome == CaseResult.Outcome.APPROVED
    case = c.transition(
        locked,
        Status.APPROVED if approved else Status.DENIED,
        action="approved" if approved else "denied",
        actor=actor,
        now=now,
        reason=result_no if approved else reason,
    )
    result = CaseResult.objects.create(
        case=case,
        outcome=outcome,
        result_type=result_type if approved else CaseResult.ResultType.OTHER,
        result_no=(result_no or "").strip(),
        review_steps=list(review_steps or []),
        reason=(reason or "").strip(),
        basis=basis or case.guide.basis,
        file=stored,
        decided_on=today,
        decided_by=flow.actor_or_none(actor),
    )
    if approved:
        fee_order_open(case, now=now)
        return case, result
    body, court = flow.remedy_bodies(case)
    result.decision = flow.department_document(
        case,
        kind=DocumentKind.DENIAL_DECISION,
        title="不予许可决定书",
        render=fn.denial_decision(
            case,
            reason=result.reason,
            basis=result.basis,
            body=body,
            court=court,
            handler=c.handler_name(actor),
            day=today,
        ),
        actor=actor,
        now=now,
    )
    result.save(update_fields=["decision"])
    flow.notify(case, "case_denied", now=now, link=document_link(result.decision, now=now))
    return case, result
