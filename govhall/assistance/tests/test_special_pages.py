"""The special-services and emergency pages: forms through the services, errors naming the
field (422, nothing written), masked names, another center's staff see none of it."""

from __future__ import annotations

import pytest
import time_machine

from govhall.assistance.models import EmergencyIncident, SpecialRequest

from .special_fixtures import *  # noqa: F403
from .special_fixtures import NOW

pytestmark = pytest.mark.django_db


def test_special_page_create_schedule_lend(client, center, guide, proxy, wheelchair):
    client.force_login(guide)
    with time_machine.travel(NOW, tick=False):
        r = client.post(
            "/assistance/special/",
            {
                "center": center.code,
                "action": "create",
                "kind": "accompany",
                "group": "elderly",
                "name": "王桂兰",
                "phone": "13812345678",
            },
        )
        assert r.status_code == 302
        req = SpecialRequest.objects.get()
        r = client.post(
            "/assistance/special/",
            {
                "center": center.code,
                "action": "schedule",
                "id": req.pk,
                "scheduled_at": "2026-02-13T14:00",
                "staff": proxy.pk,
            },
        )
        assert r.status_code == 302
        r = client.post(
            "/assistance/special/",
            {
                "center": center.code,
                "action": "lend",
                "aid": wheelchair.pk,
                "borrower_name": "刘建国",
            },
        )
        assert r.status_code == 302
        html = client.get(f"/assistance/special/?center={center.code}").content.decode()
    req.refresh_from_db()
    assert req.status == "scheduled" and req.staff == proxy
    assert "王*兰" in html and "王桂兰" not in html and "138****5678" in html
    assert "借出：刘*国" in html


def test_special_page_bad_phone_422(client, center, guide):
    client.force_login(guide)
    r = client.post(
        "/assistance/special/",
        {
            "center": center.code,
            "action": "create",
            "kind": "home",
            "group": "elderly",
            "name": "王桂兰",
            "phone": "123",
            "address": "幸福路1号",
        },
    )
    assert r.status_code == 422 and 'data-field="phone"' in r.content.decode()
    assert not SpecialRequest.objects.exists()


def test_emergency_page_records_and_flags(client, center, guide, aed):
    client.force_login(guide)
    with time_machine.travel(NOW, tick=False):
        r = client.post(
            "/assistance/emergency/",
            {
                "center": center.code,
                "action": "record",
                "kind": "medical",
                "occurred_at": "2026-02-13T09:40",
                "place": "一楼等候区",
                "description": "群众晕倒",
                "called": "120",
            },
        )
        assert r.status_code == 302
        html = client.get(f"/assistance/emergency/?center={center.code}").content.decode()
        assert 'id="equipment-flags"' in html and "检查逾期" in html
        assert "群众晕倒" in html and "处置中" in html
        r = client.post(
            "/assistance/emergency/",
            {"center": center.code, "action": "record", "kind": "fire", "place": "x"},
        )
        assert r.status_code == 422 and 'data-field="occurred_at"' in r.content.decode()
    assert EmergencyIncident.objects.count() == 1


def test_other_center_staff_see_nothing(client, center, guide, stranger, aed):
    client.force_login(guide)
    with time_machine.travel(NOW, tick=False):
        client.post(
            "/assistance/emergency/",
            {
                "center": center.code,
                "action": "record",
                "kind": "medical",
                "occurred_at": "2026-02-13T09:40",
                "place": "一楼",
                "description": "群众晕倒",
            },
        )
    incident = EmergencyIncident.objects.get()
    client.force_login(stranger)
    html = client.get(f"/assistance/emergency/?center={center.code}").content.decode()
    assert "群众晕倒" not in html and "AED-1" not in html
    r = client.post(
        "/assistance/emergency/",
        {"center": center.code, "action": "close", "id": incident.pk, "outcome": "x"},
    )
    assert r.status_code == 404
    incident.refresh_from_db()
    assert incident.status == "open"


def test_approver_has_no_page(client, approver):
    client.force_login(approver)
    assert client.get("/assistance/emergency/").status_code == 403


def test_portal_shows_green_channel_on_center_and_item_pages(client, center, item):
    from govhall.assistance.models import GreenChannelItem

    GreenChannelItem.objects.create(
        center=center, item=item, groups=["elderly", "disabled"], measures="优先受理、上门办理"
    )
    html = client.get(f"/?center={center.code}").content.decode()
    assert 'id="green-channel"' in html
    assert "城乡居民养老保险待遇领取资格认证（老年人、残疾人）：优先受理、上门办理" in html
    html = client.get(f"/items/{item.code}/").content.decode()
    assert 'id="green-channel"' in html and "适用人群：老年人、残疾人" in html
