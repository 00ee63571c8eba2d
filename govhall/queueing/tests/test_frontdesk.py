"""17.8: the kiosk and guide desk issue no ticket for an item handled elsewhere (they say
where), and the kiosk issues nothing outside opening hours (it says when the center opens)."""

import pytest
import time_machine
from django.test import Client

from govhall.catalog.testing import make_item
from govhall.org.testing import make_department
from govhall.queueing.models import Ticket
from govhall.queueing.tests.conftest import WORKDAY_10, at


@pytest.fixture
def marriage(q):
    dept = make_department(q.center, "MZJ", "民政局")
    item = make_item(
        q.center,
        dept,
        "QT-MZJ-1",
        "婚姻登记（结婚登记）",
        handled_here=False,
        outside_place="县民政局婚姻登记处（人民路8号）",
        outside_path="携带身份证、户口簿到婚姻登记处现场办理。",
    )
    q.cats["A"].items.add(item)
    return item


@pytest.mark.parametrize(
    "moment, expected",
    [
        (at(2, 39), "本中心将于今天 09:00开始办公"),
        (at(12, 30), "本中心将于今天 13:30开始办公"),
        # Friday evening → Monday 16 Feb? The Spring Festival holiday starts on the 15th:
        # the next working day comes from the calendar, not from the weekday.
        (at(17, 0), "开始办公"),
    ],
)
def test_kiosk_outside_opening_hours_says_when_it_opens(q, client, moment, expected):
    with time_machine.travel(moment, tick=False):
        html = client.get(f"/kiosk/?center={q.center.code}").content.decode()
        assert 'id="closed-notice"' in html and expected in html
        assert "现在不是办公时间，暂停取号。" in html
        assert "请咨询导办人员" not in html  # nobody is at the desk then
        assert 'data-category="A"' not in html
        r = client.post("/kiosk/issue/", {"center": q.center.code, "category": "A"})
        assert r.status_code == 302 and r["Location"] == f"/kiosk/?center={q.center.code}"
    assert not Ticket.objects.exists()


def test_kiosk_after_friday_names_the_next_working_day(q, client):
    from govhall.core import workdays
    from govhall.queueing.frontdesk import next_opening

    with time_machine.travel(at(17, 30), tick=False):
        opening = next_opening(q.center, at(17, 30))
        following = workdays.next_workday_on_or_after(WORKDAY_10.date().replace(day=14))
        assert opening == at(9, 0, day=following)
        html = client.get(f"/kiosk/?center={q.center.code}").content.decode()
        assert f"{following.month}月{following.day}日" in html and "09:00开始办公" in html


def test_kiosk_open_during_hours(q, client):
    with time_machine.travel(at(9, 0), tick=False):
        html = client.get(f"/kiosk/?center={q.center.code}").content.decode()
    assert 'id="closed-notice"' not in html and 'data-category="A"' in html


def test_kiosk_says_where_an_item_elsewhere_is_handled(q, client, marriage, opening_hours):
    html = client.get(f"/kiosk/?center={q.center.code}&category=A").content.decode()
    assert "不在本中心办理，点此查看办理地点" in html
    page = client.get(f"/kiosk/?center={q.center.code}&category=A&item=QT-MZJ-1")
    html = page.content.decode()
    assert 'id="elsewhere"' in html and "县民政局婚姻登记处（人民路8号）" in html
    assert "携带身份证、户口簿" in html
    assert 'id="issue-btn"' not in html and "请到" not in html
    r = client.post("/kiosk/issue/", {"center": q.center.code, "category": "A", "item": "QT-MZJ-1"})
    assert r.status_code == 302 and r["Location"].endswith("&category=A&item=QT-MZJ-1")
    assert not Ticket.objects.exists()


def test_guide_desk_says_where_an_item_elsewhere_is_handled(q, marriage, opening_hours):
    c = Client()
    c.force_login(q.guide)
    html = c.get("/guide/").content.decode()
    assert "婚姻登记（结婚登记） [不在本中心办理]" in html
    html = c.post("/guide/", {"center": q.center.code, "item": "QT-MZJ-1"}).content.decode()
    assert "“婚姻登记（结婚登记）”不在本中心办理，未取号。" in html
    assert "县民政局婚姻登记处（人民路8号）" in html and 'id="issued"' not in html
    assert not Ticket.objects.exists()
