"""Helpers of the Cases II services (approval, handover, output, fees): who may act, the
stored deadlines, the applicant's SMS with extra parameters, documents by department."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings

from govhall.cases.models import Case, Channel, RemedyBodies, Status
from govhall.cases.services import _common as c
from govhall.core import workdays
from govhall.core.errors import Forbidden, NotFound
from govhall.documents.models import Document
from govhall.notifications.services import notification_send
from govhall.org.selectors import scope_for

OUTPUT_ROLES = {"output_clerk", "clerk", "manager"}
# Statuses in which the department works on the case (approval stage).
IN_APPROVAL = (Status.APPROVING, Status.EXTENDED)
NOT_STARTED = (Status.ACCEPTED, Status.DEEMED_ACCEPTED)


def require_output(actor: Any, case: Case) -> None:
    """The comprehensive output window (and managers) of the case's center."""
    scope = scope_for(actor)
    allowed = scope.is_admin or scope.has_any_role(OUTPUT_ROLES, case.center_id)
    if allowed and scope.sees(case.center_id, case.department_id):
        return
    if scope.sees(case.center_id, case.department_id):
        raise Forbidden("只有综合出件窗口人员可以办理出件。")
    raise NotFound("未找到该办件。")


def require_release(actor: Any, case: Case) -> None:
    """Who releases a result (pickup, mail): the output window, or, for a 代办 case, the
    center's proxy who took it in (6.6.2.2 c: 代办事项办结后,代办人员应向服务对象送达相关证照或
    批准文件)."""
    scope = scope_for(actor)
    own_proxy_case = (
        case.channel == Channel.PROXY
        and case.clerk_id is not None
        and case.clerk_id == getattr(actor, "pk", None)
        and scope.has_role("proxy", case.center_id)
    )
    if own_proxy_case:
        return
    require_output(actor, case)


def handover_due_for(promised: dt.date) -> workdays.WorkdayResult:
    """7.5.1.1: the result reaches the output window 1 working day before the promised due
    day, i.e. by the close of the last working day before it."""
    return workdays.add_workdays_info(promised, -1)


def deadline_changes(promised: dt.date) -> dict[str, Any]:
    info = workdays.add_workdays_info(promised, 0)
    handover = handover_due_for(promised)
    return {
        "promised_due": promised,
        "promised_due_provisional": info.provisional,
        "handover_due": handover.date,
        "handover_due_provisional": handover.provisional,
    }


def suspended_workdays(start: dt.date, end: dt.date) -> int:
    """Working days d with start <= d < end: the clock stops on the first day of the step
    and runs again on the day it ended."""
    one = dt.timedelta(days=1)
    return max(0, workdays.workdays_between(start - one, end - one))


def yellow_days() -> int:
    return int(getattr(settings, "CASES_YELLOW_WORKDAYS", 2))


def default_extension_days() -> int:
    return int(getattr(settings, "CASES_EXTENSION_DAYS", 10))


def notify(case: Case, template: str, *, now: dt.datetime, **params: Any) -> None:
    """The applicant's SMS in the caller's transaction (a phone-call task without a mobile)."""
    notification_send(
        template=template,
        to=case.phone,
        params={"name": case.masked_name, "item": case.item.name, "case_no": case.number} | params,
        related=case,
        center=case.center,
        now=now,
    )


def department_document(
    case: Case, *, kind: str, title: str, render: Callable[[str], bytes], actor: Any, now
) -> Document:
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


def center_document(
    case: Case, *, kind: str, title: str, render: Callable[[str], bytes], actor: Any, now
) -> Document:
    return c.issue(
        case,
        kind=kind,
        title=f"{title} {case.number}",
        issuer=c.center_issuer(case.center),
        render=render,
        related=case,
        actor=actor,
        now=now,
    )


def actor_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def remedy_bodies(case: Case) -> tuple[str, str]:
    """The reconsideration body and court configured for the department (§38)."""
    bodies = RemedyBodies.objects.filter(department=case.department_id).first()
    if bodies is not None:
        return bodies.reconsideration_body, bodies.court
    return f"{case.center.name}所在地人民政府", "有管辖权的人民法院"
