"""Emergency help API (6.7.5): the emergency log, equipment with its flags and checks,
contacts, drills. Thin: schema in, one service or selector, schema out."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from govhall.assistance import selectors_special as sel
from govhall.assistance import services
from govhall.assistance.api_special import (
    EventOut,
    actor_of,
    center_in,
    optional_center,
    user_label,
)
from govhall.assistance.models_emergency import Drill, EmergencyIncident
from govhall.core.api import paginate

router = Router(tags=["应急救助"])

Kind = Literal["medical", "fire", "lost_person", "disturbance", "other"]


class IncidentIn(Schema):
    center: str
    kind: Kind
    occurred_at: dt.datetime
    place: str
    description: str
    helpers: str = ""
    called: str = ""
    outcome: str = ""


class IncidentOut(Schema):
    id: int
    number: str
    center: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    occurred_at: dt.datetime
    place: str
    description: str
    helpers: str
    called: str
    outcome: str
    recorded_by: str | None
    closed_at: dt.datetime | None


class IncidentDetail(IncidentOut):
    events: list[EventOut]


class IncidentPage(Schema):
    count: int
    results: list[IncidentOut]


class IncidentQuery(Schema):
    center: str = ""
    status: Literal["", "open", "closed"] = ""
    kind: Literal["", "medical", "fire", "lost_person", "disturbance", "other"] = ""
    page: int = 1
    page_size: int = 50


class CloseIn(Schema):
    outcome: str


def incident_out(i: EmergencyIncident) -> dict[str, Any]:
    return {
        "id": i.pk,
        "number": i.number,
        "center": i.center.code,
        "kind": i.kind,
        "kind_label": i.get_kind_display(),
        "status": i.status,
        "status_label": i.get_status_display(),
        "occurred_at": timezone.localtime(i.occurred_at),
        "place": i.place,
        "description": i.description,
        "helpers": i.helpers,
        "called": i.called,
        "outcome": i.outcome,
        "recorded_by": user_label(i.recorded_by),
        "closed_at": timezone.localtime(i.closed_at) if i.closed_at else None,
    }


def incident_detail(i: EmergencyIncident) -> dict[str, Any]:
    return {
        **incident_out(i),
        "events": [
            {
                "at": timezone.localtime(e.at),
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "reason": e.reason,
                "actor": user_label(e.actor),
            }
            for e in i.events.all().order_by("at", "id")
        ],
    }


@router.post(
    "/assistance/emergencies",
    response={201: IncidentDetail},
    summary="登记应急事件（时间、地点、经过、救助人员、联系单位、处置结果，6.7.5）",
)
def emergency_create(request: HttpRequest, payload: IncidentIn) -> Status:
    actor = actor_of(request)
    incident = services.emergency_incident_record(
        center=center_in(payload.center),
        kind=payload.kind,
        occurred_at=payload.occurred_at,
        place=payload.place,
        description=payload.description,
        helpers=payload.helpers,
        called=payload.called,
        outcome=payload.outcome,
        actor=actor,
    )
    return Status(201, incident_detail(sel.incident_get(actor, incident.pk)))


@router.get("/assistance/emergencies", response=IncidentPage, summary="应急事件登记簿")
def emergency_list(request: HttpRequest, q: Query[IncidentQuery]) -> dict[str, Any]:
    qs = sel.incidents_for(
        actor_of(request), center=optional_center(q.center), status=q.status, kind=q.kind
    )
    count, rows = paginate(qs, q.page, q.page_size)
    return {"count": count, "results": [incident_out(i) for i in rows]}


@router.get(
    "/assistance/emergencies/{incident_id}", response=IncidentDetail, summary="应急事件详情"
)
def emergency_get(request: HttpRequest, incident_id: int) -> dict[str, Any]:
    return incident_detail(sel.incident_get(actor_of(request), incident_id))


@router.post(
    "/assistance/emergencies/{incident_id}/close",
    response=IncidentDetail,
    summary="登记处置结果并办结（已办结的 409）",
)
def emergency_close(request: HttpRequest, incident_id: int, payload: CloseIn) -> dict[str, Any]:
    actor = actor_of(request)
    services.emergency_incident_close(
        incident=sel.incident_get(actor, incident_id), outcome=payload.outcome, actor=actor
    )
    return incident_detail(sel.incident_get(actor, incident_id))


# --- equipment, contacts, drills -------------------------------------------------------------


class EquipmentOut(Schema):
    id: int
    center: str
    kind: str
    kind_label: str
    label: str
    location: str
    last_checked: dt.date | None
    next_check: dt.date | None
    expires_on: dt.date | None
    flags: list[str]


class CenterQuery(Schema):
    center: str = ""


class CheckIn(Schema):
    checked_on: dt.date | None = None
    ok: bool = True
    expires_on: dt.date | None = None
    note: str = ""


def equipment_out(e: Any) -> dict[str, Any]:
    return {
        "id": e.pk,
        "center": e.center.code,
        "kind": e.kind,
        "kind_label": e.get_kind_display(),
        "label": e.label,
        "location": e.location,
        "last_checked": e.last_checked,
        "next_check": e.next_check_on,
        "expires_on": e.expires_on,
        "flags": e.flag_list,
    }


@router.get(
    "/assistance/emergency-equipment",
    response=list[EquipmentOut],
    summary="应急设备（急救箱、AED…）：位置、检查日期、有效期及过期/逾期提示",
)
def equipment_list(request: HttpRequest, q: Query[CenterQuery]) -> list[dict[str, Any]]:
    today = timezone.localdate()
    rows = sel.equipment_for(actor_of(request), center=optional_center(q.center), today=today)
    return [equipment_out(e) for e in rows]


@router.post(
    "/assistance/emergency-equipment/{equipment_id}/check",
    response=EquipmentOut,
    summary="登记设备检查（检查日期、状态、新的有效期）",
)
def equipment_check(request: HttpRequest, equipment_id: int, payload: CheckIn) -> dict[str, Any]:
    actor = actor_of(request)
    equipment = sel.equipment_get(actor, equipment_id)
    services.equipment_check_record(
        equipment=equipment,
        checked_on=payload.checked_on,
        ok=payload.ok,
        expires_on=payload.expires_on,
        note=payload.note,
        actor=actor,
    )
    [row] = [
        e
        for e in sel.equipment_for(actor, center=equipment.center, today=timezone.localdate())
        if e.pk == equipment.pk
    ]
    return equipment_out(row)


class ContactOut(Schema):
    center: str
    role: str
    name: str
    phone: str


@router.get("/assistance/emergency-contacts", response=list[ContactOut], summary="应急联系人和电话")
def contact_list(request: HttpRequest, q: Query[CenterQuery]) -> list[dict[str, Any]]:
    return [
        {"center": c.center.code, "role": c.role, "name": c.name, "phone": c.phone}
        for c in sel.contacts_for(actor_of(request), center=optional_center(q.center))
    ]


class DrillIn(Schema):
    center: str
    held_on: dt.date
    kind: Kind
    scenario: str
    participants: str
    participant_count: int
    findings: str = ""


class DrillOut(Schema):
    id: int
    center: str
    held_on: dt.date
    kind: str
    kind_label: str
    scenario: str
    participants: str
    participant_count: int
    findings: str


def drill_out(d: Drill) -> dict[str, Any]:
    return {
        "id": d.pk,
        "center": d.center.code,
        "held_on": d.held_on,
        "kind": d.kind,
        "kind_label": d.get_kind_display(),
        "scenario": d.scenario,
        "participants": d.participants,
        "participant_count": d.participant_count,
        "findings": d.findings,
    }


@router.post("/assistance/drills", response={201: DrillOut}, summary="登记应急演练")
def drill_create(request: HttpRequest, payload: DrillIn) -> Status:
    drill = services.drill_record(
        center=center_in(payload.center),
        held_on=payload.held_on,
        kind=payload.kind,
        scenario=payload.scenario,
        participants=payload.participants,
        participant_count=payload.participant_count,
        findings=payload.findings,
        actor=actor_of(request),
    )
    return Status(201, drill_out(drill))


@router.get("/assistance/drills", response=list[DrillOut], summary="应急演练记录")
def drill_list(request: HttpRequest, q: Query[CenterQuery]) -> list[dict[str, Any]]:
    rows = sel.drills_for(actor_of(request), center=optional_center(q.center))[:200]
    return [drill_out(d) for d in rows]
