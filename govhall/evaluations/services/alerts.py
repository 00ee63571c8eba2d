"""Overdue alerts of the rectification loop (9.5), as rows, audit entries and SMS to the
people responsible, once per rectification, step and level."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q

from govhall.core import workdays, workflow
from govhall.evaluations.models import OverdueAlert, Rectification, RectStatus
from govhall.evaluations.services._common import local_day, now_or, settings_for
from govhall.notifications.services import normalize_mobile, notification_send
from govhall.org.models import Role, User

LEVEL_WORDS = {1: "已逾期", 2: "逾期超过一个时限（二级提醒）"}
ALERT_TEMPLATE = "evaluation_rectification_overdue"


def alert_recipients(rect: Rectification, level: int) -> list[str]:
    """Who is told: the staff member concerned (the rated or complained-about one) and the
    responsible department's approvers; level 2 (or no one of those) adds the center's
    managers. Mobile numbers, deduplicated, in a stable order."""
    source = rect.rating or rect.complaint
    staff_id = getattr(source, "staff_id", None)
    people = Q(pk=staff_id) if staff_id else Q(pk__in=[])
    if rect.department_id:
        people |= Q(
            roles__role=Role.APPROVER,
            roles__center_id=rect.center_id,
            roles__department_id=rect.department_id,
        )
    managers = Q(roles__role=Role.MANAGER, roles__center_id=rect.center_id)

    def phones(condition: Q) -> list[str]:
        rows = User.objects.filter(condition, is_active=True).values_list("phone", flat=True)
        return sorted({m for m in (normalize_mobile(p or "") for p in rows) if m})

    found = phones(people)
    if level >= 2 or not found:
        found = sorted(set(found) | set(phones(managers)))
    return found


def rectifications_alert_overdue(*, now: dt.datetime | None = None) -> int:
    """9.5: “政务服务中心应对企业和群众反映的问题，建立整改、监督、反馈等机制，加强督促整改”.
    Overdue alerts, once per step and level: level 1 the day after the step's due day,
    level 2 once another full limit of working days has passed. Each alert is a row (the
    unique row decides between several workers), an audit entry and an SMS through the
    outbox (quiet hours kept by the outbox) to `alert_recipients`."""
    now = now_or(now)
    today = local_day(now)
    sent = 0
    overdue = Rectification.objects.exclude(status=RectStatus.CLOSED).filter(step_due__lt=today)
    for rect in overdue.select_related("center", "rating", "complaint"):
        limit = settings_for(rect.center_id).step_days
        level = 2 if workdays.add_workdays(rect.step_due, limit) < today else 1
        for lvl in range(rect.step_alert_level + 1, level + 1):
            try:
                with transaction.atomic():
                    _alert(rect, lvl, now)
            except IntegrityError:
                continue  # another worker wrote this alert
            sent += 1
    return sent


def _alert(rect: Rectification, level: int, now: dt.datetime) -> None:
    OverdueAlert.objects.create(rectification=rect, step=rect.status, level=level, at=now)
    Rectification.objects.filter(pk=rect.pk).update(step_alert_level=level, ever_overdue=True)
    phones = alert_recipients(rect, level)
    for phone in phones:
        notification_send(
            template=ALERT_TEMPLATE,
            to=phone,
            params={
                "number": rect.pk,
                "source": rect.source_label[:30],
                "step": rect.get_status_display(),
                "level": LEVEL_WORDS[level],
                "due": f"{rect.step_due:%Y-%m-%d}",
            },
            related=rect,
            center=rect.center,
            now=now,
        )
    workflow.record_audit(
        rect,
        verb="overdue_alert",
        actor=None,
        now=now,
        data={
            "step": rect.status,
            "level": level,
            "due": str(rect.step_due),
            "recipients": len(phones),
        },
    )
