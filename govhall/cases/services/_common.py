"""Helpers shared by the case services: the clock, numbering, deadlines, the one status
transition, notices issued through documents and their SMS through the outbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import timezone

from govhall.cases.models import Case, CaseCounter
from govhall.cases.services.deadlines import add_days, review_deadlines
from govhall.core import workflow
from govhall.core.counters import next_serial
from govhall.core.errors import Forbidden, NotFound
from govhall.documents.models import Document
from govhall.documents.services import document_create, document_link, document_reserve
from govhall.notifications.services import notification_send
from govhall.org.models import Center, Department
from govhall.org.selectors import scope_for

_now = workflow.resolve_now


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def handler_name(actor: Any) -> str:
    if getattr(actor, "pk", None):
        return actor.display_name or actor.username
    return "系统"


def progress_url(case_no: str) -> str:
    return f"{settings.SITE_URL}/progress/?case_no={case_no}"


def allocate_case_number(center: Center, year: int) -> tuple[int, str]:
    """Next case serial of the center and year, without gaps: the counter row stays locked
    until the caller commits, so a rolled-back intake gives its number back."""
    serial = next_serial(CaseCounter, center=center, year=year)
    return serial, f"{center.code}-{year}-{serial:06d}"


def issuer_of(department: Department) -> str:
    return department.short_name or department.name[:6]


def center_issuer(center: Center) -> str:
    return center.short_name or center.name[:6]


def issue(
    case_or_center: Case | Center,
    *,
    kind: str,
    title: str,
    issuer: str,
    render: Callable[[str], bytes],
    related: Any,
    actor: Any,
    now: dt.datetime,
    after_commit: bool = False,
) -> Document:
    """after_commit: number now, PDF drawn once the transaction commits (documents'
    document_reserve; the kind needs a renderer registered in CasesConfig.ready)."""
    center = case_or_center.center if isinstance(case_or_center, Case) else case_or_center
    create = document_reserve if after_commit else document_create
    return create(
        kind=kind,
        center=center,
        issuer_short_name=issuer,
        title=title,
        render=render,
        related=related,
        actor=actor,
        now=now,
    )


def sms(case: Case, template: str, document: Document | None, *, now: dt.datetime) -> None:
    """The applicant's SMS, in the caller's transaction (outbox), with the signed,
    expiring link to the notice (or to the progress page)."""
    link = document_link(document, now=now) if document is not None else progress_url(case.number)
    notification_send(
        template=template,
        to=case.phone,
        params={
            "name": case.masked_name,
            "item": case.item.name,
            "case_no": case.number,
            "link": link,
        },
        related=case,
        center=case.center,
        now=now,
    )


def transition(
    case: Case,
    target: str,
    *,
    action: str,
    actor: Any,
    now: dt.datetime,
    reason: str = "",
    changes: dict[str, Any] | None = None,
) -> Case:
    """The one place a case's status changes: govhall.core.workflow locks the row, checks
    Case.TRANSITIONS and writes the event and the audit entry."""
    return workflow.transition(
        case,
        target,
        action=action,
        actor=actor,
        now=now,
        reason=reason,
        changes={"status_changed_at": now, **(changes or {})},
        audit_data=lambda locked: {"number": locked.number},
        refused=lambda locked: (
            f"办件当前为“{locked.get_status_display()}”，不能{ACTION_LABELS.get(action, action)}。"
        ),
    )


def created_event(case: Case, *, action: str, actor: Any, now: dt.datetime, reason: str) -> None:
    workflow.record_event(case, action=action, from_status="", actor=actor, now=now, reason=reason)
    workflow.record_audit(
        case,
        verb=action,
        actor=actor,
        now=now,
        data={"number": case.number, "to": case.status, "channel": case.channel},
    )


def require_department(actor: Any, case: Case) -> None:
    """Approvers decide only for their department's cases."""
    scope = scope_for(actor)
    if scope.is_admin:
        return
    if case.department_id not in scope.department_ids or not scope.has_role(
        "approver", case.center_id
    ):
        if scope.sees_center(case.center_id):
            raise Forbidden("只有本部门审批人员可以作出此决定。")
        raise NotFound("未找到该办件。")


def require_center_staff(actor: Any, center_id: int) -> None:
    scope = scope_for(actor)
    if scope.is_admin:
        return
    if center_id not in scope.wide_center_ids:
        raise NotFound("未找到该办件。")


__all__ = ["add_days", "review_deadlines"]  # re-exported for the services

ACTION_LABELS = {
    "accepted": "受理",
    "rejected": "不予受理",
    "correction_requested": "要求补正",
    "corrections_supplied": "接收补正材料",
    "deemed_accepted": "视为受理",
    "withdrawn": "撤回申请",
    "returned": "退件",
    "approved": "作出准予许可决定",
    "approval_started": "开始审批",
    "suspended": "中止计时（特别程序）",
    "resumed": "恢复计时",
    "extended": "延期审批",
    "denied": "作出不予许可决定",
    "result_handed": "移交办理结果",
    "result_received": "签收办理结果",
    "result_refused": "拒收办理结果",
    "pickup_notified": "发送领取通知",
    "picked_up": "领取签收",
    "mailed": "邮寄送达",
    "delivered": "确认妥投",
}
