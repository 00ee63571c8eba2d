"""The 帮办/代办 API: a 代办 from application to delivery over HTTP, another center → 404 at
every door, bad input → 422 naming the field, wrong state → 409, masked personal data."""

from __future__ import annotations

import base64
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from govhall.assistance.models import HelpRecord, ProxyCase
from govhall.cases.models import Case

from .conftest import PROXY_ID, apply, complete, signature_png, to_output

pytestmark = pytest.mark.django_db
BASE = "/api/v1/assistance"


def token_client(user) -> Client:
    out = io.StringIO()
    call_command("create_api_token", user.username, stdout=out)
    return Client(HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}")


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def b64(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def test_proxy_lifecycle_over_http(center, item, department, proxy, approver, output_clerk):
    api = token_client(proxy)
    r = post(
        api,
        f"{BASE}/proxies",
        {
            "center": center.code,
            "item_code": item.code,
            "applicant_name": "张三丰",
            "id_number": PROXY_ID,
            "phone": "13800001111",
            "materials": [{"name": "营业执照", "copies": 1, "original": True}],
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    number = body["number"]
    assert body["applicant_name"] == "张*丰" and body["phone"] == "138****1111"
    assert PROXY_ID not in r.content.decode()
    r = post(
        api,
        f"{BASE}/proxies/{number}/sign",
        {
            "applicant_signature_png_base64": b64(signature_png(1)),
            "proxy_signature_png_base64": b64(signature_png(2)),
            "proxy_id_number": PROXY_ID,
        },
    )
    assert r.status_code == 200 and r.json()["status"] == "authorised"
    assert r.json()["documents"][0]["title"].startswith("代办委托书")
    materials = [
        {"material_id": m.material_id, "copies": m.copies, "original_checked": True}
        for m in complete(item)
    ]
    r = post(api, f"{BASE}/proxies/{number}/take-in", {"materials": materials})
    assert r.status_code == 200 and r.json()["status"] == "taken_in" and r.json()["case_no"]
    r = post(
        api,
        f"{BASE}/proxies/{number}/chase",
        {"department_code": department.code, "content": "催办", "answer": "明日办结"},
    )
    assert r.status_code == 201 and r.json()["status"] == "chasing"
    assert r.json()["notes"][0]["answer"] == "明日办结"
    to_output(Case.objects.get(number=r.json()["case_no"]), approver, output_clerk)
    r = post(
        api,
        f"{BASE}/proxies/{number}/deliver",
        {"method": "hand", "signature_png_base64": b64(signature_png(3)), "id_checked": True},
    )
    assert r.status_code == 200 and r.json()["status"] == "closed", r.content
    r = post(api, f"{BASE}/proxies/{number}/file")
    assert r.status_code == 200 and r.json()["filed_at"]
    assert post(api, f"{BASE}/proxies/{number}/file").status_code == 409
    listing = api.get(f"{BASE}/proxies?status=closed").json()
    assert listing["count"] == 1 and listing["results"][0]["number"] == number
    stats = api.get(f"{BASE}/stats").json()
    assert stats["proxy"]["closed"] == 1 and stats["proxy"]["completion_rate"] == 100.0


def test_help_record_over_http_and_forms_pdf(center, item, proxy):
    api = token_client(proxy)
    r = post(
        api,
        f"{BASE}/help",
        {
            "center": center.code,
            "person_name": "李四",
            "phone": "13800002222",
            "item_code": item.code,
            "actions": ["explained", "forms"],
            "forms_filled": ["食品经营许可申请书", "承诺书"],
            "minutes": 25,
            "outcome": "submitted",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["person_name"] == "李*" and body["forms_pdf_url"]
    assert body["action_labels"] == ["指导熟悉办理流程", "协助填写表单"]
    assert api.get(f"{BASE}/help/{body['id']}").json()["minutes"] == 25
    stats = api.get(f"{BASE}/stats").json()["help"]
    assert stats["total"] == 1 and stats["by_item"][0]["key"] == item.name


def test_other_center_gets_404_at_every_door(center, item, proxy, other_center, other_proxy):
    p = apply(center, item, proxy)
    record = HelpRecord.objects.create(
        center=center, at=p.applied_at, person_name="王五", actions=["explained"], minutes=5,
        outcome="resolved",
    )  # fmt: skip
    far = token_client(other_proxy)
    n = p.number
    assert far.get(f"{BASE}/proxies/{n}").status_code == 404
    assert far.get(f"{BASE}/help/{record.pk}").status_code == 404
    for action in ("sign", "take-in", "chase", "fee-guide", "terminate", "deliver", "file"):
        r = post(far, f"{BASE}/proxies/{n}/{action}", {})
        assert r.status_code in (404, 422), (action, r.status_code)
    for action, body in (
        ("sign", {"applicant_signature_png_base64": "", "proxy_signature_png_base64": "",
                  "proxy_id_number": ""}),
        ("take-in", {"materials": []}),
        ("chase", {"content": "x"}),
        ("fee-guide", {}),
        ("terminate", {"kind": "withdrawn", "reason": "x", "returned": [],
                       "signature_png_base64": ""}),
        ("deliver", {"method": "hand"}),
        ("file", {}),
    ):  # fmt: skip
        assert post(far, f"{BASE}/proxies/{n}/{action}", body).status_code == 404, action
    r = post(
        far,
        f"{BASE}/proxies",
        {"center": center.code, "item_code": item.code, "applicant_name": "x",
         "id_number": PROXY_ID, "phone": "13800001111", "materials": []},
    )  # fmt: skip
    assert r.status_code == 404 and r.json()["errors"][0]["field"] == "center"
    assert far.get(f"{BASE}/proxies").json()["count"] == 0
    assert far.get(f"{BASE}/help").json()["count"] == 0
    assert far.get(f"{BASE}/stats").json()["proxy"]["total"] == 0
    assert ProxyCase.objects.get(pk=p.pk).status == "applied"


def test_bad_input_is_422_naming_the_field_and_wrong_state_409(center, item, proxy):
    api = token_client(proxy)
    r = post(
        api,
        f"{BASE}/proxies",
        {"center": center.code, "item_code": item.code, "applicant_name": "张三",
         "id_number": "230102199001010001", "phone": "123", "materials": []},
    )  # fmt: skip
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"applicant.id_number", "applicant.phone", "materials"} <= fields
    assert not ProxyCase.objects.exists()
    r = post(
        api, f"{BASE}/help",
        {"center": center.code, "person_name": "李四", "actions": ["dance"], "minutes": 0,
         "outcome": "x"},
    )  # fmt: skip
    assert r.status_code == 422
    assert {"actions", "minutes", "outcome"} <= {e["field"] for e in r.json()["errors"]}
    p = apply(center, item, proxy)
    r = post(api, f"{BASE}/proxies/{p.number}/deliver", {"method": "hand"})
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    r = post(api, f"{BASE}/proxies/{p.number}/take-in", {"materials": []})
    assert r.status_code == 409
    r = post(
        api,
        f"{BASE}/proxies/{p.number}/sign",
        {"applicant_signature_png_base64": "***", "proxy_signature_png_base64": "",
         "proxy_id_number": PROXY_ID},
    )  # fmt: skip
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "applicant_signature_png_base64"
    assert api.get(f"{BASE}/proxies?page_size=500").status_code == 422
    r = api.get(f"{BASE}/stats?date_from=0001-01-01")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "date_from"
    assert api.get(f"{BASE}/proxies?date_to=9999-12-31").status_code == 422
    assert api.get(f"{BASE}/proxies/NOPE").status_code == 404
