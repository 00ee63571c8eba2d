"""Emergency help (6.7.5): the log, equipment checks and flags, drills."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.assistance import selectors_special as sel
from govhall.assistance import services
from govhall.assistance.models import EmergencyIncident
from govhall.assistance.models_emergency import add_months
from govhall.core.errors import InvalidInput, InvalidTransition, NotFound

from .special_fixtures import *  # noqa: F403
from .special_fixtures import NOW, at

pytestmark = pytest.mark.django_db


def test_log_entry_open_then_closed(center, guide, manager):
    incident = services.emergency_incident_record(
        center=center,
        kind="medical",
        occurred_at=at(2026, 2, 13, 9, 40),
        place="一楼等候区B排",
        description="一名老年群众等候时晕倒",
        helpers="钱导办、保安周师傅",
        called="120",
        actor=guide,
        now=NOW,
    )
    assert incident.status == "open" and incident.number.startswith("YJ20260213-")
    incident = services.emergency_incident_close(
        incident=incident, outcome="120 送往县医院，已通知家属", actor=manager, now=NOW
    )
    assert incident.status == "closed" and incident.closed_at == NOW
    with pytest.raises(InvalidTransition):
        services.emergency_incident_close(incident=incident, outcome="x", actor=manager, now=NOW)
    assert [e.action for e in incident.events.order_by("id")] == ["recorded", "closed"]


def test_entry_with_outcome_is_closed_at_once(center, guide):
    incident = services.emergency_incident_record(
        center=center,
        kind="lost_person",
        occurred_at=at(2026, 2, 13, 9, 0),
        place="二楼",
        description="儿童与家长走散",
        outcome="广播寻人，十分钟后找到",
        actor=guide,
        now=NOW,
    )
    assert incident.status == "closed"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "flood"}, "kind"),
        ({"occurred_at": at(2026, 2, 13, 11, 0)}, "occurred_at"),  # after now
        ({"occurred_at": None}, "occurred_at"),
        ({"place": ""}, "place"),
        ({"description": ""}, "description"),
    ],
)
def test_bad_log_input_names_the_field(center, guide, changes, field):
    data = {
        "center": center,
        "kind": "fire",
        "occurred_at": at(2026, 2, 13, 9),
        "place": "配电间",
        "description": "冒烟",
    }
    data.update(changes)
    with pytest.raises(InvalidInput) as exc:
        services.emergency_incident_record(**data, actor=guide, now=NOW)
    assert exc.value.errors[0]["field"] == field
    assert not EmergencyIncident.objects.exists()


def test_other_center_not_found(center, guide, stranger, aed):
    with pytest.raises(NotFound):
        services.emergency_incident_record(
            center=center,
            kind="fire",
            occurred_at=at(2026, 2, 13, 9),
            place="x",
            description="y",
            actor=stranger,
            now=NOW,
        )
    with pytest.raises(NotFound):
        services.equipment_check_record(equipment=aed, actor=stranger, now=NOW)
    assert sel.incidents_for(stranger).count() == 0


def test_equipment_flags_and_check(center, guide, aed):
    # Checked 20 Dec, monthly: due 20 Jan, overdue on 13 Feb; pads valid to 30 June.
    [row] = sel.equipment_for(guide, center=center, today=dt.date(2026, 2, 13))
    assert row.flag_list == ["检查逾期"] and row.next_check_on == dt.date(2026, 1, 20)
    services.equipment_check_record(
        equipment=aed, checked_on=dt.date(2026, 2, 13), actor=guide, now=NOW
    )
    [row] = sel.equipment_for(guide, center=center, today=dt.date(2026, 2, 13))
    assert row.flag_list == []
    [row] = sel.equipment_for(guide, center=center, today=dt.date(2026, 7, 1))
    assert row.flag_list == ["已过期", "检查逾期"]
    with pytest.raises(InvalidInput) as exc:
        services.equipment_check_record(equipment=aed, ok=False, actor=guide, now=NOW)
    assert exc.value.errors[0]["field"] == "note"
    with pytest.raises(InvalidInput) as exc:
        services.equipment_check_record(
            equipment=aed, checked_on=dt.date(2026, 2, 14), actor=guide, now=NOW
        )
    assert exc.value.errors[0]["field"] == "checked_on"


def test_add_months_keeps_month_ends():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2025, 12, 20), 1) == dt.date(2026, 1, 20)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)


def test_drill_recorded_and_validated(center, manager):
    drill = services.drill_record(
        center=center,
        held_on=dt.date(2026, 2, 12),
        kind="fire",
        scenario="大厅火情疏散演练",
        participants="全体窗口人员、保安",
        participant_count=36,
        findings="二楼东侧疏散指示灯不亮，已报修",
        actor=manager,
        now=NOW,
    )
    assert sel.drills_for(manager, center=center).get() == drill
    with pytest.raises(InvalidInput) as exc:
        services.drill_record(
            center=center,
            held_on=dt.date(2026, 2, 20),
            kind="fire",
            scenario="x",
            participants="y",
            participant_count=3,
            actor=manager,
            now=NOW,
        )
    assert exc.value.errors[0]["field"] == "held_on"
    with pytest.raises(InvalidInput) as exc:
        services.drill_record(
            center=center,
            held_on=dt.date(2026, 2, 12),
            kind="fire",
            scenario="x",
            participants="y",
            participant_count=0,
            actor=manager,
            now=NOW,
        )
    assert exc.value.errors[0]["field"] == "participant_count"
