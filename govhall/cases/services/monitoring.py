"""Time-limit alerts (6.1.3 限时办结): when an open case's deadline turns yellow or red, its
department's approvers and the center's managers are told through the outbox, once per
case, deadline, level and due date — also when the job runs twice or on two workers at
once.

Set-based, per chunk of candidates in one transaction: the alert rows are inserted in one
statement that skips the ones already written (the unique constraint decides between two
workers), the rows carrying this run's batch are the ones this run wrote, and exactly their
SMS are queued with one bulk insert (notifications_send_many).

6.1.3: 服务对象申请办理政务服务事项，在符合相关规定及材料齐全、手续完备的前提下，服务人员应在
承诺的时限内办结。"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from govhall.cases.models import Case, DeadlineAlert
from govhall.cases.selectors_flow import due_by, with_levels, yellow_until
from govhall.cases.services import _common as c
from govhall.notifications.bulk import Recipient, notifications_send_many
from govhall.notifications.services import normalize_mobile
from govhall.org.models import Center, RoleAssignment

LEVEL_WORDS = {"yellow": "临近（黄灯）", "red": "已超期（红灯）"}
_FIELDS = ("id", "number", "item__name", "center_id", "department_id", "due_kind", "level", "due")


def _recipients(cache: dict, center_id: int, department_id: int) -> list[str]:
    key = (center_id, department_id)
    if key not in cache:
        phones = RoleAssignment.objects.filter(user__is_active=True).filter(
            Q(role="approver", department_id=department_id) | Q(role="manager", center_id=center_id)
        )
        numbers = {normalize_mobile(p) for p in phones.values_list("user__phone", flat=True)}
        cache[key] = sorted(n for n in numbers if n)
    return cache[key]


def cases_deadline_alerts(now: dt.datetime, batch_size: int = 2000) -> int:
    """Job `cases.deadline_alerts`: returns the number of alerts written."""
    today = c.local_day(now)
    sent_already = DeadlineAlert.objects.filter(
        case=OuterRef("pk"), kind=OuterRef("due_kind"), level=OuterRef("level"), due=OuterRef("due")
    )
    candidates = (
        with_levels(Case.objects.filter(due_by(yellow_until(today))), today)
        .filter(level__in=("yellow", "red"))
        .exclude(Exists(sent_already))
        .order_by("id")
    )
    written = 0
    cache: dict = {}
    centers: dict[int, Center] = {}
    last_id = 0
    while True:
        chunk = list(candidates.filter(id__gt=last_id).values_list(*_FIELDS)[:batch_size])
        if not chunk:
            return written
        last_id = chunk[-1][0]
        written += _alert_chunk(chunk, now, cache, centers)


@transaction.atomic
def _alert_chunk(chunk: list[tuple], now: dt.datetime, cache: dict, centers: dict) -> int:
    batch = uuid.uuid4().hex
    DeadlineAlert.objects.bulk_create(
        [
            DeadlineAlert(
                case_id=pk,
                kind=kind,
                level=level,
                due=due,
                created_at=now,
                recipients=len(_recipients(cache, center_id, department_id)),
                batch=batch,
            )
            for pk, _no, _item, center_id, department_id, kind, level, due in chunk
        ],
        ignore_conflicts=True,
    )
    mine = set(
        DeadlineAlert.objects.filter(batch=batch).values_list("case_id", "kind", "level", "due")
    )
    missing = {row[3] for row in chunk} - set(centers)
    centers.update(Center.objects.in_bulk(missing))
    recipients = [
        Recipient(
            to=phone,
            params={
                "case_no": number,
                "item": item,
                "deadline": DeadlineAlert.Kind(kind).label,
                "level": LEVEL_WORDS[level],
                "due": f"{due:%Y-%m-%d}",
            },
            center=centers[center_id],
            related_type="cases.case",
            related_id=str(pk),
        )
        for pk, number, item, center_id, department_id, kind, level, due in chunk
        if (pk, kind, level, due) in mine
        for phone in _recipients(cache, center_id, department_id)
    ]
    notifications_send_many(template="case_deadline_alert", recipients=recipients, now=now)
    return len(mine)
