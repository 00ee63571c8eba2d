"""Signed links (altered → 404, expired → a clear page), the API (problem+json naming the
field, 409 for a second rating, scope 404), comments escaped."""

import datetime as dt

import pytest
from django.test import Client

from govhall.core.testing import at
from govhall.evaluations import tokens
from govhall.evaluations.models import Rating
from govhall.evaluations.tests.conftest import WORKDAY, finish_ticket, finished_case

pytestmark = pytest.mark.django_db
API = "/api/v1/evaluations"


def post(client, body, **extra):
    return client.post(API, body, content_type="application/json", **extra)


def test_token_is_short_signed_and_bound_to_its_matter(h):
    ticket = finish_ticket(h)
    token = tokens.make_token("ticket", ticket.pk, now=WORKDAY, days=15)
    assert len(token) < 70
    assert tokens.read_token(token, now=WORKDAY) == ("ticket", str(ticket.pk))
    # Another matter's id in the same token: the signature no longer matches.
    forged = token.replace(f"t{ticket.pk}.", f"t{ticket.pk + 1}.", 1)
    for bad in (forged, token[:-1] + ("A" if token[-1] != "A" else "B"), "nonsense"):
        with pytest.raises(Exception) as exc:
            tokens.read_token(bad, now=WORKDAY)
        assert getattr(exc.value, "status", None) == 404


def test_api_rates_by_token_once(h, time_machine):
    time_machine.move_to(WORKDAY)
    ticket = finish_ticket(h)
    token = tokens.make_token("ticket", ticket.pk, now=WORKDAY, days=15)
    client = Client()
    r = post(client, {"token": token, "channel": "sms", "level": 5, "phone": "13912345678"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["phone"] == "139****5678" and body["real_name"] is True
    r = post(client, {"token": token, "channel": "online", "level": 1})
    assert r.status_code == 409
    assert r["Content-Type"].startswith("application/problem+json")
    assert r.json()["code"] == "already_rated"
    assert "只能评价一次" in r.json()["detail"]
    assert Rating.objects.count() == 1


def test_api_altered_token_404_expired_410(h, time_machine):
    time_machine.move_to(WORKDAY)
    ticket = finish_ticket(h)
    token = tokens.make_token("ticket", ticket.pk, now=WORKDAY, days=1)
    r = post(Client(), {"token": token[:-2] + "xx", "level": 5})
    assert r.status_code == 404 and r.json()["code"] == "bad_link"
    time_machine.move_to(WORKDAY + dt.timedelta(days=1, seconds=1))
    r = post(Client(), {"token": token, "level": 5})
    assert r.status_code == 410 and r.json()["code"] == "link_expired"
    assert "已过期" in r.json()["detail"]
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"level": 9}, "level"),
        ({"level": 5, "dimensions": {"attitude": 0}}, "dimensions.attitude"),
        ({"level": 5, "phone": "abc"}, "phone"),
    ],
)
def test_api_bad_input_422_names_the_field(h, time_machine, body, field):
    time_machine.move_to(WORKDAY)
    ticket = finish_ticket(h)
    token = tokens.make_token("ticket", ticket.pk, now=WORKDAY, days=15)
    r = post(Client(), {"token": token, **body})
    assert r.status_code == 422, r.content
    assert r.json()["errors"][0]["field"] == field


def test_api_schema_error_is_problem_json(h):
    r = post(Client(), {"token": "x", "level": "five"})
    assert r.status_code in (400, 422)
    assert r["Content-Type"].startswith("application/problem+json")
    assert "level" in r.content.decode()


def test_api_target_needs_staff_and_own_center(h, time_machine):
    time_machine.move_to(WORKDAY)
    case = finished_case(h)
    r = post(Client(), {"target": {"case_no": case.number}, "channel": "box", "level": 5})
    assert r.status_code == 404
    other = Client()
    other.force_login(h.other_manager)
    r = post(other, {"target": {"case_no": case.number}, "channel": "box", "level": 5})
    assert r.status_code == 404
    own = Client()
    own.force_login(h.manager)
    r = post(own, {"target": {"case_no": case.number}, "channel": "box", "level": 2})
    assert r.status_code == 201, r.content
    assert r.json()["rectification_id"] is not None


