"""What the 代办 endpoints answer: one 代办 (masked personal data, the fee always the
applicant's, notes, events, documents with signed links) and the register's rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Schema

from govhall.assistance import selectors
from govhall.assistance.models import ProxyCase
from govhall.core.masking import mask_address, mask_id_number, mask_phone
from govhall.documents.services import document_link


class NoteOut(Schema):
    kind: str
    at: dt.datetime
    department: str | None
    method: str
    contact: str
    content: str
    answer: str
    promised_on: dt.date | None


class EventOut(Schema):
    at: dt.datetime
    action: str
    from_status: str
    to_status: str
    reason: str


class DocumentOut(Schema):
    title: str
    number: str
    sha256: str
    url: str


class FeeOut(Schema):
    amount: str
    basis: str
    status: str
    payer: str


class ProxyOut(Schema):
    number: str
    center: str
    status: str
    status_label: str
    item_code: str
    item_name: str
    proxy: str | None
    applicant_name: str
    id_number: str
    phone: str
    delivery: str
    delivery_address: str
    materials: list[dict[str, Any]]
    applied_at: dt.datetime
    case_no: str | None
    case_status: str | None
    fee: FeeOut | None
    termination: str
    termination_reason: str
    returned_materials: list[str]
    filed_at: dt.datetime | None
    missing: list[dict[str, Any]] = []
    notes: list[NoteOut]
    events: list[EventOut]
    documents: list[DocumentOut]


class ProxySummary(Schema):
    number: str
    status: str
    status_label: str
    item_name: str
    applicant_name: str
    proxy: str | None
    applied_at: dt.datetime
    case_no: str | None


class ProxyList(Schema):
    count: int
    results: list[ProxySummary]


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value) if value else None


def proxy_out(p: ProxyCase, missing: list | None = None) -> dict[str, Any]:
    fee = selectors.proxy_fee(p)
    now = timezone.now()
    return {
        "number": p.number,
        "center": p.center.code,
        "status": p.status,
        "status_label": p.get_status_display(),
        "item_code": p.item.code,
        "item_name": p.item.name,
        "proxy": str(p.proxy) if p.proxy_id else None,
        "applicant_name": p.masked_name,
        "id_number": mask_id_number(p.id_number),
        "phone": mask_phone(p.phone),
        "delivery": p.delivery,
        "delivery_address": mask_address(p.delivery_address),
        "materials": p.materials,
        "applied_at": _local(p.applied_at),
        "case_no": p.case.number if p.case_id else None,
        "case_status": p.case.status if p.case_id else None,
        # 6.6.2.2 a: shown to the applicant, always theirs to pay.
        "fee": None
        if fee is None
        else {
            "amount": str(fee.amount),
            "basis": fee.basis,
            "status": fee.status,
            "payer": "applicant",
        },
        "termination": p.termination,
        "termination_reason": p.termination_reason,
        "returned_materials": p.returned_materials,
        "filed_at": _local(p.filed_at),
        "missing": missing or [],
        "notes": [
            {
                "kind": n.kind,
                "at": _local(n.at),
                "department": n.department.name if n.department_id else None,
                "method": n.method,
                "contact": n.contact,
                "content": n.content,
                "answer": n.answer,
                "promised_on": n.promised_on,
            }
            for n in selectors.proxy_notes(p)
        ],
        "events": [
            {
                "at": _local(e.at),
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "reason": e.reason,
            }
            for e in selectors.proxy_events(p)
        ],
        "documents": [
            {
                "title": d.title,
                "number": d.number,
                "sha256": d.sha256,
                "url": document_link(d, now=now),
            }
            for d in selectors.proxy_documents(p)
        ],
    }


def summary(p: ProxyCase) -> dict[str, Any]:
    return {
        "number": p.number,
        "status": p.status,
        "status_label": p.get_status_display(),
        "item_name": p.item.name,
        "applicant_name": p.masked_name,
        "proxy": str(p.proxy) if p.proxy_id else None,
        "applied_at": _local(p.applied_at),
        "case_no": p.case.number if p.case_id else None,
    }
