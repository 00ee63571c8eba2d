import json

import pytest
from django.test import Client

from govhall.queueing import services
from govhall.queueing.models import Ticket

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def clerk(q):
    c = Client()
    c.force_login(q.clerk1)
    return c


def post(client, url, body=None, **headers):
    return client.post(
        url, data=json.dumps(body or {}), content_type="application/json", headers=headers
    )


def test_issue_public_and_status_page(q, client):
    r = post(
        client,
        "/api/v1/tickets",
        {"center": q.center.code, "category": "A", "phone": "13812345678"},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["number"] == "A001" and body["position"] == 1 and body["ahead"] == 0
    assert body["estimated_wait_minutes"] == 0 and body["priority"] is False
    assert "/t/" in body["status_url"] and "?t=" in body["status_url"]
    ticket = Ticket.objects.get(pk=body["id"])
    r = client.get(f"/api/v1/tickets/{ticket.pk}?t={ticket.token}")
    assert r.status_code == 200
    assert r.json()["phone"] == "138****5678"  # masked
    assert "13812345678" not in r.content.decode()
    assert client.get(f"/api/v1/tickets/{ticket.pk}?t=wrong").status_code == 404
    r = post(
        client,
        "/api/v1/tickets",
        {"center": q.center.code, "category": "A", "priority_group": "elderly"},
    )
    assert r.json()["priority"] is True and r.json()["position"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "A"}, "center"),
        ({"center": "NOPE", "category": "A"}, "center"),
        ({"center": "QT-1"}, "category"),
        ({"center": "QT-1", "category": "Z"}, "category"),
        ({"center": "QT-1", "item_code": "nope"}, "item_code"),
        ({"center": "QT-1", "category": "A", "phone": "123"}, "phone"),
        ({"center": "QT-1", "category": "A", "priority_group": "vip"}, "priority_group"),
    ],
)
def test_issue_bad_input_problem_json(q, client, body, field):
    r = post(client, "/api/v1/tickets", body)
    assert r.status_code == 422, r.content
    assert r["Content-Type"].startswith(PROBLEM)
    assert field in [e["field"] for e in r.json()["errors"]]


def test_malformed_json_is_422(q, client):
    r = client.post("/api/v1/tickets", data="{", content_type="application/json")
    assert r.status_code in (400, 422) and r["Content-Type"].startswith(PROBLEM)


def test_window_flow_over_api(q, clerk, client):
    w = q.w1.pk
    assert post(clerk, f"/api/v1/windows/{w}/call-next").status_code == 409  # not signed in
    r = post(clerk, f"/api/v1/windows/{w}/open")
    assert r.status_code == 200 and r.json()["state"] == "open"
    assert r.json()["categories"] == ["A", "B"] and r.json()["primary_category"] == "A"
    r = post(clerk, f"/api/v1/windows/{w}/call-next")
    assert r.status_code == 204 and r.content == b""
    post(client, "/api/v1/tickets", {"center": q.center.code, "category": "A"})
    r = post(clerk, f"/api/v1/windows/{w}/call-next")
    assert r.status_code == 200 and r.json()["number"] == "A001"
    tid = r.json()["id"]
    r = post(clerk, f"/api/v1/tickets/{tid}/no-show")
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    assert post(clerk, f"/api/v1/tickets/{tid}/recall").json()["recall_count"] == 1
    assert post(clerk, f"/api/v1/tickets/{tid}/start").json()["status"] == "serving"
    r = post(clerk, f"/api/v1/tickets/{tid}/start")
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    assert post(clerk, f"/api/v1/tickets/{tid}/finish").json()["status"] == "done"
    r = post(clerk, f"/api/v1/tickets/{tid}/finish")
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    r = post(clerk, f"/api/v1/windows/{w}/pause", {"reason": ""})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = post(clerk, f"/api/v1/windows/{w}/pause", {})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = post(clerk, f"/api/v1/windows/{w}/pause", {"reason": "取材料"})
    assert r.json()["state"] == "paused" and r.json()["pause_reason"] == "取材料"
    assert post(clerk, f"/api/v1/windows/{w}/close").json()["state"] == "closed"