def test_phone_page_altered_404_expired_clear_page_and_form(h, time_machine):
    time_machine.move_to(WORKDAY)
    ticket = finish_ticket(h)
    token = tokens.make_token("ticket", ticket.pk, now=WORKDAY, days=1)
    client = Client()
    assert client.get(f"/e/{token[:-1]}Z/").status_code == 404
    page = client.get(f"/e/{token}/?c=sms")
    assert page.status_code == 200 and "请对本次服务作出评价" in page.content.decode()
    r = client.post(f"/e/{token}/", {"channel": "sms", "level": "6"})
    assert r.status_code == 422 and "评价等级" in r.content.decode()
    r = client.post(
        f"/e/{token}/",
        {"channel": "sms", "level": "2", "comment": "<script>alert(1)</script>"},
    )
    assert r.status_code == 200 and "感谢您的评价" in r.content.decode()
    rating = Rating.objects.get()
    assert (rating.channel, rating.phone) == ("sms", "")
    assert "只能评价一次" in client.get(f"/e/{token}/").content.decode()
    time_machine.move_to(WORKDAY + dt.timedelta(days=2))
    r = client.get(f"/e/{token}/")
    assert r.status_code == 410
    assert "评价链接已过期" in r.content.decode()


def test_comments_are_escaped_on_staff_pages(h, time_machine):
    time_machine.move_to(WORKDAY)
    ticket = finish_ticket(h)
    token = tokens.make_token("ticket", ticket.pk, now=WORKDAY, days=1)
    Client().post(f"/e/{token}/", {"level": "1", "comment": "<b>差</b><script>x()</script>"})
    rating = Rating.objects.get()
    staff = Client()
    staff.force_login(h.manager)
    for url in (
        f"/evaluations/ratings/{rating.pk}/",
        f"/evaluations/rectifications/{rating.rectification.pk}/",
    ):
        html = staff.get(url).content.decode()
        assert "&lt;script&gt;x()&lt;/script&gt;" in html and "<script>x()" not in html


def test_rectification_api_steps_and_scope(h, time_machine):
    time_machine.move_to(at(2026, 3, 2, 10))
    ticket = finish_ticket(h, now=at(2026, 3, 2, 10))
    token = tokens.make_token("ticket", ticket.pk, now=at(2026, 3, 2, 10), days=5)
    r = post(Client(), {"token": token, "level": 1, "phone": "13912345678", "name": "张"})
    rect_id = r.json()["rectification_id"]
    other = Client()
    other.force_login(h.other_manager)
    assert other.get("/api/v1/rectifications").json()["count"] == 0
    r = other.post(
        f"/api/v1/rectifications/{rect_id}/verify",
        {"founded": True, "note": "x"},
        content_type="application/json",
    )
    assert r.status_code == 404
    dept = Client()
    dept.force_login(h.other_approver)
    assert dept.get("/api/v1/rectifications").json()["count"] == 0
    mgr = Client()
    mgr.force_login(h.manager)
    listing = mgr.get("/api/v1/rectifications?status=verifying").json()
    assert listing["count"] == 1 and listing["results"][0]["step_due"] == "2026-03-09"

    def step(name, body):
        return mgr.post(
            f"/api/v1/rectifications/{rect_id}/{name}", body, content_type="application/json"
        )

    r = step("close", {})
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    r = step("verify", {"founded": True, "note": ""})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "note"
    assert step("verify", {"founded": True, "note": "属实"}).json()["status"] == "rectifying"
    r = step("rectify", {"measures": "增开窗口", "responsible": "林晓峰"})
    assert r.json()["status"] == "callback"
    r = step("close", {})
    assert r.status_code == 409 and "回访" in r.json()["detail"]
    r = step("callback", {"result": "满意", "satisfaction": 7})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "satisfaction"
    assert step("callback", {"result": "满意", "satisfaction": 5}).json()["status"] == "closing"
    assert step("close", {"note": "完"}).json()["status"] == "closed"


def test_stats_api_scope(h, time_machine):
    time_machine.move_to(WORKDAY)
    mgr = Client()
    mgr.force_login(h.manager)
    r = mgr.get(f"/api/v1/evaluations/stats?center={h.center.code}&from=2026-01-01&to=2026-12-31")
    assert r.status_code == 200 and r.json()["total"] == 0
    other = Client()
    other.force_login(h.other_manager)
    r = other.get(f"/api/v1/evaluations/stats?center={h.center.code}")
    assert r.status_code == 404
    r = mgr.get(f"/api/v1/evaluations/stats?center={h.center.code}&from=notadate")
    assert r.status_code in (400, 422)
