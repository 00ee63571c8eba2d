"""Time-limit alerts (6.1.3 限时办结): when an open case's deadline turns yellow or red, its
department's approvers and the center's managers are told through the outbox, once per
case, deadline, level and due date — also when the job runs twice or on two workers at
once.

Set-based, per chunk of candidates in one transaction: the alert rows are inserted in one
statement that skips the ones already written (the unique constraint decides between two
workers), the rows carrying this run's batch are the ones this run wrote, and exactly their
SMS are queued with one bulk insert (notifications_send_many): a recipient with one alert
in the run gets that case's own message (`case_deadline_alert`), one with several gets one
digest (`case_deadline_digest`: counts and the first case numbers) — the dashboard lists the
rest, and a manager is not sent thousands of messages when many cases turn at once.

6.1.3: 服务对象申请办理政务服务事项，在符合相关规定及材料齐全、手续完备的前提下，服务人员应在
承诺的时限内办结。"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from govhall.cases.models import Case, DeadlineAlert
from govhall.cases.selectors_flow import due_by, with_levels, yellow_until
from govhall.cases.services import _common as c
from govhall.notifications.bulk import Recipient, notifications_send_many
from govhall.notifications.services import normalize_mobile
from govhall.org.models import Center, RoleAssignment

LEVEL_WORDS = {"yellow": "临近（黄灯）", "red": "已超期（红灯）"}
DIGEST_EXAMPLES = 3  # case numbers named in a digest; the rest are on the dashboard
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


def cases_deadline_alerts(now: dt.datetime, batch_size: int = 5000) -> int:
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
    # Each recipient's alerts of this chunk, so one person gets one message per run
    # however many cases turned (a center's manager must not get thousands of SMS).
    by_phone: dict[tuple[str, int], list[tuple]] = defaultdict(list)
    for row in chunk:
        pk, _no, _item, center_id, department_id, kind, level, due = row
        if (pk, kind, level, due) in mine:
            for phone in _recipients(cache, center_id, department_id):
                by_phone[(phone, center_id)].append(row)
    single = [
        _one(rows[0], phone, centers) for (phone, _c), rows in by_phone.items() if len(rows) == 1
    ]
    digests = [
        _digest(rows, phone, centers[center_id], batch)
        for (phone, center_id), rows in by_phone.items()
        if len(rows) > 1
    ]
    notifications_send_many(template="case_deadline_alert", recipients=single, now=now)
    notifications_send_many(template="case_deadline_digest", recipients=digests, now=now)
    return len(mine)


def _one(row: tuple, phone: str, centers: dict) -> Recipient:
    """The case's own alert, when it is the recipient's only one in this run."""
    pk, number, item, center_id, _department_id, kind, level, due = row
    return Recipient(
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


def _digest(rows: list[tuple], phone: str, center: Center, batch: str) -> Recipient:
    """Several alerts for one recipient: counts and the first case numbers (red first); the
    message points at the alert rows of this run (their `batch`)."""
    rows = sorted(rows, key=lambda r: (r[6] != "red", r[7], r[1]))
    red = sum(1 for r in rows if r[6] == "red")
    shown = "、".join(r[1] for r in rows[:DIGEST_EXAMPLES])
    return Recipient(
        to=phone,
        params={
            "count": len(rows),
            "red": red,
            "yellow": len(rows) - red,
            "examples": shown + ("等" if len(rows) > DIGEST_EXAMPLES else ""),
        },
        center=center,
        related_type="cases.deadlinealert",
        related_id=batch,
    )
