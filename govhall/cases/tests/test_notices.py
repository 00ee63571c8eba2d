"""Each notice, the receipt and the one-time list read back from the PDF (pypdf): number,
center, department, date, handler, QR code and the contents the law asks for; the SMS link
downloads that exact PDF, and an altered or expired link does not."""

from __future__ import annotations

import io
import re

import pytest
import time_machine
from pypdf import PdfReader

from govhall.cases import services
from govhall.cases.models import RemedyBodies
from govhall.documents.models import Document
from govhall.notifications.models import OutboxMessage

from .conftest import BASIS, at, complete, intake, pdf_text

pytestmark = pytest.mark.django_db


def has_qr(data: bytes) -> bool:
    page = PdfReader(io.BytesIO(data)).pages[0]
    return len(page.images) >= 1


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def common(doc: Document, *, department: str, handler: str, date: str) -> str:
    data = doc.read_bytes()
    text = flat(pdf_text(data))
    assert doc.number in text
    assert "青松测试县政务服务中心" in text
    assert department in text
    assert date in text
    assert f"经办人：{handler}" in text
    assert has_qr(data)
    return text


def test_receipt(center, item, clerk):
    result = intake(center, item, clerk, now=at(2026, 3, 6, 15), window=clerk.home_window)
    doc = result.document
    assert doc.number == "青松县政务收〔2026〕1号"
    text = common(doc, department="青松县市场监督管理局", handler="王窗口", date="2026年3月6日")
    for expected in [
        "收件凭证",
        result.case.number,
        "食品经营许可",
        "张*丰",
        "经营场所平面图",
        "3号窗口",
        "受理审查截止2026年3月13日",
    ]:
        assert expected in text, expected
    assert "张三丰" not in text


def test_one_time_list_with_the_a23_phrase(center, item, clerk):
    lines = complete(item)[:1]
    result = intake(center, item, clerk, now=at(2026, 3, 6, 15), materials=lines)
    assert result.case is None
    text = common(
        result.document, department="青松县市场监督管理局", handler="王窗口", date="2026年3月6日"
    )
    assert "一次性告知单" in text
    assert (
        "您好，您提供的资料已初步核验，按照《中华人民共和国食品安全法》第三十五条规定，"
        "还缺少营业执照、经营场所平面图，暂时不能办理，给您出具一次性告知单，"
        "请您将缺少的材料补齐后再来办理，辛苦您再来一趟" in text
    )
    assert "营业执照未提供" in text and flat(BASIS) in text


def test_acceptance_notice(center, item, clerk, approver):
    case = intake(center, item, clerk, now=at(2026, 3, 6, 15)).case
    case, doc = services.case_decide(
        case=case, decision="accept", actor=approver, now=at(2026, 3, 9, 10)
    )
    assert doc.number == "青市监受〔2026〕1号"
    text = common(doc, department="青松县市场监督管理局", handler="李审批", date="2026年3月9日")
    assert "受理通知书" in text and "承诺办结日期2026年3月23日" in text


def test_rejection_notice_names_reasons_basis_and_remedies(
    center, item, department, clerk, approver
):
    RemedyBodies.objects.create(
        department=department, reconsideration_body="青松县人民政府", court="青松县人民法院"
    )
    case = intake(center, item, clerk, now=at(2026, 3, 6, 15)).case
    case, doc = services.case_decide(
        case=case,
        decision="reject",
        reason="申请事项不属于本机关职权范围",
        basis="《中华人民共和国行政许可法》第三十二条第一款第二项",
        actor=approver,
        now=at(2026, 3, 9, 10),
    )
    text = common(doc, department="青松县市场监督管理局", handler="李审批", date="2026年3月9日")
    for expected in [
        "不予受理通知书",
        "申请事项不属于本机关职权范围",
        "《中华人民共和国行政许可法》第三十二条第一款第二项",
        "60日内向青松县人民政府申请行政复议",
        "6个月内向青松县人民法院提起行政诉讼",
    ]:
        assert expected in text, expected


def test_correction_notice_lists_everything_with_its_due_date(center, item, clerk, approver):
    case = intake(center, item, clerk, now=at(2026, 3, 6, 15)).case
    materials = list(item.published.materials.order_by("position"))
    case, doc = services.case_decide(
        case=case,
        decision="correct",
        items=[
            {"material_id": materials[0].pk, "reason": "申请书缺法定代表人签字"},
            {"material_id": materials[2].pk, "reason": "平面图未标注面积"},
        ],
        actor=approver,
        now=at(2026, 3, 9, 10),
    )
    text = common(doc, department="青松县市场监督管理局", handler="李审批", date="2026年3月9日")
    assert "补正通知书" in text and "2026年3月16日前一次性补正" in text
    assert "食品经营许可申请书申请书缺法定代表人签字" in text
    assert "经营场所平面图平面图未标注面积" in text
    # The correction receipt of what arrives.
    case, receipt = services.case_corrections_supply(
        case=case,
        materials=[services.MaterialIn(material_id=materials[0].pk)],
        actor=clerk,
        now=at(2026, 3, 12, 10),
    )
    text = common(
        receipt, department="青松县市场监督管理局", handler="王窗口", date="2026年3月12日"
    )
    assert "补正材料收件凭证" in text and "受理审查截止2026年3月19日" in text


def test_sms_link_downloads_that_exact_pdf_and_altered_or_expired_does_not(
    client, center, item, clerk, approver, settings
):
    case = intake(center, item, clerk, now=at(2026, 3, 6, 15)).case
    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        case, doc = services.case_decide(case=case, decision="accept", actor=approver)
        sms = OutboxMessage.objects.get(template="case_accepted")
        link = sms.params["link"]
        assert link in sms.body and case.number in sms.body
        path = link.removeprefix(settings.SITE_URL)
        response = client.get(path)
        assert response.status_code == 200 and response.content == doc.read_bytes()
        token = path.rstrip("/").rsplit("/", 1)[1]
        altered = path.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
        assert client.get(altered).status_code == 404
        assert client.get(f"/api/v1/documents/{token[:-1]}x").status_code == 404
    with time_machine.travel(at(2026, 6, 30, 10), tick=False):  # beyond DOCUMENT_LINK_DAYS
        assert client.get(path).status_code == 410
        assert client.get(f"/api/v1/documents/{token}").status_code == 410