def test_finish_and_call_next_in_one_request(q, clerk, client):
    w = q.w1.pk
    post(clerk, f"/api/v1/windows/{w}/open")
    for _ in range(2):
        post(client, "/api/v1/tickets", {"center": q.center.code, "category": "A"})
    first = post(clerk, f"/api/v1/windows/{w}/call-next").json()
    r = post(clerk, f"/api/v1/windows/{w}/call-next", {"finish": first["id"]})
    assert r.status_code == 200, r.content
    assert r.json()["number"] == "A002" and r.json()["status"] == "called"
    assert r.json()["finished"] == {"id": first["id"], "number": "A001", "status": "done"}
    done = Ticket.objects.get(pk=first["id"])
    assert done.status == "done" and done.finished_at is not None
    assert list(done.events.values_list("action", flat=True)) == ["issue", "call", "finish"]
    # A retry of the same request: A001 is done and A002 at the window stays as it is.
    r = post(clerk, f"/api/v1/windows/{w}/call-next", {"finish": first["id"]})
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    second = Ticket.objects.get(number="A002")
    assert second.status == "called" and second.window_id == w
    # Nobody waits after the last one: it is finished all the same, the answer is 204.
    r = post(clerk, f"/api/v1/windows/{w}/call-next", {"finish": second.pk})
    assert r.status_code == 204
    second.refresh_from_db()
    assert second.status == "done"


