"""Time-limit alerts (6.1.3 限时办结): when an open case's deadline turns yellow or red, its
department's approvers and the center's managers are told through the outbox, once per
case, deadline, level and due date — also when the job runs twice or on two workers at
once (the alert row's unique constraint lets one of them write it; the other skips).

6.1.3: 服务对象申请办理政务服务事项，在符合相关规定及材料齐全、手续完备的前提下，服务人员应在
承诺的时限内办结。"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q

from govhall.cases.models import Case, DeadlineAlert
from govhall.cases.selectors_flow import due_by, with_levels, yellow_until
from govhall.cases.services import _common as c
from govhall.notifications.services import normalize_mobile, notification_send
from govhall.org.models import RoleAssignment

LEVEL_WORDS = {"yellow": "临近（黄灯）", "red": "已超期（红灯）"}


def _recipients(cache: dict, center_id: int, department_id: int) -> list[str]:
    key = (center_id, department_id)
    if key not in cache:
        phones = RoleAssignment.objects.filter(user__is_active=True).filter(
            Q(role="approver", department_id=department_id) | Q(role="manager", center_id=center_id)
        )
        numbers = {normalize_mobile(p) for p in phones.values_list("user__phone", flat=True)}
        cache[key] = sorted(n for n in numbers if n)
    return cache[key]


def cases_deadline_alerts(now: dt.datetime, batch_size: int = 500) -> int:
    """Job `cases.deadline_alerts`: returns the number of alerts written."""
    today = c.local_day(now)
    sent_already = DeadlineAlert.objects.filter(
        case=OuterRef("pk"), kind=OuterRef("due_kind"), level=OuterRef("level"), due=OuterRef("due")
    )
    candidates = (
        with_levels(Case.objects.filter(due_by(yellow_until(today))), today)
        .filter(level__in=("yellow", "red"))
        .exclude(Exists(sent_already))
        .select_related("item", "center")
        .order_by("id")
    )
    written = 0
    cache: dict = {}
    last_id = 0
    while True:
        chunk = list(candidates.filter(id__gt=last_id)[:batch_size])
        if not chunk:
            return written
        last_id = chunk[-1].id
        for case in chunk:
            if _alert(case, now, cache):
                written += 1


def _alert(case: Case, now: dt.datetime, cache: dict) -> bool:
    try:
        with transaction.atomic():
            alert = DeadlineAlert.objects.create(
                case=case, kind=case.due_kind, level=case.level, due=case.due, created_at=now
            )
            phones = _recipients(cache, case.center_id, case.department_id)
            for phone in phones:
                notification_send(
                    template="case_deadline_alert",
                    to=phone,
                    params={
                        "case_no": case.number,
                        "item": case.item.name,
                        "deadline": DeadlineAlert.Kind(case.due_kind).label,
                        "level": LEVEL_WORDS[case.level],
                        "due": f"{case.due:%Y-%m-%d}",
                    },
                    related=case,
                    center=case.center,
                    now=now,
                )
            if phones:
                DeadlineAlert.objects.filter(pk=alert.pk).update(recipients=len(phones))
    except IntegrityError:
        return False  # another worker wrote this alert
    return True
