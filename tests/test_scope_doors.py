"""Scope at every door: staff of another center get 404 for every object of this one.

A door is a method, a URL with the object's id in it and a body. The table below is the
one place to add the next object's endpoints and pages: one line each. Every door is
tried by a clerk and by a manager of another center; each must answer 404 (a 403 would
tell a stranger that the object exists) and change nothing. The services behind them
refuse the same actors themselves (SERVICES), so a view that forgets its check still
cannot act across centers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test import Client

from govhall.core.errors import Forbidden, NotFound
from govhall.core.testing import at, plain_http_settings
from govhall.org.testing import make_center, make_department, make_user, make_window, make_zone

pytestmark = pytest.mark.django_db

NOW = at(2026, 3, 9, 10, 0)  # a Monday, a working day


@dataclass(frozen=True)
class Door:
    method: str
    url: str  # formatted with the objects: {window}, {ticket}, {code}, {task}, {center}
    body: dict[str, Any] = field(default_factory=dict)
    json: bool = True

    def __str__(self) -> str:
        return f"{self.method} {self.url}"


DOORS = [
    # queue: windows
    Door("GET", "/api/v1/windows?center={center}"),
    Door("POST", "/api/v1/windows/{window}/open"),
    Door("POST", "/api/v1/windows/{window}/pause", {"reason": "临时离开"}),
    Door("POST", "/api/v1/windows/{window}/close"),
    Door("POST", "/api/v1/windows/{window}/call-next"),
    Door("GET", "/window/?window={window}", json=False),
    Door("POST", "/window/{window}/action/", {"action": "call"}, json=False),
    # queue: tickets
    Door("POST", "/api/v1/tickets/{ticket}/recall"),
    Door("POST", "/api/v1/tickets/{ticket}/start"),
    Door("POST", "/api/v1/tickets/{ticket}/finish"),
    Door("POST", "/api/v1/tickets/{ticket}/no-show"),
    Door("POST", "/api/v1/tickets/{ticket}/transfer", {"category": "B"}),
    # appointments
    Door("POST", "/api/v1/appointments/{code}/reschedule", {"reason": "窗口临时调整"}),
    Door("POST", "/api/v1/appointments/{code}/check-in"),
    Door("GET", "/appointments/a/{code}/", json=False),
    # phone-call tasks
    Door("GET", "/notifications/calls/{task}/", json=False),
    Door("POST", "/notifications/calls/{task}/", {"outcome": "reached"}, json=False),
    # assistance: 帮办 and 代办
    Door("GET", "/api/v1/assistance/help/{help}"),
    Door("GET", "/api/v1/assistance/proxies/{proxy}"),
    Door("POST", "/api/v1/assistance/proxies/{proxy}/take-in", {"materials": []}),
    Door("POST", "/api/v1/assistance/proxies/{proxy}/chase", {"content": "催办"}),
    Door("POST", "/api/v1/assistance/proxies/{proxy}/fee-guide"),
    Door("POST", "/api/v1/assistance/proxies/{proxy}/deliver", {"method": "hand"}),
    Door("POST", "/api/v1/assistance/proxies/{proxy}/file"),
    Door("GET", "/assistance/proxies/{proxy}/", json=False),
    Door("POST", "/assistance/proxies/{proxy}/", {"action": "file"}, json=False),
    # assistance: special groups (6.7.3) and emergency help (6.7.5)
    Door("GET", "/api/v1/assistance/special-requests/{special}"),
    Door("POST", "/api/v1/assistance/special-requests/{special}/cancel", {"reason": "重复"}),
    Door("POST", "/api/v1/assistance/aids/{aid}/lend", {"borrower_name": "张三"}),
    Door("POST", "/api/v1/assistance/aid-loans/{loan}/return"),
    Door("POST", "/api/v1/assistance/emergencies/{incident}/close", {"outcome": "送医"}),
    Door("POST", "/api/v1/assistance/emergency-equipment/{equipment}/check"),
]


@pytest.fixture
def hall(settings):
    """Center A with a called ticket at window 1, a booking and a phone-call task; center B
    with its own clerk and manager."""
    from govhall.appointments import services as appointments
    from govhall.appointments.models import BookingRule, Slot
    from govhall.appointments.tests.conftest import make_item, person_id
    from govhall.notifications.services import notification_send
    from govhall.queueing import services as queue
    from govhall.queueing.models import TicketCategory, WindowSkill

    plain_http_settings(settings)
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    a = make_center("SCOPE-A", "甲县政务服务中心")
    b = make_center("SCOPE-B", "乙县政务服务中心")
    zone = make_zone(a, "A", "一楼")
    window = make_window(a, "1", zone=zone)
    for letter, primary in (("A", True), ("B", False)):
        category = TicketCategory.objects.create(center=a, letter=letter, name=f"业务{letter}")
        WindowSkill.objects.create(window=window, category=category, is_primary=primary)
    clerk_a = make_user("scope-clerk-a", ("clerk", a), home_window=window)
    with time_machine.travel(NOW, tick=False):
        queue.window_open(window=window, actor=clerk_a)
        queue.ticket_issue(center=a, category=TicketCategory.objects.get(center=a, letter="A"))
        ticket = queue.window_call_next(window=window, actor=clerk_a)
        item = make_item(a, make_department(a, "SCJG", "市场监督管理局"), zone=zone)
        rule = BookingRule.objects.create(center=a, item=item, capacity=3, slot_minutes=30)
        day = NOW.date() + dt.timedelta(days=1)
        appointments.slots_materialise(rule=rule, date_from=day, date_to=day)
        appointment = appointments.appointment_book(
            center=a,
            item=item,
            slot=Slot.objects.filter(rule=rule).order_by("start").first(),
            name="张三",
            phone="13800000001",
            id_number=person_id(1),
            channel="phone",
            now=NOW,
        )
        with transaction.atomic():
            message = notification_send(
                template="case_correction",
                to="0451-86221234",
                params={"name": "张三", "item": "食品经营许可", "case_no": "X1", "link": "x"},
                center=a,
                now=NOW,
            )
        proxy_case, help_record = _assistance(a, item, zone)
    objects = {
        "proxy": proxy_case.number,
        "help": help_record.pk,
        "center": a.code,
        "window": window.pk,
        "ticket": ticket.pk,
        "code": appointment.code,
        "task": message.call_task.pk,
        **_assistance_objects(a, clerk_a),
    }
    return SimpleNamespace(
        a=a,
        window=window,
        ticket=ticket,
        appointment=appointment,
        task=message.call_task,
        proxy_case=proxy_case,
        objects=objects,
        strangers={
            "clerk": make_user("scope-clerk-b", ("clerk", b)),
            "manager": make_user("scope-manager-b", ("manager", b)),
        },
    )


def _assistance(center, item, zone):
    """A 代办 (authorised) and a 帮办 record of center A."""
    from govhall.assistance import services
    from govhall.assistance.tests.conftest import signature_png
    from govhall.cases.tests.conftest import person_id

    proxy = make_user("scope-proxy-a", ("proxy", center))
    record = services.help_record_create(
        center=center, person_name="李四", actions=["explained"], minutes=5, outcome="resolved",
        actor=proxy, now=NOW,
    )  # fmt: skip
    p = services.proxy_apply(
        center=center, item=item, applicant_name="张三", id_type="resident_id",
        id_number=person_id(3), phone="13800000003", materials=[services.MaterialLine("申请书")],
        actor=proxy, now=NOW,
    )  # fmt: skip
    p = services.proxy_sign(
        proxy_case=p, applicant_signature=signature_png(1), proxy_signature=signature_png(2),
        proxy_id_number=person_id(4), actor=proxy, now=NOW,
    )  # fmt: skip
    return p, record


def _assistance_objects(center, clerk) -> dict[str, int]:
    """A special-service request, an aid with another aid on loan, an open emergency entry
    and an AED at center A."""
    from govhall.assistance import services
    from govhall.assistance.models import Aid, EmergencyEquipment

    with time_machine.travel(NOW, tick=False):
        special = services.special_request_create(
            center=center,
            kind="accompany",
            group="elderly",
            name="王桂兰",
            phone="13800000002",
            actor=clerk,
        )
        aid = Aid.objects.create(center=center, kind="wheelchair", label="轮椅1号", location="一楼")
        lent = Aid.objects.create(
            center=center, kind="wheelchair", label="轮椅2号", location="一楼"
        )
        loan = services.aid_lend(aid=lent, borrower_name="刘建国", actor=clerk)
        incident = services.emergency_incident_record(
            center=center,
            kind="medical",
            occurred_at=NOW,
            place="一楼",
            description="群众晕倒",
            actor=clerk,
        )
    equipment = EmergencyEquipment.objects.create(
        center=center, kind="aed", label="AED-1", location="一楼"
    )
    return {
        "special": special.pk,
        "aid": aid.pk,
        "loan": loan.pk,
        "incident": incident.pk,
        "equipment": equipment.pk,
    }


def _knock(client: Client, door: Door, objects: dict[str, Any]):
    url = door.url.format(**objects)
    if door.method == "GET":
        return client.get(url)
    if door.json:
        return client.post(url, door.body, content_type="application/json")
    return client.post(url, door.body)


@pytest.mark.parametrize("role", ["clerk", "manager"])
@pytest.mark.parametrize("door", DOORS, ids=str)
def test_staff_of_another_center_get_404(hall, door, role):
    from govhall.appointments.models import Appointment
    from govhall.assistance.models import (
        AidLoan,
        EmergencyIncident,
        EquipmentCheck,
        ProxyCase,
        SpecialRequest,
    )
    from govhall.notifications.models import PhoneCallTask
    from govhall.queueing.models import Ticket, WindowSession

    def state():
        return (
            list(Ticket.objects.values_list("id", "status", "window_id", "category_id")),
            list(WindowSession.objects.values_list("id", "state", "closed_at")),
            list(Appointment.objects.values_list("id", "status", "slot_id")),
            list(PhoneCallTask.objects.values_list("id", "status", "calls")),
            list(ProxyCase.objects.values_list("id", "status", "filed_at")),
            list(SpecialRequest.objects.values_list("id", "status")),
            list(AidLoan.objects.values_list("id", "returned_at")),
            list(EmergencyIncident.objects.values_list("id", "status")),
            EquipmentCheck.objects.count(),
        )

    before = state()
    client = Client()
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        client.force_login(hall.strangers[role])
        response = _knock(client, door, hall.objects)
    assert response.status_code == 404, response.content[:300]
    if door.json:
        assert response["Content-Type"].startswith("application/problem+json")
    assert state() == before


# --- the services themselves -----------------------------------------------------------------


def _queue(name: str, **kwargs):
    from govhall.queueing import services

    return lambda hall, actor: getattr(services, name)(**kwargs_for(hall, kwargs), actor=actor)


def kwargs_for(hall, spec: dict[str, str]) -> dict[str, Any]:
    return {
        k: getattr(hall, v) if isinstance(v, str) and hasattr(hall, v) else v
        for k, v in spec.items()
    }


def _call_task(hall, actor):
    from govhall.notifications.services import call_task_record_outcome

    return call_task_record_outcome(task_id=hall.task.pk, outcome="reached", actor=actor)


def _reschedule(hall, actor):
    from govhall.appointments import services

    return services.appointment_cancel_by_center(
        appointment=hall.appointment, reason="窗口临时调整", actor=actor
    )


def _move(hall, actor):
    from govhall.appointments import services
    from govhall.appointments.models import Slot

    other = Slot.objects.exclude(pk=hall.appointment.slot_id).order_by("start").first()
    return services.appointment_reschedule(
        appointment=hall.appointment, reason="窗口临时调整", new_slot=other, actor=actor
    )


def _proxy(name: str, **kwargs):
    from govhall.assistance import services

    return lambda hall, actor: getattr(services, name)(
        proxy_case=hall.proxy_case, **kwargs, actor=actor
    )


# (name, call(hall, actor), the error the service raises for a stranger)
SERVICES = [
    ("window_open", _queue("window_open", window="window"), Forbidden),
    ("window_pause", _queue("window_pause", window="window", reason="临时离开"), Forbidden),
    ("window_close", _queue("window_close", window="window"), Forbidden),
    ("window_call_next", _queue("window_call_next", window="window"), Forbidden),
    ("ticket_recall", _queue("ticket_recall", ticket="ticket"), Forbidden),
    ("ticket_start", _queue("ticket_start", ticket="ticket"), Forbidden),
    ("ticket_finish", _queue("ticket_finish", ticket="ticket"), Forbidden),
    ("ticket_no_show", _queue("ticket_no_show", ticket="ticket"), Forbidden),
    ("call_task_record_outcome", _call_task, NotFound),
    ("appointment_cancel_by_center", _reschedule, NotFound),
    ("appointment_reschedule", _move, NotFound),
    ("proxy_take_in", _proxy("proxy_take_in", materials=[]), NotFound),
    ("proxy_note_add", _proxy("proxy_note_add", kind="note", content="x"), NotFound),
    ("proxy_file", _proxy("proxy_file"), NotFound),
]


@pytest.mark.parametrize("role", ["clerk", "manager"])
@pytest.mark.parametrize(("name", "call", "error"), SERVICES, ids=[s[0] for s in SERVICES])
def test_services_refuse_staff_of_another_center(hall, name, call, error, role):
    with (
        time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False),
        pytest.raises(error),
    ):
        call(hall, hall.strangers[role])


# --- approvers: their departments' windows only ------------------------------------------------


def test_an_approver_sees_only_their_departments_windows(hall):
    """Approvers act in their department's console; in the hall they see the windows of
    their own department (with the staff at them), not the rest of the center's."""
    mine = make_department(hall.a, "RSJ", "人力资源和社会保障局")
    theirs = make_department(hall.a, "SCJG", "市场监督管理局")
    own_window = make_window(hall.a, "7", department=mine)
    other_window = make_window(hall.a, "8", department=theirs)
    approver = make_user("scope-approver", ("approver", hall.a, mine))
    client = Client()
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        client.force_login(approver)
        listing = client.get(f"/api/v1/windows?center={hall.a.code}")
        assert listing.status_code == 200, listing.content
        assert [r["number"] for r in listing.json()["results"]] == ["7"]
        for window in (hall.window, other_window):
            for door in DOORS:
                # The console page itself is refused to approvers as a whole (403, no
                # window named), before any window is looked up.
                if "{window}" not in door.url or door.url.startswith("/window/?"):
                    continue
                response = _knock(client, door, {**hall.objects, "window": window.pk})
                assert response.status_code == 404, (str(door), response.content[:200])
        # Their own department's window exists for them (they hold no window role there).
        response = client.post(f"/api/v1/windows/{own_window.pk}/open")
        assert response.status_code == 403, response.content
