"""The rectification loop (9.5): verify → rectify → call back → close, each step due in
working days; overdue alerts once per level; appeals of malicious ratings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from govhall.core import workflow
from govhall.core.errors import Conflict, Forbidden, InvalidTransition
from govhall.evaluations.models import (
    Appeal,
    AppealStatus,
    BlockedReport,
    Complaint,
    Rating,
    Rectification,
    RectStatus,
)
from govhall.evaluations.services._common import (
    MAX_COMMENT,
    check_level,
    check_text,
    local_day,
    now_or,
    require_staff_of,
    step_due,
)
from govhall.org.models import Role
from govhall.org.selectors import scope_for

DECIDER_ROLES = {Role.MANAGER, Role.INSPECTOR}
LABELS = {"verify": "核实", "rectify": "整改", "callback": "回访", "close": "办结"}


def rectification_open(
    *,
    rating: Rating | None = None,
    complaint: Complaint | None = None,
    blocked: BlockedReport | None = None,
    actor: Any,
    now: dt.datetime,
) -> Rectification:
    """9.5: “政务服务中心应对企业和群众反映的问题，建立整改、监督、反馈等机制，加强督促整改，
    持续改进服务。” Opened in the caller's transaction for every 差评, complaint and
    办不成事 report; the verification is due within the center's limit."""
    source = rating or complaint or blocked
    if rating is not None:
        label = f"差评：{rating.matter_label}（{rating.get_level_display()}）"
    elif complaint is not None:
        label = f"投诉：{complaint.content[:40]}"
    else:
        label = f"办不成事：{blocked.matter[:40]}"
    due = step_due(source.center_id, now)
    rect = Rectification.objects.create(
        center_id=source.center_id,
        department_id=source.department_id,
        rating=rating,
        complaint=complaint,
        blocked=blocked,
        source_label=label,
        real_name=source.real_name,
        status=RectStatus.VERIFYING,
        opened_at=now,
        step_due=due.date,
        step_due_provisional=due.provisional,
    )
    workflow.record_event(rect, action="opened", from_status="", actor=actor, now=now)
    workflow.record_audit(rect, verb="opened", actor=actor, now=now, data={"source": label})
    return rect


def _move(
    rect: Rectification,
    target: str,
    *,
    action: str,
    actor: Any,
    now: dt.datetime,
    reason: str = "",
    changes: dict[str, Any] | None = None,
) -> Rectification:
    require_staff_of(actor, rect.center_id, rect.department_id)
    due = step_due(rect.center_id, now)
    late = rect.step_due < local_day(now)
    base = {"step_alert_level": 0, "step_due": due.date, "step_due_provisional": due.provisional}
    if late:
        base["ever_overdue"] = True
    return workflow.transition(
        rect,
        target,
        action=action,
        actor=actor,
        now=now,
        reason=reason[:500],
        changes={**base, **(changes or {})},
        refused=lambda r: (
            f"整改当前为“{r.get_status_display()}”，不能{LABELS.get(action, action)}。"
        ),
    )


@transaction.atomic
def rectification_verify(
    *, rect: Rectification, founded: bool, note: str, actor: Any, now: dt.datetime | None = None
) -> Rectification:
    """Verification: founded → rectify; unfounded (with the evidence) → the person is
    answered (call back) if real-name, else closed."""
    now = now_or(now)
    note = check_text(note, "note", "核实情况及证据", limit=MAX_COMMENT, required=True)
    if founded:
        target = RectStatus.RECTIFYING
    else:
        target = RectStatus.CALLBACK if rect.real_name else RectStatus.CLOSED
    changes: dict[str, Any] = {"founded": founded, "verify_note": note}
    if target == RectStatus.CLOSED:
        changes["closed_at"] = now
    return _move(rect, target, action="verify", actor=actor, now=now, reason=note, changes=changes)


@transaction.atomic
def rectification_rectify(
    *,
    rect: Rectification,
    measures: str,
    responsible: str,
    actor: Any,
    now: dt.datetime | None = None,
) -> Rectification:
    now = now_or(now)
    measures = check_text(measures, "measures", "整改措施", limit=MAX_COMMENT, required=True)
    responsible = check_text(responsible, "responsible", "整改责任人", limit=50, required=True)
    return _move(
        rect,
        RectStatus.CALLBACK,
        action="rectify",
        actor=actor,
        now=now,
        reason=measures,
        changes={"measures": measures, "responsible": responsible},
    )


