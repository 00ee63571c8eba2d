"""The special-group and emergency API: lifecycle through the endpoints, masked personal
data, another center → 404, bad input → 422 naming the field, wrong state → 409."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from govhall.assistance.models import EmergencyContact, GreenChannelItem

from .special_fixtures import *  # noqa: F403
from .special_fixtures import NOW, token_client

pytestmark = pytest.mark.django_db

JSON = "application/json"


def create(api, at_center, **extra):
    body = {
        "center": at_center.code,
        "kind": "home",
        "group": "disabled",
        "name": "王桂兰",
        "phone": "13812345678",
        "address": "松江县幸福路18号3单元501",
        **extra,
    }
    return api.post("/api/v1/assistance/special-requests", body, content_type=JSON)


def test_request_lifecycle_masked(center, guide, proxy, item):
    api = token_client(guide)
    with time_machine.travel(NOW, tick=False):
        r = create(api, center, item_code=item.code)
        assert r.status_code == 201, r.content
        data = r.json()
        assert data["name"] == "王*兰" and data["phone"] == "138****5678"
        assert data["address"] == "松江县幸福路****" and data["item_code"] == item.code
        rid = data["id"]
        r = api.post(
            f"/api/v1/assistance/special-requests/{rid}/schedule",
            {"scheduled_at": "2026-02-14T09:30:00+08:00", "staff": proxy.username},
            content_type=JSON,
        )
        assert r.status_code == 200 and r.json()["status"] == "scheduled"
        assert r.json()["staff"] == "赵帮办"
        r = api.post(
            f"/api/v1/assistance/special-requests/{rid}/complete",
            {"visit_note": "上门完成认证", "applicant_signed": True},
            content_type=JSON,
        )
        assert r.status_code == 200 and r.json()["status"] == "done"
        r = api.post(
            f"/api/v1/assistance/special-requests/{rid}/cancel",
            {"reason": "晚了"},
            content_type=JSON,
        )
        assert r.status_code == 409 and r["Content-Type"].startswith("application/problem+json")
        r = api.get("/api/v1/assistance/special-requests?status=done")
        assert r.json()["count"] == 1
        assert [
            e["action"]
            for e in api.get(f"/api/v1/assistance/special-requests/{rid}").json()["events"]
        ] == [
            "requested",
            "scheduled",
            "done",
        ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phone": "1381234"}, "phone"),
        ({"name": ""}, "name"),
        ({"address": ""}, "address"),
        ({"center": "NOPE"}, "center"),
        ({"item_code": "NOPE"}, "item_code"),
        ({"kind": "fly"}, "kind"),
    ],
)
def test_bad_input_422_names_the_field(center, guide, changes, field):
    r = create(token_client(guide), center, **changes)
    assert r.status_code in (400, 422), r.content
    assert field in r.content.decode()


def test_other_center_gets_404(center, guide, stranger, wheelchair, aed):
    rid = create(token_client(guide), center).json()["id"]
    other = token_client(stranger)
    assert other.get(f"/api/v1/assistance/special-requests/{rid}").status_code == 404
    r = other.post(
        f"/api/v1/assistance/special-requests/{rid}/cancel", {"reason": "x"}, content_type=JSON
    )
    assert r.status_code == 404
    assert other.get("/api/v1/assistance/special-requests").json()["count"] == 0
    r = other.post(
        f"/api/v1/assistance/aids/{wheelchair.pk}/lend", {"borrower_name": "x"}, content_type=JSON
    )
    assert r.status_code == 404
    r = other.post(f"/api/v1/assistance/emergency-equipment/{aed.pk}/check", {}, content_type=JSON)
    assert r.status_code == 404
    r = other.get(
        f"/api/v1/assistance/special-stats?center={center.code}&start=2026-02-01&end=2026-02-28"
    )
    assert r.status_code == 404
    # Creating at another center: 404 as well.
    assert create(other, center).status_code == 404


def test_aid_loan_409_and_return(center, guide, wheelchair):
    api = token_client(guide)
    r = api.post(
        f"/api/v1/assistance/aids/{wheelchair.pk}/lend",
        {"borrower_name": "刘建国", "borrower_phone": "13900001234"},
        content_type=JSON,
    )
    assert r.status_code == 201 and r.json()["borrower_name"] == "刘*国"
    loan = r.json()["id"]
    r = api.post(
        f"/api/v1/assistance/aids/{wheelchair.pk}/lend",
        {"borrower_name": "张三"},
        content_type=JSON,
    )
    assert r.status_code == 409 and "已借出" in r.json()["detail"]
    [aid] = api.get("/api/v1/assistance/aids").json()
    assert aid["on_loan"]["borrower_phone"] == "139****1234"
    assert api.post(f"/api/v1/assistance/aid-loans/{loan}/return").status_code == 200
    assert api.post(f"/api/v1/assistance/aid-loans/{loan}/return").status_code == 409
    assert api.get("/api/v1/assistance/aids").json()[0]["on_loan"] is None


def test_emergency_log_equipment_drills(center, guide, manager, aed):
    EmergencyContact.objects.create(center=center, role="医疗急救", name="县急救中心", phone="120")
    api = token_client(guide)
    with time_machine.travel(NOW, tick=False):
        r = api.post(
            "/api/v1/assistance/emergencies",
            {
                "center": center.code,
                "kind": "medical",
                "occurred_at": "2026-02-13T09:40:00+08:00",
                "place": "一楼等候区",
                "description": "群众晕倒",
                "called": "120",
            },
            content_type=JSON,
        )
        assert r.status_code == 201 and r.json()["status"] == "open"
        iid = r.json()["id"]
        r = api.post(
            f"/api/v1/assistance/emergencies/{iid}/close", {"outcome": ""}, content_type=JSON
        )
        assert r.status_code == 422 and "outcome" in r.content.decode()
        r = api.post(
            f"/api/v1/assistance/emergencies/{iid}/close",
            {"outcome": "送医"},
            content_type=JSON,
        )
        assert r.status_code == 200 and r.json()["status"] == "closed"
        r = api.post(
            f"/api/v1/assistance/emergencies/{iid}/close",
            {"outcome": "送医"},
            content_type=JSON,
        )
        assert r.status_code == 409
        [row] = api.get("/api/v1/assistance/emergency-equipment").json()
        assert row["flags"] == ["检查逾期"]
        r = api.post(
            f"/api/v1/assistance/emergency-equipment/{aed.pk}/check",
            {"expires_on": "2027-01-31"},
            content_type=JSON,
        )
        assert r.status_code == 200 and r.json()["flags"] == []
        assert r.json()["last_checked"] == "2026-02-13"
        r = api.post(
            "/api/v1/assistance/drills",
            {
                "center": center.code,
                "held_on": "2026-02-12",
                "kind": "fire",
                "scenario": "火情疏散",
                "participants": "全体人员",
                "participant_count": 30,
            },
            content_type=JSON,
        )
        assert r.status_code == 201
        assert api.get("/api/v1/assistance/emergency-contacts").json()[0]["phone"] == "120"
        r = api.get(
            f"/api/v1/assistance/special-stats?center={center.code}&start=2026-02-01&end=2026-02-28"
        )
        assert r.status_code == 200
        assert r.json()["emergencies"] == {"突发疾病/受伤": 1} and r.json()["drills"] == 1
        r = api.get(
            f"/api/v1/assistance/special-stats?center={center.code}&start=2026-02-28&end=2026-02-01"
        )
        assert r.status_code == 422 and "end" in r.content.decode()


def test_public_green_channel(center, item, client):
    GreenChannelItem.objects.create(
        center=center, item=item, groups=["elderly", "disabled"], measures="优先受理、上门办理"
    )
    r = client.get(f"/api/v1/public/centers/{center.code}/green-channel")
    assert r.status_code == 200
    assert r.json()[0]["groups_label"] == "老年人、残疾人" and r.json()[0]["item_code"] == item.code
    assert client.get("/api/v1/public/centers/NOPE/green-channel").status_code == 404


def test_stats_count_service_in_extended_hours(center, guide):
    from govhall.org.models import ExtendedService
    from govhall.org.testing import make_user, make_window
    from govhall.queueing import services as queue
    from govhall.queueing.models import TicketCategory, WindowSkill
    from govhall.queueing.tests.conftest import at

    w1 = make_window(center, "1")
    clerk = make_user("sp-clerk", ("clerk", center), home_window=w1)
    cat = TicketCategory.objects.create(center=center, letter="A", name="综合")
    WindowSkill.objects.create(window=w1, category=cat, is_primary=True)
    ExtendedService.objects.create(
        center=center, kind="weekend", days="rest_days", start=dt.time(9), end=dt.time(12)
    )
    saturday = dt.date(2026, 3, 7)
    for hour in (10, 13):  # one in the session, one after it
        with time_machine.travel(at(hour, 0, day=saturday), tick=False):
            queue.window_open(window=w1, actor=clerk)
            queue.ticket_issue(center=center, category=cat)
            ticket = queue.window_call_next(window=w1, actor=clerk)
            queue.ticket_finish(ticket=ticket, actor=clerk)
    r = token_client(guide).get(
        f"/api/v1/assistance/special-stats?center={center.code}&start=2026-03-01&end=2026-03-31"
    )
    assert r.json()["extended_hours_served"] == {"周末服务": 1}


def test_stats_dates_out_of_range_422(center, guide):
    api = token_client(guide)
    base = f"/api/v1/assistance/special-stats?center={center.code}"
    r = api.get(base + "&start=9999-12-30&end=9999-12-31")
    assert r.status_code == 422 and "start" in r.content.decode()
    r = api.get(base + "&start=2026-01-01&end=9999-12-31")
    assert r.status_code == 422 and "end" in r.content.decode()
