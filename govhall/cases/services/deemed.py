"""Deemed acceptance (行政许可法 §32) and provisional deadlines recomputed when their year is
entered in the calendar."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, Q

from govhall.cases.models import ApplicantKind, Case, CaseEvent, Status
from govhall.cases.services import _common as c
from govhall.cases.services import deadlines
from govhall.core import workflow
from govhall.core.audit import log_action
from govhall.core.masking import mask_name
from govhall.notifications.bulk import Recipient, notifications_send_many
from govhall.org.models import Center

DEEMED_REASON = "受理审查期限届满未作决定，依法自收到申请材料之日起视为受理（部门超时）"
# What a batch reads of each case it claims: enough for its event, its SMS and the audit.
_CLAIMED = (
    "id",
    "number",
    "phone",
    "applicant_kind",
    "applicant_name",
    "center_id",
    "item__name",
    "review_start",
    "deemed_promised_due",
)


def cases_deem_accepted(*, now: dt.datetime | None = None, batch_size: int = 2000) -> int:
    """行政许可法 §32: 行政机关……逾期不告知的，自收到申请材料之日起即为受理。
    7.2.3: 审批人员……应在规定时限内作出受理决定……均以短信形式及时通知服务对象。

    Set-based, per batch in one transaction: the due cases are claimed with SKIP LOCKED
    (several workers share the work), moved by one conditional UPDATE (still received, due
    day closed: a case moves once however often or by how many workers the job runs),
    their events and SMS written with one bulk insert each (the template fetched once),
    and one audit entry names every case of the batch.
    """
    now = c._now(now)
    today = c.local_day(now)
    total = 0
    while True:
        with transaction.atomic():
            moved, claimed = _deem_batch(today, now, batch_size)
        total += moved
        if claimed < batch_size:
            return total


def _deem_batch(today: dt.date, now: dt.datetime, batch_size: int) -> tuple[int, int]:
    due = Q(status=Status.RECEIVED, acceptance_due__lt=today)
    rows = list(
        # Only the case rows (not the joined item), and FOR NO KEY UPDATE: an intake of the
        # same item, or an event row referencing a case, does not wait for the batch.
        Case.objects.select_for_update(skip_locked=True, of=("self",), no_key=True)
        .filter(due)
        .order_by("acceptance_due")
        .values_list(*_CLAIMED)[:batch_size]
    )
    if not rows:
        return 0, 0
    ids = [row[0] for row in rows]
    batch = uuid.uuid4().hex
    moved = Case.objects.filter(due, pk__in=ids).update(
        status=Status.DEEMED_ACCEPTED,
        status_changed_at=now,
        accepted_on=F("review_start"),
        promised_due=F("deemed_promised_due"),
        promised_due_provisional=F("deemed_promised_provisional"),
        decided_at=now,
        deemed=True,
        deemed_batch=batch,
    )
    if moved != len(rows):  # changed since the claim (a database without row locks)
        kept = set(Case.objects.filter(pk__in=ids, deemed_batch=batch).values_list("id", flat=True))
        rows = [row for row in rows if row[0] in kept]
    if not rows:
        return 0, len(ids)
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case_id=row[0],
                at=now,
                actor=None,
                action="deemed_accepted",
                from_status=Status.RECEIVED,
                to_status=Status.DEEMED_ACCEPTED,
                reason=DEEMED_REASON,
            )
            for row in rows
        ],
        batch_size=batch_size,
    )
    # One audit entry per batch, naming every case it moved.
    log_action(
        actor=None,
        action="govhall.cases.case.deemed_accepted",
        object_type="cases.case",
        object_id=batch,
        data={
            "from": Status.RECEIVED,
            "to": Status.DEEMED_ACCEPTED,
            "breach": True,
            "numbers": [row[1] for row in rows],
        },
        now=now,
    )
    centers = Center.objects.in_bulk({row[5] for row in rows})
    notifications_send_many(
        template="case_deemed_accepted",
        recipients=[_recipient(row, centers[row[5]]) for row in rows],
        now=now,
        batch_size=batch_size,
    )
    return len(rows), len(ids)


def _day(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _recipient(row: tuple, center: Center) -> Recipient:
    pk, number, phone, kind, name, _center, item, received, promised = row
    return Recipient(
        to=phone,
        params={
            "name": name if kind == ApplicantKind.ORGANIZATION else mask_name(name),
            "item": item,
            "case_no": number,
            "received": _day(received),
            "promised_due": _day(promised),
            "link": c.progress_url(number),
        },
        center=center,
        related_type="cases.case",
        related_id=str(pk),
    )


def cases_recompute_provisional(*, years: Iterable[int], now: dt.datetime | None = None) -> int:
    """DESIGN.md rule 5: deadlines stored as provisional are recomputed when their year is
    entered in the calendar. Runs after the calendar's commit (core.workdays signal)."""
    now = c._now(now)
    years = set(years)
    flagged = Q(acceptance_due_provisional=True) | Q(deemed_promised_provisional=True)
    flagged |= Q(correction_due_provisional=True) | Q(promised_due_provisional=True)
    changed = 0
    with transaction.atomic():
        for case in Case.objects.select_for_update().filter(flagged).select_related("guide"):
            guide = case.guide
            fields = deadlines.review_deadlines(case.review_start, guide)
            if case.correction_due_provisional and case.decided_at:
                fields |= deadlines.correction_deadline(c.local_day(case.decided_at), guide)
            if case.promised_due_provisional and case.accepted_on:
                fields |= deadlines.promised_deadline(case.accepted_on, guide)
            for name, value in fields.items():
                setattr(case, name, value)
            case.save(update_fields=list(fields))
            workflow.record_audit(
                case,
                verb="deadlines_recomputed",
                actor=None,
                now=now,
                data={"years": sorted(years), "acceptance_due": str(case.acceptance_due)},
            )
            changed += 1
    return changed