@transaction.atomic
def rectification_callback(
    *,
    rect: Rectification,
    result: str,
    satisfaction: Any,
    actor: Any,
    now: dt.datetime | None = None,
) -> Rectification:
    """The call back: what the person said and how satisfied they are with the fix."""
    now = now_or(now)
    result = check_text(result, "result", "回访结果", limit=MAX_COMMENT, required=True)
    level = check_level(satisfaction, "satisfaction")
    return _move(
        rect,
        RectStatus.CLOSING,
        action="callback",
        actor=actor,
        now=now,
        reason=result,
        changes={"callback_result": result, "callback_satisfaction": level, "callback_at": now},
    )


@transaction.atomic
def rectification_close(
    *, rect: Rectification, note: str = "", actor: Any, now: dt.datetime | None = None
) -> Rectification:
    """Close; a real-name one only after its call back (100 % callback)."""
    now = now_or(now)
    if rect.status not in (RectStatus.CALLBACK, RectStatus.CLOSING):
        raise InvalidTransition(f"整改当前为“{rect.get_status_display()}”，不能办结。")
    if rect.status == RectStatus.CALLBACK and rect.real_name:
        raise InvalidTransition("实名评价的整改须先回访服务对象、记录回访结果后才能办结。")
    return _move(
        rect,
        RectStatus.CLOSED,
        action="close",
        actor=actor,
        now=now,
        reason=note,
        changes={"closed_at": now, "close_note": note.strip()[:MAX_COMMENT]},
    )


@transaction.atomic
def rectification_contact_reveal(
    *, rect: Rectification, actor: Any, now: dt.datetime | None = None
) -> str:
    """The full phone number of a real-name source, for the call back; the read is audited
    (DESIGN.md rule 7: masked by default, unmasked where a role needs it)."""
    now = now_or(now)
    require_staff_of(actor, rect.center_id, rect.department_id)
    source = rect.rating or rect.complaint or rect.blocked
    workflow.record_audit(rect, verb="phone_viewed", actor=actor, now=now, data={})
    return source.phone


@transaction.atomic
def appeal_file(
    *, rating: Rating, reason: str, evidence: str = "", actor: Any, now: dt.datetime | None = None
) -> Appeal:
    """A staff member appeals a rating of their own service as malicious."""
    now = now_or(now)
    require_staff_of(actor, rating.center_id, rating.department_id)
    if rating.staff_id != getattr(actor, "pk", None) and not scope_for(actor).has_any_role(
        DECIDER_ROLES, rating.center_id
    ):
        raise Forbidden("只能对本人服务收到的评价提出申诉。")
    reason = check_text(reason, "reason", "申诉理由", limit=MAX_COMMENT, required=True)
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                rating=rating,
                appellant=actor,
                reason=reason,
                evidence=check_text(
                    evidence, "evidence", "证据", limit=MAX_COMMENT, required=False
                ),
                status=AppealStatus.PENDING,
                at=now,
            )
    except IntegrityError as exc:
        raise Conflict("该评价已有待决定的申诉。", code="appeal_pending") from exc
    workflow.record_event(
        appeal, action="filed", from_status="", actor=actor, now=now, reason=reason
    )
    workflow.record_audit(appeal, verb="filed", actor=actor, now=now, data={"rating": rating.pk})
    return appeal


@transaction.atomic
def appeal_decide(
    *, appeal: Appeal, upheld: bool, note: str, actor: Any, now: dt.datetime | None = None
) -> Appeal:
    """The manager's decision. Upheld: the rating is kept but excluded from statistics."""
    now = now_or(now)
    rating = appeal.rating
    require_staff_of(actor, rating.center_id)
    if not scope_for(actor).has_any_role(DECIDER_ROLES, rating.center_id):
        raise Forbidden("只有中心管理人员可以决定申诉。")
    note = check_text(note, "note", "决定意见", limit=MAX_COMMENT, required=True)
    target = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
    appeal = workflow.transition(
        appeal,
        target,
        action="decided",
        actor=actor,
        now=now,
        reason=note,
        changes={"decision_note": note},
        refused=lambda a: f"申诉已{a.get_status_display()}，不能重复决定。",
    )
    if upheld:
        Rating.objects.filter(pk=rating.pk).update(excluded=True)
    return appeal
