"""Emergency help (6.7.5): the emergency log, equipment checks, drill records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from govhall.assistance.models_emergency import (
    Drill,
    EmergencyEquipment,
    EmergencyIncident,
    EmergencyKind,
    EquipmentCheck,
)
from govhall.assistance.services._special_common import (
    center_of,
    choice,
    clean_text,
    local_day,
    new_number,
    require_hall_staff,
)
from govhall.core import workflow
from govhall.core.errors import InvalidInput
from govhall.org.models import Center

_now = workflow.resolve_now


@transaction.atomic
def emergency_incident_record(
    *,
    center: Center | None,
    kind: str,
    occurred_at: dt.datetime | None,
    place: str,
    description: str,
    actor: Any,
    helpers: str = "",
    called: str = "",
    outcome: str = "",
    now: dt.datetime | None = None,
) -> EmergencyIncident:
    """6.7.5: "政务服务中心应提供相应紧急情况救助服务。"

    One entry of the emergency log: what happened, when and where, who helped and whom
    they called (120, 110, 119, the family…). With an outcome it is recorded as handled at
    once; otherwise it stays open until closed with its outcome."""
    now = _now(now)
    center = center_of(center)
    require_hall_staff(actor, center.pk)
    kind = choice(kind, EmergencyKind, "kind", "事件类型")
    if occurred_at is None:
        raise InvalidInput("请填写发生时间。", field="occurred_at")
    if occurred_at > now + dt.timedelta(minutes=5):
        raise InvalidInput("发生时间不能晚于现在。", field="occurred_at")
    place = clean_text(place, "place", "地点", 120)
    description = clean_text(description, "description", "经过", 4000)
    helpers = clean_text(helpers, "helpers", "参与救助人员", 300, required=False)
    called = clean_text(called, "called", "联系的外部单位", 300, required=False)
    outcome = clean_text(outcome, "outcome", "处置结果", 4000, required=False)
    incident = EmergencyIncident.objects.create(
        center=center,
        number=new_number("YJ", now),
        kind=kind,
        occurred_at=occurred_at,
        place=place,
        description=description,
        helpers=helpers,
        called=called,
        recorded_at=now,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    workflow.record(
        incident,
        action="recorded",
        from_status="",
        actor=actor,
        now=now,
        audit_data={"number": incident.number, "kind": kind},
    )
    if outcome:
        incident = _close(incident, outcome=outcome, actor=actor, now=now)
    return incident


def _close(incident: EmergencyIncident, *, outcome: str, actor: Any, now: dt.datetime):
    return workflow.transition(
        incident,
        EmergencyIncident.Status.CLOSED,
        action="closed",
        actor=actor,
        now=now,
        reason=outcome[:200],
        changes={"outcome": outcome, "closed_at": now},
        audit_data=lambda i: {"number": i.number},
        refused=lambda i: "该应急事件已处置完毕，不能重复办结。",
    )


@transaction.atomic
def emergency_incident_close(
    *, incident: EmergencyIncident, outcome: str, actor: Any, now: dt.datetime | None = None
) -> EmergencyIncident:
    """6.7.5 (紧急情况救助): the outcome of an open entry of the emergency log (sent to
    hospital, person found, order restored…)."""
    now = _now(now)
    require_hall_staff(actor, incident.center_id, "该应急事件")
    outcome = clean_text(outcome, "outcome", "处置结果", 4000)
    return _close(incident, outcome=outcome, actor=actor, now=now)


@transaction.atomic
def equipment_check_record(
    *,
    equipment: EmergencyEquipment,
    actor: Any,
    checked_on: dt.date | None = None,
    ok: bool = True,
    expires_on: dt.date | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> EquipmentCheck:
    """6.7.5 (紧急情况救助): a check of the first-aid kit, the AED, an extinguisher; the
    equipment's last-checked date (and the new expiry of its pads or medicines) follow."""
    now = _now(now)
    require_hall_staff(actor, equipment.center_id, "该应急设备")
    today = local_day(now)
    checked_on = checked_on or today
    if checked_on > today:
        raise InvalidInput("检查日期不能晚于今天。", field="checked_on")
    note = clean_text(note, "note", "说明", 200, required=False)
    if not ok and not note:
        raise InvalidInput("设备有问题时请说明情况。", field="note")
    check = EquipmentCheck.objects.create(
        equipment=equipment,
        checked_on=checked_on,
        ok=ok,
        expires_on=expires_on,
        note=note,
        checked_by=actor if getattr(actor, "pk", None) else None,
    )
    changes: dict[str, Any] = {}
    if equipment.last_checked is None or checked_on >= equipment.last_checked:
        changes["last_checked"] = checked_on
    if expires_on is not None:
        changes["expires_on"] = expires_on
    if changes:
        EmergencyEquipment.objects.filter(pk=equipment.pk).update(**changes)
        for field, value in changes.items():
            setattr(equipment, field, value)
    workflow.record_audit(
        equipment,
        verb="checked",
        actor=actor,
        now=now,
        data={"on": str(checked_on), "ok": ok, "expires_on": str(expires_on or "")},
    )
    return check


@transaction.atomic
def drill_record(
    *,
    center: Center | None,
    held_on: dt.date | None,
    kind: str,
    scenario: str,
    participants: str,
    participant_count: int,
    actor: Any,
    findings: str = "",
    now: dt.datetime | None = None,
) -> Drill:
    """6.7.5 (紧急情况救助): a drill — the date, the scenario, who took part, what was found
    and is to be improved."""
    now = _now(now)
    center = center_of(center)
    require_hall_staff(actor, center.pk)
    if held_on is None:
        raise InvalidInput("请填写演练日期。", field="held_on")
    if held_on > local_day(now):
        raise InvalidInput("演练日期不能晚于今天（请在演练后登记）。", field="held_on")
    kind = choice(kind, EmergencyKind, "kind", "演练类型")
    scenario = clean_text(scenario, "scenario", "演练科目", 200)
    participants = clean_text(participants, "participants", "参加人员", 500)
    if not isinstance(participant_count, int) or not 1 <= participant_count <= 10000:
        raise InvalidInput("参加人数须为 1 到 10000 之间的整数。", field="participant_count")
    findings = clean_text(findings, "findings", "发现的问题", 4000, required=False)
    drill = Drill.objects.create(
        center=center,
        held_on=held_on,
        kind=kind,
        scenario=scenario,
        participants=participants,
        participant_count=participant_count,
        findings=findings,
        recorded_by=actor if getattr(actor, "pk", None) else None,
        recorded_at=now,
    )
    workflow.record_audit(
        drill, verb="recorded", actor=actor, now=now, data={"held_on": str(held_on), "kind": kind}
    )
    return drill
