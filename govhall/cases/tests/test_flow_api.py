"""Cases II over HTTP: scope (other department or center → 404), bad input → 422 naming
the field, wrong state → 409 invalid_transition with nothing written; batches; results
publicity; handover_due in the case view."""

from __future__ import annotations

import base64
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from govhall.cases.models import Case, CaseEvent, Status
from govhall.cases.services import approval, case_decide, output
from govhall.core.audit import AuditEntry
from govhall.documents.models import Document
from govhall.notifications.models import OutboxMessage
from govhall.org.testing import make_center, make_department, make_user

from .conftest import at, intake
from .flow_fixtures import *  # noqa: F403
from .flow_fixtures import reload, signature_png

pytestmark = pytest.mark.django_db


def token_client(user) -> Client:
    out = StringIO()
    call_command("create_api_token", user.username, stdout=out)
    return Client(HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}")


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def snapshot():
    return (
        list(Case.objects.values_list("status", "promised_due", "handover_due")),
        CaseEvent.objects.count(),
        Document.objects.count(),
        OutboxMessage.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def approving(center, item, clerk, approver):
    case = intake(center, item, clerk, now=at(2026, 3, 2, 9)).case
    case, _ = case_decide(case=case, decision="accept", actor=approver, now=at(2026, 3, 2, 10))
    Case.objects.filter(pk=case.pk).update(paper_handed_over_at=at(2026, 3, 2, 11))
    return approval.case_approval_start(case=reload(case), actor=approver, now=at(2026, 3, 2, 11))


def test_other_department_and_other_center_get_404_everywhere(
    approving, other_approver, center, output_clerk
):
    far = make_center("HL-C02", "远山县政务服务中心")
    far_department = make_department(far, "SCJG2", "远山县市场监督管理局")
    far_output = make_user("output-far", ("output_clerk", far))
    far_approver = make_user("approver-far", ("approver", far, far_department))
    url = f"/api/v1/cases/{approving.number}"
    clients = [token_client(u) for u in (other_approver, far_approver, far_output)]
    before = snapshot()
    for client in clients:
        for path, data in [
            ("/approval", {"result": "approved", "result_no": "X1"}),
            ("/extension", {"days": 3, "reason": "核查", "head_name": "王局长"}),
            ("/suspension", {"kind": "inspection", "expected_days": 3}),
            ("/result-handover", {}),
            ("/result-handover/receive", {"ok": True}),
            ("/pickup", {"signature_png_base64": "", "id_checked": True}),
            ("/mail", {"carrier": "EMS", "tracking_no": "1"}),
        ]:
            response = post(client, url + path, data)
            assert response.status_code == 404, (path, response.content)
            assert response["Content-Type"].startswith("application/problem+json")
        assert client.get(url).status_code == 404
    assert snapshot() == before
    # The approver's own view shows the stored handover due date.
    data = token_client(make_user("approver-t")).get(url).json()
    assert data["handover_due"] == str(approving.handover_due)


@pytest.mark.parametrize(
    ("path", "data", "field"),
    [
        ("/extension", {"days": 11, "reason": "核查", "head_name": "王局长"}, "days"),
        ("/extension", {"days": 3, "reason": "核查", "head_name": " "}, "head_name"),
        ("/extension", {"days": 3, "reason": "", "head_name": "王局长"}, "reason"),
        ("/extension", {"reason": "核查", "head_name": "王局长"}, "days"),
        ("/suspension", {"kind": "picnic", "expected_days": 3}, "kind"),
        ("/suspension", {"kind": "inspection", "expected_days": 0}, "expected_days"),
        ("/approval", {"result": "approved", "result_no": ""}, "result_no"),
        ("/approval", {"result": "denied", "reason": ""}, "reason"),
        ("/approval", {"result": "maybe"}, "result"),
    ],
)
def test_bad_input_is_422_naming_the_field_and_writes_nothing(
    approving, approver, path, data, field
):
    client = token_client(approver)
    before = snapshot()
    response = post(client, f"/api/v1/cases/{approving.number}{path}", data)
    assert response.status_code == 422, response.content
    fields = {e.get("field", "") for e in response.json().get("errors", [])}
    fields.add(response.json().get("field", ""))
    assert any(f == field or f.endswith(f".{field}") for f in fields), response.json()
    assert snapshot() == before


def test_wrong_state_is_409_with_nothing_written(approving, approver, output_clerk):
    dept, out = token_client(approver), token_client(output_clerk)
    before = snapshot()
    for client, path, data in [
        (dept, "/result-handover", {}),
        (out, "/result-handover/receive", {"ok": True}),
        (out, "/pickup-notice", {}),
        (dept, "/suspension/end", {}),
        (
            out,
            "/pickup",
            {
                "signature_png_base64": base64.b64encode(signature_png()).decode(),
                "id_checked": True,
            },
        ),
    ]:
        response = post(client, f"/api/v1/cases/{approving.number}{path}", data)
        assert response.status_code == 409, (path, response.content)
        assert response.json()["code"] == "invalid_transition"
    assert snapshot() == before


def test_pickup_bad_signature_or_unchecked_identity_is_422(approving, approver, output_clerk):
    case, _ = approval.case_approval_decide(
        case=approving, outcome="approved", result_no="JY1", actor=approver, now=at(2026, 3, 3, 9)
    )
    case = output.case_result_handover(case=case, actor=approver, now=at(2026, 3, 3, 10))
    output.case_result_receive(case=case, ok=True, actor=output_clerk, now=at(2026, 3, 3, 11))
    client = token_client(output_clerk)
    url = f"/api/v1/cases/{case.number}/pickup"
    png = base64.b64encode(signature_png()).decode()
    for data, field in [
        ({"signature_png_base64": "%%%", "id_checked": True}, "signature_png_base64"),
        (
            {"signature_png_base64": base64.b64encode(b"GIF89a").decode(), "id_checked": True},
            "signature_png_base64",
        ),
        ({"signature_png_base64": png, "id_checked": False}, "id_checked"),
        (
            {
                "signature_png_base64": png,
                "id_checked": True,
                "agent": True,
                "signer_name": "李四",
                "signer_id_number": "230102199001010011",
            },
            "authorization",
        ),
    ]:
        response = post(client, url, data)
        assert response.status_code == 422, response.content
        assert response.json()["errors"][0]["field"] == field
    assert reload(case).status == Status.OUTPUT_RECEIVED
    response = post(client, url, {"signature_png_base64": png, "id_checked": True})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    assert len(response.json()["signature_sha256"]) == 64


def test_batch_api_lists_and_signs_with_a_discrepancy(
    center, department, item, clerk, approver, other_approver
):
    case = intake(center, item, clerk, now=at(2026, 3, 2, 9)).case
    client = token_client(clerk)
    response = post(
        client,
        "/api/v1/handover-batches",
        {"center": center.code, "department": department.code, "slot": "morning"},
    )
    assert response.status_code == 201, response.content
    batch = response.json()
    assert [line["case_no"] for line in batch["lines"]] == [case.number]
    assert batch["lines"][0]["materials"][0] == {"name": "食品经营许可申请书", "copies": 1}
    sign = f"/api/v1/handover-batches/{batch['id']}/sign"
    assert post(token_client(other_approver), sign, {}).status_code == 404
    response = post(
        token_client(approver),
        sign,
        {"discrepancies": [{"case_no": "HL-C01-2026-999999", "problem": "x"}]},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "discrepancies.0.case_no"
    response = post(
        token_client(approver),
        sign,
        {"discrepancies": [{"case_no": case.number, "problem": "缺营业执照原件"}]},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "signed"
    assert response.json()["lines"][0]["discrepancy"] == "缺营业执照原件"
    assert post(token_client(approver), sign, {}).status_code == 409
    listed = token_client(approver).get(f"/api/v1/handover-batches?department={department.code}")
    assert [b["id"] for b in listed.json()] == [batch["id"]]
    assert token_client(other_approver).get("/api/v1/handover-batches").json() == []


def test_results_publicity_lists_closed_cases_with_masked_applicant(
    approving, approver, output_clerk, center
):
    case, _ = approval.case_approval_decide(
        case=approving, outcome="approved", result_no="JY9", actor=approver, now=at(2026, 3, 3, 9)
    )
    case = output.case_result_handover(case=case, actor=approver, now=at(2026, 3, 3, 10))
    case = output.case_result_receive(
        case=case, ok=True, actor=output_clerk, now=at(2026, 3, 3, 11)
    )
    assert Client().get(f"/api/v1/results?center={center.code}").json() == []
    output.case_pickup(
        case=case,
        signature_png=signature_png(),
        id_checked=True,
        actor=output_clerk,
        now=at(2026, 3, 4, 9),
    )
    rows = Client().get(f"/api/v1/results?center={center.code}").json()
    assert rows == [
        {
            "case_no": case.number,
            "item": "食品经营许可",
            "department": "青松县市场监督管理局",
            "applicant": "张*丰",
            "result": "准予许可（许可证）",
            "decided_on": "2026-03-03",
        }
    ]
    response = Client().get("/api/v1/results?center=NOPE")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "center"
    assert Client().get("/api/v1/results").status_code == 422
