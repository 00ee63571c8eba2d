"""Deemed acceptance (行政许可法 §32) and provisional deadlines recomputed when their year is
entered in the calendar."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, Q

from govhall.cases.models import Case, CaseEvent, Status
from govhall.cases.services import _common as c
from govhall.core import workflow
from govhall.core.audit import log_action


def cases_deem_accepted(*, now: dt.datetime | None = None, batch_size: int = 1000) -> int:
    """行政许可法 §32 / 7.2.3: 超过受理期限不告知的，自收到申请材料之日起即为受理.

    Set-based: per batch one conditional UPDATE (status still received, due day closed)
    tags the rows it moved with a batch id, then their events and SMS are written. Rows are
    claimed with SKIP LOCKED, so several workers share the work and each case moves once.
    """
    now = c._now(now)
    today = c.local_day(now)
    total = 0
    while True:
        with transaction.atomic():
            moved = _deem_batch(today, now, batch_size)
        total += moved
        if moved < batch_size:
            return total


def _deem_batch(today: dt.date, now: dt.datetime, batch_size: int) -> int:
    due = Q(status=Status.RECEIVED, acceptance_due__lt=today)
    ids = list(
        Case.objects.select_for_update(skip_locked=True)
        .filter(due)
        .order_by("acceptance_due", "id")
        .values_list("id", flat=True)[:batch_size]
    )
    if not ids:
        return 0
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
    if not moved:
        return 0
    cases = list(
        Case.objects.filter(deemed_batch=batch).select_related("item", "center", "department")
    )
    reason = "受理审查期限届满未作决定，依法自收到申请材料之日起视为受理（部门超时）"
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case,
            at=now,
            actor=None,
            action="deemed_accepted",
            from_status=Status.RECEIVED,
            to_status=Status.DEEMED_ACCEPTED,
            reason=reason,
        )
        for case in cases
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
            "numbers": [case.number for case in cases],
        },
        now=now,
    )
    for case in cases:
        c.sms(case, "case_accepted", None, now=now)
    return moved


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
            fields = c.review_deadlines(case.review_start, guide)
            if case.correction_due_provisional and case.decided_at:
                due = c.add_days(c.local_day(case.decided_at), guide.correction_limit_days)
                fields |= {
                    "correction_due": due.date,
                    "correction_due_provisional": due.provisional,
                }
            if case.promised_due_provisional and case.accepted_on:
                due = c.add_days(case.accepted_on, guide.promised_limit_days)
                fields |= {"promised_due": due.date, "promised_due_provisional": due.provisional}
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
