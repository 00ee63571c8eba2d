"""The cases API: create (complete / incomplete), get, decision, corrections, public
progress; scope denials; bad input names the field and writes nothing."""

from __future__ import annotations

import base64
import hashlib
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from govhall.cases.models import Case, CaseEvent, CaseMaterial, IntakeRefusal
from govhall.documents.models import Document, StoredFile
from govhall.notifications.models import OutboxMessage
from govhall.org.testing import make_center, make_user

from .conftest import at, intake, person_id

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def token_client(user) -> Client:
    out = StringIO()
    call_command("create_api_token", user.username, stdout=out)
    return Client(HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}")


def body(center, item, **extra):
    data = {
        "center": center.code,
        "item_code": item.code,
        "channel": "online",
        "applicant": {
            "kind": "person",
            "name": "李四",
            "id_type": "resident_id",
            "id_number": person_id(7),
            "phone": "13900001234",
        },
        "materials": [
            {
                "material_id": m.pk,
                "form": "electronic",
                "file": {"name": f"{m.pk}.pdf", "content_base64": base64.b64encode(PDF).decode()},
            }
            for m in item.published.materials.order_by("position")
        ],
    }
    data.update(extra)
    return data


def counts():
    return (
        Case.objects.count(),
        CaseEvent.objects.count(),
        CaseMaterial.objects.count(),
        IntakeRefusal.objects.count(),
        Document.objects.count(),
        StoredFile.objects.count(),
        OutboxMessage.objects.count(),
    )


def post(client, url, data, **headers):
    return client.post(url, data, content_type="application/json", **headers)


def test_online_application_complete_then_decided_and_public_progress(
    center, item, clerk, approver, client
):
    with time_machine.travel(at(2026, 3, 6, 15), tick=False):
        api = token_client(clerk)
        created = post(api, "/api/v1/cases", body(center, item), HTTP_IDEMPOTENCY_KEY="k1")
        assert created.status_code == 201, created.content
        data = created.json()
        assert data["case_no"] == "HL-C01-2026-000001"
        assert data["status"] == "received"
        assert data["acceptance_due"] == "2026-03-13"
        again = post(api, "/api/v1/cases", body(center, item), HTTP_IDEMPOTENCY_KEY="k1")
        assert again.json() == data and Case.objects.count() == 1
        # Four uploads of the same bytes: four records, one stored file.
        assert {f.file.name for f in StoredFile.objects.all()} == {
            f"uploads/{hashlib.sha256(PDF).hexdigest()[:2]}/{hashlib.sha256(PDF).hexdigest()}.pdf"
        }
        assert CaseMaterial.objects.filter(file__isnull=False).count() == 4
        receipt = client.get(data["receipt_url"].removeprefix("http://127.0.0.1:8000"))
        assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")

    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        decided = post(
            token_client(approver),
            f"/api/v1/cases/{data['case_no']}/decision",
            {"decision": "accept"},
        )
        assert decided.status_code == 200, decided.content
        assert decided.json()["status"] == "accepted"
        assert decided.json()["document_number"] == "青市监受〔2026〕1号"
        detail = token_client(approver).get(f"/api/v1/cases/{data['case_no']}").json()
        assert detail["promised_due"] == "2026-03-23"
        assert detail["phone"] == "139****1234"
        assert [e["action"] for e in detail["events"]] == ["received", "accepted"]
        public = client.get(f"/api/v1/public/cases/{data['case_no']}?phone_last4=1234")
        assert public.status_code == 200
        progress = public.json()
        assert progress["stage"] == "已受理" and progress["applicant"] == "李*"
        assert [d["kind"] for d in progress["documents"]] == ["receipt", "acceptance_notice"]
        assert "id_number" not in progress and "phone" not in progress
        wrong = client.get(f"/api/v1/public/cases/{data['case_no']}?phone_last4=1235")
        unknown = client.get("/api/v1/public/cases/HL-C01-2026-999999?phone_last4=1234")
        assert wrong.status_code == unknown.status_code == 404
        assert wrong.json() == unknown.json()


