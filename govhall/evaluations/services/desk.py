"""Complaints received at the consultation desk (consultations, kind 投诉) become
complaints of evaluations with their rectification (9.5), read through the consultations
selectors (consultations comes before evaluations and does not know it)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from govhall.consultations import selectors as consultation_selectors
from govhall.core import workflow
from govhall.evaluations.models import Channel, Complaint
from govhall.evaluations.services._common import MAX_COMMENT, now_or
from govhall.evaluations.services.rectifications import rectification_open

LOOKBACK_DAYS = 30  # a worker stopped for weeks still takes over what was recorded meanwhile


def desk_source_key(consultation_id: int) -> str:
    return f"consultation:{consultation_id}"


def complaints_take_from_desk(*, now: dt.datetime | None = None) -> int:
    """9.5: “政务服务中心应对企业和群众反映的问题，建立整改、监督、反馈等机制”. Every complaint
    recorded at the desk (6.1.1 首问负责: “服务对象申请办理或咨询、投诉相关事宜时……”) opens
    one complaint and its rectification here, once: `Complaint.source_key` is unique, so a
    second run, or a second worker at the same moment, opens nothing more. The receiving
    staff member is recorded as the one who entered it; a phone left makes it real-name
    (called back before closing). Returns how many were taken over."""
    now = now_or(now)
    since = now - dt.timedelta(days=LOOKBACK_DAYS)
    candidates = list(consultation_selectors.desk_complaints(since=since))
    keys = [desk_source_key(c.pk) for c in candidates]
    done = set(Complaint.objects.filter(source_key__in=keys).values_list("source_key", flat=True))
    taken = 0
    for consultation in candidates:
        if desk_source_key(consultation.pk) in done:
            continue
        try:
            with transaction.atomic():
                _take(consultation, now)
        except IntegrityError:
            continue  # another worker took it over
        taken += 1
    return taken


def _take(consultation, now: dt.datetime) -> Complaint:
    phone = (consultation.phone or "").strip()
    item = consultation.item
    department_id = consultation.department_id or (item.department_id if item else None)
    complaint = Complaint.objects.create(
        center_id=consultation.center_id,
        channel=Channel.DESK,
        content=f"[咨询台 {consultation.number}] {consultation.question}"[:MAX_COMMENT],
        real_name=bool(phone),
        name=consultation.name[:50] if phone else "",
        phone=phone,
        department_id=department_id,
        entered_by=consultation.owner,
        at=consultation.received_at,
        source_key=desk_source_key(consultation.pk),
    )
    actor = consultation.owner
    workflow.record_audit(
        complaint,
        verb="created",
        actor=actor,
        now=now,
        data={"channel": Channel.DESK, "consultation": consultation.number},
    )
    rectification_open(complaint=complaint, actor=actor, now=now)
    return complaint
