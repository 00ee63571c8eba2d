"""The published extended-hours schedule (6.7.4): public API and the portal's center page."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.org.models import ExtendedService
from govhall.org.testing import make_center, make_window

pytestmark = pytest.mark.django_db


@pytest.fixture
def center(db):
    center = make_center("EXT-1", "延时测试县政务服务中心")
    w1 = make_window(center, "1")
    lunch = ExtendedService.objects.create(
        center=center, kind="lunch", days="workdays", start=dt.time(12), end=dt.time(13, 30)
    )
    lunch.windows.add(w1)
    ExtendedService.objects.create(
        center=center,
        kind="weekend",
        days="rest_days",
        weekdays="6",
        start=dt.time(9),
        end=dt.time(12),
        by_appointment=True,
    )
    ExtendedService.objects.create(
        center=center,
        kind="evening",
        days="workdays",
        start=dt.time(17),
        end=dt.time(19),
        published=False,
    )
    return center


def test_public_schedule_and_a_day(center, client):
    r = client.get(f"/api/v1/public/centers/{center.code}/extended-hours?date=2026-02-14")
    assert r.status_code == 200, r.content
    data = r.json()
    assert [s["kind"] for s in data["schedule"]] == ["weekend", "lunch"]  # unpublished left out
    assert data["schedule"][0]["text"] == "星期六 09:00—12:00 周末服务 需提前预约"
    assert data["schedule"][1]["windows"] == ["1"]
    # 14 Feb 2026 is a 调休 Saturday: a working day, so the lunch session, not the weekend.
    assert [s["kind"] for s in data["sessions"]] == ["lunch"]
    assert data["sessions"][0]["start"].startswith("2026-02-14T12:00:00")
    r = client.get(f"/api/v1/public/centers/{center.code}/extended-hours?date=2026-02-21")
    assert r.json()["sessions"] == []  # a Saturday in the Spring Festival holiday


def test_unknown_center_404_and_bad_date_names_the_field(center, client):
    r = client.get("/api/v1/public/centers/NOPE/extended-hours")
    assert r.status_code == 404 and r["Content-Type"].startswith("application/problem+json")
    r = client.get(f"/api/v1/public/centers/{center.code}/extended-hours?date=2026-13-01")
    assert r.status_code in (400, 422) and "date" in r.content.decode()
    r = client.get(f"/api/v1/public/centers/{center.code}/extended-hours?date=1900-01-01")
    assert r.status_code == 422 and "date" in r.content.decode()


def test_portal_home_shows_the_schedule(center, client):
    html = client.get(f"/?center={center.code}").content.decode()
    assert 'id="extended-hours"' in html
    assert "工作日 12:00—13:30 午间不间断服务（1号窗口）" in html
    assert "星期六 09:00—12:00 周末服务 需提前预约" in html
    assert "夜间延时服务" not in html
