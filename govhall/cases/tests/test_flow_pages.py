"""Cases II pages: consoles render for their users, forms move the case, other department
→ 404, the results page shows masked applicants."""

from __future__ import annotations

import pytest
from django.test import Client

from govhall.cases.models import Case, HandoverBatch, Status
from govhall.cases.services import approval, case_decide, output
from govhall.org.testing import make_user

from .conftest import at, intake
from .flow_fixtures import *  # noqa: F403
from .flow_fixtures import reload, signature_png

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def approving(center, item, clerk, approver):
    case = intake(center, item, clerk, now=at(2026, 3, 2, 9)).case
    case, _ = case_decide(case=case, decision="accept", actor=approver, now=at(2026, 3, 2, 10))
    Case.objects.filter(pk=case.pk).update(paper_handed_over_at=at(2026, 3, 2, 11))
    return approval.case_approval_start(case=reload(case), actor=approver, now=at(2026, 3, 2, 11))


def test_department_console_and_forms(approving, approver, other_approver):
    client = login(approver)
    page = client.get("/cases/approval/")
    assert page.status_code == 200 and approving.number in page.content.decode()
    url = f"/cases/f/{approving.number}/"
    response = client.post(
        url, {"action": "extend", "days": "11", "reason": "核查", "head_name": "王局长"}
    )
    assert response.status_code == 422 and "延长期限应为 1 到 10" in response.content.decode()
    response = client.post(
        url, {"action": "extend", "days": "5", "reason": "核查", "head_name": "王局长"}
    )
    assert response.status_code == 302
    assert reload(approving).status == Status.EXTENDED
    response = client.post(
        url,
        {"action": "decide", "outcome": "approved", "result_type": "licence", "result_no": "JY77"},
    )
    assert response.status_code == 302 and reload(approving).status == Status.APPROVED
    assert client.post(url, {"action": "handover"}).status_code == 302
    assert reload(approving).status == Status.RESULT_HANDED
    other = login(other_approver)
    assert other.get(url).status_code == 404
    assert other.post(url, {"action": "handover"}).status_code == 404
    assert approving.number not in other.get("/cases/approval/").content.decode()


def test_output_console_finds_by_qr_or_id_and_takes_a_signature(approving, approver, output_clerk):
    case, _ = approval.case_approval_decide(
        case=approving, outcome="approved", result_no="JY8", actor=approver, now=at(2026, 3, 3, 9)
    )
    output.case_result_handover(case=case, actor=approver, now=at(2026, 3, 3, 10))
    client = login(output_clerk)
    qr = f"https://example.org/progress/?case_no={case.number}"
    assert client.get("/cases/output/", {"q": qr})["Location"] == f"/cases/f/{case.number}/"
    assert (
        client.get("/cases/output/", {"q": case.id_number})["Location"]
        == f"/cases/f/{case.number}/"
    )
    assert "未找到该办件" in client.get("/cases/output/", {"q": "HL-X"}).content.decode()
    url = f"/cases/f/{case.number}/"
    assert client.post(url, {"action": "receive"}).status_code == 302
    page = client.get(url).content.decode()
    assert 'id="signature-pad"' in page and "请您核对后签收" in page
    # A.2.6 comes from the phrase library, filled with the case's item.
    assert f"我为您查找{case.item.name}的办理结果" in page
    import base64

    data = "data:image/png;base64," + base64.b64encode(signature_png()).decode()
    response = client.post(url, {"action": "pickup", "signature_png_base64": data})
    assert response.status_code == 422 and "核验领取人身份" in response.content.decode()
    response = client.post(
        url, {"action": "pickup", "signature_png_base64": data, "id_checked": "on"}
    )
    assert response.status_code == 302
    assert reload(case).status == Status.CLOSED


def test_batch_pages_and_monitor_and_results(center, department, item, clerk, approver, manager):
    case = intake(center, item, clerk, now=at(2026, 3, 2, 9)).case
    response = login(clerk).post(
        "/cases/batches/", {"department": department.pk, "slot": "morning"}
    )
    batch = HandoverBatch.objects.get()
    assert response["Location"] == f"/cases/batches/{batch.pk}/"
    page = login(approver).get(f"/cases/batches/{batch.pk}/").content.decode()
    assert case.number in page and 'id="sign-batch"' in page
    pdf = login(approver).get(f"/cases/batches/{batch.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    response = login(approver).post(
        f"/cases/batches/{batch.pk}/", {f"diff_{case.pk}": "on", f"problem_{case.pk}": "少1份"}
    )
    assert response.status_code == 302
    assert HandoverBatch.objects.get().lines.get().discrepancy == "少1份"
    Case.objects.filter(pk=case.pk).update(
        status=Status.APPROVING, handover_due=at(2020, 1, 2).date()
    )
    page = login(manager).get("/cases/monitor/").content.decode()
    assert 'class="cell-red">1<' in page and case.number in page
    results = Client().get("/results/")
    assert results.status_code == 200 and "暂无公示的办理结果" in results.content.decode()


def test_another_center_gets_404_on_every_page(center, department, item, clerk, approver):
    from govhall.org.testing import make_center

    case = intake(center, item, clerk, now=at(2026, 3, 2, 9)).case
    login(clerk).post("/cases/batches/", {"department": department.pk, "slot": "morning"})
    batch = HandoverBatch.objects.get()
    far = make_center("HL-C09", "远山县政务服务中心")
    for role in ("manager", "output_clerk", "clerk"):
        stranger = login(make_user(f"far-{role}", (role, far)))
        for url in (
            f"/cases/f/{case.number}/",
            f"/cases/batches/{batch.pk}/",
            f"/cases/batches/{batch.pk}/pdf/",
        ):
            assert stranger.get(url).status_code == 404, (role, url)
        assert stranger.post(f"/cases/batches/{batch.pk}/", {}).status_code == 404
        assert stranger.post(f"/cases/f/{case.number}/", {"action": "handover"}).status_code == 404
        page = stranger.get("/cases/monitor/").content.decode()
        assert case.number not in page and "青松县市场监督管理局" not in page
    assert HandoverBatch.objects.get().status == "pending"