def test_online_application_incomplete_gets_one_time_list_and_no_case(center, item, clerk):
    data = body(center, item)
    data["materials"] = data["materials"][:1]
    with time_machine.travel(at(2026, 3, 6, 15), tick=False):
        response = post(token_client(clerk), "/api/v1/cases", data)
    assert response.status_code == 201, response.content
    result = response.json()
    assert result["status"] == "incomplete" and result["case_no"] is None
    assert [m["name"] for m in result["missing"]] == ["营业执照", "经营场所平面图"]
    assert result["receipt_url"] is None and "/d/" in result["notice_url"]
    assert Case.objects.count() == 0 and IntakeRefusal.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["applicant"].update(id_number="230102199001010011"), "applicant.id_number"),
        (lambda d: d["applicant"].update(phone="12345"), "applicant.phone"),
        (
            lambda d: d["applicant"].update(kind="organization", id_number="91230100MA1B2C3D4X"),
            "applicant.id_number",
        ),
        (lambda d: d.update(item_code="NOPE"), "item_code"),
        (lambda d: d["materials"][0].update(material_id=999999), "materials.0.material_id"),
        (
            lambda d: d["materials"][1]["file"].update(
                content_base64=base64.b64encode(b"MZ\x90 not a pdf").decode()
            ),
            "materials.1.file",
        ),
        (lambda d: d.update(delivery="mail"), "delivery_address"),
        (lambda d: d.update(channel="fax"), "channel"),
        (
            lambda d: d.update(
                agent={"name": "王五", "id_number": person_id(8), "authorization": ""}
            ),
            "agent.authorization",
        ),
        (lambda d: d.update(channel="mail"), "mail"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(center, item, clerk, change, field):
    data = body(center, item)
    change(data)
    before = counts()
    response = post(token_client(clerk), "/api/v1/cases", data)
    assert response.status_code in (400, 422), response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]
    assert counts() == before


def test_oversize_upload_is_refused(center, item, clerk, settings):
    settings.UPLOAD_MAX_BYTES = 100
    data = body(center, item)
    big = PDF + b"0" * 200
    data["materials"][2]["file"]["content_base64"] = base64.b64encode(big).decode()
    before = counts()
    response = post(token_client(clerk), "/api/v1/cases", data)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "materials.2.file"
    assert counts() == before


def test_scope_other_department_and_other_center_get_404(
    center, item, clerk, approver, other_approver
):
    with time_machine.travel(at(2026, 3, 6, 15), tick=False):
        case = intake(center, item, clerk, now=at(2026, 3, 6, 15)).case
        far = make_center("HL-C99", "远方县政务服务中心")
        far_clerk = make_user("clerk-far", ("clerk", far))
        for user in (other_approver, far_clerk):
            api = token_client(user)
            assert api.get(f"/api/v1/cases/{case.number}").status_code == 404
            decided = post(api, f"/api/v1/cases/{case.number}/decision", {"decision": "accept"})
            assert decided.status_code == 404
            supplied = post(api, f"/api/v1/cases/{case.number}/corrections", {"materials": []})
            assert supplied.status_code == 404
        refused = post(token_client(far_clerk), "/api/v1/cases", body(center, item))
        assert refused.status_code == 404
        # A clerk of the center sees the case but cannot decide for the department.
        clerk_api = token_client(clerk)
        assert clerk_api.get(f"/api/v1/cases/{case.number}").status_code == 200
        forbidden = post(clerk_api, f"/api/v1/cases/{case.number}/decision", {"decision": "accept"})
        assert forbidden.status_code == 403
    assert Case.objects.get().status == "received"


def test_public_lookup_is_rate_limited(center, item, clerk, client):
    from django.core.cache import cache

    cache.clear()
    codes = [
        client.get("/api/v1/public/cases/HL-C01-2026-000001?phone_last4=0000").status_code
        for _ in range(21)
    ]
    assert codes[:20] == [404] * 20 and codes[20] == 429
    cache.clear()
