"""The consultations API: create (answered now / ledger with reply_due), ledger listing,
detail, reply, transfer, the public lookup; scope (a department sees only what was
transferred to it, another center 404); phones masked; bad input 422 naming the field,
nothing written."""

from __future__ import annotations

from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from govhall.consultations.models import Consultation
from govhall.notifications.models import OutboxMessage

from .conftest import at, ledgered

pytestmark = pytest.mark.django_db


def token_client(user) -> Client:
    out = StringIO()
    call_command("create_api_token", user.username, stdout=out)
    return Client(HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}")


def test_create_in_ledger_returns_reply_due(center, consultant, item):
    api = token_client(consultant)
    with time_machine.travel(at(2025, 9, 30, 15), tick=False):
        r = api.post(
            "/api/v1/consultations",
            {
                "center": center.code,
                "channel": "phone",
                "question": "异地就医备案怎么办？",
                "item_code": item.code,
                "answered_now": False,
                "name": "刘淑芬",
                "phone": "13812345678",
            },
            content_type="application/json",
        )
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["reply_due"] == "2025-10-11"  # National Day, then the 调休 Saturday
    assert data["status"] == "pending" and data["owner"] == "孙咨询"
    assert data["phone"] == "138****5678" and data["name"] == "刘*芬"
    assert data["item_code"] == item.code


def test_create_answered_now(center, consultant):
    r = token_client(consultant).post(
        "/api/v1/consultations",
        {
            "center": center.code,
            "channel": "window",
            "question": "带什么？",
            "answered_now": True,
            "answer": "身份证。",
        },
        content_type="application/json",
    )
    assert r.status_code == 201
    assert r.json()["status"] == "answered" and r.json()["reply_due"] is None


@pytest.mark.parametrize(
    ("changes", "field", "status"),
    [
        ({"question": ""}, "question", 422),
        ({"phone": "1381234"}, "phone", 422),
        ({"channel": "fax"}, "channel", 422),
        ({"center": "NOPE"}, "center", 422),
        ({"item_code": "NOPE"}, "item_code", 422),
        ({"answered_now": True}, "answer", 422),
    ],
)
def test_bad_input_names_the_field(center, consultant, changes, field, status):
    payload = {"center": center.code, "channel": "phone", "question": "q", "phone": "13812345678"}
    payload.update(changes)
    r = token_client(consultant).post(
        "/api/v1/consultations", payload, content_type="application/json"
    )
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("application/problem+json")
    fields = [e["field"] for e in r.json()["errors"]]
    assert any(f == field or f.endswith(f".{field}") for f in fields), fields
    assert Consultation.objects.count() == 0


def test_department_sees_only_its_transferred_consultations(
    center, consultant, department, approver, other_approver
):
    mine = ledgered(center, consultant, now=at(2026, 3, 2, 9))
    ledgered(center, consultant, now=at(2026, 3, 2, 9), question="另一个问题")
    api = token_client(approver)
    assert api.get("/api/v1/consultations").json() == {"count": 0, "results": []}
    assert api.get(f"/api/v1/consultations/{mine.pk}").status_code == 404
    r = token_client(consultant).post(
        f"/api/v1/consultations/{mine.pk}/transfer",
        {"to_department": department.code, "note": "请医保局答复"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["department"] == department.name
    listing = api.get("/api/v1/consultations").json()
    assert [c["id"] for c in listing["results"]] == [mine.pk]
    assert token_client(other_approver).get("/api/v1/consultations").json()["count"] == 0
    r = api.post(
        f"/api/v1/consultations/{mine.pk}/reply",
        {"answer": "可以电话备案。", "channel": "sms"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "replied"
    assert r.json()["owner"] == "孙咨询"
    assert OutboxMessage.objects.filter(template="consultation_reply").count() == 1


def test_another_center_gets_404_at_every_door(center, consultant, stranger):
    c = ledgered(center, consultant, now=at(2026, 3, 2, 9))
    api = token_client(stranger)
    assert api.get(f"/api/v1/consultations/{c.pk}").status_code == 404
    for path, body in [
        ("reply", {"answer": "x"}),
        ("transfer", {"to_user": stranger.pk}),
    ]:
        r = api.post(f"/api/v1/consultations/{c.pk}/{path}", body, content_type="application/json")
        assert r.status_code == 404, path
    assert api.get(f"/api/v1/consultations?center={center.code}").json()["count"] == 0
    r = api.post(
        "/api/v1/consultations",
        {"center": center.code, "channel": "desk", "question": "q"},
        content_type="application/json",
    )
    assert r.status_code == 404
    assert Consultation.objects.count() == 1


def test_ledger_filters_and_masks(center, consultant, clerk):
    with time_machine.travel(at(2026, 3, 10, 9), tick=False):
        late = ledgered(center, consultant, now=at(2026, 3, 2, 9))
        ledgered(center, clerk, now=at(2026, 3, 10, 9), phone="13899998888")
        api = token_client(consultant)
        overdue = api.get("/api/v1/consultations?overdue=true").json()
        assert [c["id"] for c in overdue["results"]] == [late.pk]
        assert overdue["results"][0]["overdue"] is True
        mine = api.get("/api/v1/consultations?owner=me").json()
        assert [c["id"] for c in mine["results"]] == [late.pk]
        everything = api.get("/api/v1/consultations?status=open").json()
        assert everything["count"] == 2
        assert "13899998888" not in str(everything) and "138****8888" in str(everything)
        assert api.get("/api/v1/consultations?status=bogus").status_code == 422
        assert api.get("/api/v1/consultations?page_size=500").status_code == 422


def test_reply_refused_twice_409(center, consultant):
    c = ledgered(center, consultant, now=at(2026, 3, 2, 9))
    api = token_client(consultant)
    url = f"/api/v1/consultations/{c.pk}/reply"
    assert api.post(url, {"answer": "答复"}, content_type="application/json").status_code == 200
    r = api.post(url, {"answer": "再答"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    r = api.post(url, {"answer": ""}, content_type="application/json")
    assert r.status_code in (409, 422)


def test_public_lookup_shows_reply_only_after_it(center, consultant):
    c = ledgered(center, consultant, now=at(2026, 3, 2, 9))
    public = Client()
    r = public.get(f"/api/v1/public/consultations/{c.lookup_code}")
    assert r.status_code == 200 and r.json()["answer"] == ""
    token_client(consultant).post(
        f"/api/v1/consultations/{c.pk}/reply",
        {"answer": "可以电话备案。", "channel": "online"},
        content_type="application/json",
    )
    r = public.get(f"/api/v1/public/consultations/{c.lookup_code.lower()}")
    assert r.json()["answer"] == "可以电话备案。"
    assert "138" not in str(r.json())
    assert public.get("/api/v1/public/consultations/NOSUCHCD").status_code == 404