def test_finish_and_call_next_refuses_a_ticket_of_another_window(q, clerk, client):
    post(clerk, f"/api/v1/windows/{q.w1.pk}/open")
    post(client, "/api/v1/tickets", {"center": q.center.code, "category": "A"})
    post(client, "/api/v1/tickets", {"center": q.center.code, "category": "A"})
    tid = post(clerk, f"/api/v1/windows/{q.w1.pk}/call-next").json()["id"]
    r = post(clerk, f"/api/v1/windows/{q.w2.pk}/call-next", {"finish": tid})
    assert r.status_code == 409 and "不是本窗口正在办理的号码" in r.json()["detail"], r.content
    assert Ticket.objects.get(pk=tid).status == "called"
    assert Ticket.objects.filter(status="waiting").count() == 1  # nobody else was called
    r = post(clerk, f"/api/v1/windows/{q.w1.pk}/call-next", {"finish": 999999})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "finish"
    r = post(clerk, f"/api/v1/windows/{q.w1.pk}/call-next", {"finish": "A001"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "finish"
    # Ids no row can have (the read is a constant SELECT: the database is never asked)
    for impossible in (0, -1, 2**63, 10**30):
        r = post(clerk, f"/api/v1/windows/{q.w1.pk}/call-next", {"finish": impossible})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "finish", r.content
    assert Ticket.objects.get(pk=tid).status == "called"


def test_transfer_api(q, clerk, client):
    post(clerk, f"/api/v1/windows/{q.w1.pk}/open")
    post(client, "/api/v1/tickets", {"center": q.center.code, "category": "A"})
    tid = post(clerk, f"/api/v1/windows/{q.w1.pk}/call-next").json()["id"]
    r = post(clerk, f"/api/v1/tickets/{tid}/transfer", {"window": "99"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "window"
    r = post(clerk, f"/api/v1/tickets/{tid}/transfer", {})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "category"
    r = post(clerk, f"/api/v1/tickets/{tid}/transfer", {"category": "C"})
    assert r.status_code == 200, r.content
    assert r.json()["number"] == "A001" and r.json()["category"] == "C"
    assert r.json()["status"] == "waiting"


def test_staff_endpoints_need_auth_and_scope(q, client):
    assert client.get(f"/api/v1/windows?center={q.center.code}").status_code == 401
    r = post(client, f"/api/v1/windows/{q.w1.pk}/call-next")
    assert r.status_code == 401 and r["Content-Type"].startswith(PROBLEM)
    from govhall.queueing.tests.conftest import make_queue

    other = make_queue("QT-2")
    c = Client()
    c.force_login(other.clerk1)
    assert post(c, f"/api/v1/windows/{q.w1.pk}/open").status_code == 404
    assert c.get(f"/api/v1/windows?center={q.center.code}").status_code == 404
    c.force_login(q.guide)
    assert post(c, f"/api/v1/windows/{q.w1.pk}/open").status_code == 403


def test_windows_listing(q, clerk):
    post(clerk, f"/api/v1/windows/{q.w1.pk}/open")
    r = clerk.get(f"/api/v1/windows?center={q.center.code}")
    assert r.status_code == 200
    rows = {w["number"]: w for w in r.json()["results"]}
    assert r.json()["count"] == 3
    assert rows["1"]["state"] == "open" and rows["1"]["staff"] == str(q.clerk1)
    assert rows["2"]["state"] == "closed" and rows["3"]["categories"] == ["C"]


def test_display_etag_and_status(q, client):
    r = client.get(f"/api/v1/display/{q.center.code}")
    assert r.status_code == 200
    etag = r["ETag"]
    r2 = client.get(f"/api/v1/display/{q.center.code}", headers={"If-None-Match": etag})
    assert r2.status_code == 304
    services.window_open(window=q.w1, actor=q.clerk1)
    services.ticket_issue(center=q.center, category=q.cats["A"])
    services.window_call_next(window=q.w1, actor=q.clerk1)
    r3 = client.get(f"/api/v1/display/{q.center.code}", headers={"If-None-Match": etag})
    assert r3.status_code == 200 and r3["ETag"] != etag
    state = r3.json()
    assert state["calls"][0]["number"] == "A001" and state["calls"][0]["window"] == "1"
    assert next(w for w in state["windows"] if w["number"] == "1")["ticket"] == "A001"
    assert client.get("/api/v1/display/NOPE").status_code == 404
    r = client.get(f"/api/v1/queue/status?center={q.center.code}")
    assert r.status_code == 200 and r.json()["results"][0]["category"] == "A"
    assert client.get("/api/v1/queue/status").status_code == 422


def test_display_zone_filter(q, client):
    from govhall.org.testing import make_window, make_zone

    zone_b = make_zone(q.center, "B", "一楼B区")
    make_window(q.center, "7", zone=zone_b)
    r = client.get(f"/api/v1/display/{q.center.code}?zones=B")
    assert [w["number"] for w in r.json()["windows"]] == ["7"]
    assert r.json()["categories"] == []
    r = client.get(f"/api/v1/display/{q.center.code}?zones=A")
    assert [w["number"] for w in r.json()["windows"]] == ["1", "2", "3"]


def test_stream_sends_board_events(q, client, monkeypatch):
    from govhall.queueing import api_board as api

    monkeypatch.setattr(api, "STREAM_SECONDS", 0.3)
    r = client.get(f"/api/v1/display/{q.center.code}/stream")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/event-stream")
    body = b"".join(r.streaming_content).decode()
    assert body.startswith("retry: 1000") and "event: board" in body
    assert q.center.name in body


def test_idempotency_key_issue_once(q, client):
    body = {"center": q.center.code, "category": "A"}
    r1 = post(client, "/api/v1/tickets", body, **{"Idempotency-Key": "k-1"})
    r2 = post(client, "/api/v1/tickets", body, **{"Idempotency-Key": "k-1"})
    assert r1.json()["number"] == r2.json()["number"] == "A001"
    assert Ticket.objects.count() == 1


def test_board_version_cached_briefly_per_process(q, monkeypatch):
    from govhall.queueing import api_board as api

    monkeypatch.setattr(api, "BOARD_VERSION_TTL", 60)
    before = api._board_version(q.center.pk)
    services.ticket_issue(center=q.center, category=q.cats["A"])
    assert api._board_version(q.center.pk) == before  # within the TTL
    monkeypatch.setattr(api, "BOARD_VERSION_TTL", 0)
    assert api._board_version(q.center.pk) > before


def test_issue_answer_matches_its_schema(q, client):
    """The issue answer is sent without ninja re-validating it: it must still be exactly
    what TicketCreated (the OpenAPI document) promises."""
    from govhall.queueing.api import TicketCreated

    post(client, "/api/v1/tickets", {"center": q.center.code, "category": "A"})
    r = post(client, "/api/v1/tickets", {"center": q.center.code, "category": "A"})
    assert r.status_code == 201 and r["Content-Type"].startswith("application/json")
    body = r.json()
    assert set(body) == set(TicketCreated.model_fields)
    assert TicketCreated.model_validate(body).model_dump() == body
    assert (body["number"], body["position"], body["ahead"]) == ("A002", 2, 1)
    ticket = Ticket.objects.get(pk=body["id"])
    assert body["status_url"].endswith(f"/t/{ticket.pk}/?t={ticket.token}")
    schema = client.get("/api/v1/openapi.json").json()
    assert "TicketCreated" in json.dumps(schema["paths"]["/api/v1/tickets"]["post"])
