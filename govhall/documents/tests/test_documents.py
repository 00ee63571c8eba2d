import datetime as dt
import hashlib
import io
import threading
from zoneinfo import ZoneInfo

import pypdf
import pytest
import time_machine
from django.db import close_old_connections, connection
from django.test import Client

from govhall.core.errors import InvalidInput
from govhall.core.testing import pdf_text
from govhall.documents.models import Document, DocumentCounter, DocumentKind
from govhall.documents.pdf import PdfDocument, font
from govhall.documents.services import (
    document_create,
    document_from_token,
    document_link,
    document_token,
)
from govhall.org.testing import make_center

SH = ZoneInfo("Asia/Shanghai")


def _render(title: str):
    def render(number: str) -> bytes:
        doc = PdfDocument(
            center_name="青松县政务服务中心",
            number=number,
            date=dt.date(2026, 3, 2),
            qr_url="http://example.test/x",
        )
        doc.title(title)
        doc.paragraph("申请人：买买提·艾力，您提交的材料已收到。")
        doc.table([["序号", "材料名称"], ["1", "营业执照申请书"]], col_widths=[20, 150])
        doc.signature_block(issuer="青松县市场监督管理局", handler="张三")
        return doc.render()

    return render


@pytest.fixture
def center(db):
    return make_center("HL-T1", "青松县政务服务中心")


@pytest.mark.cjk_font
def test_font_is_embedded_truetype():
    info = font()
    assert info.embedded, "wqy-zenhei should be found on this machine"
    assert info.path.endswith((".ttc", ".ttf"))


@pytest.mark.django_db
def test_pdf_holds_chinese_title_and_number(center):
    doc = document_create(
        kind=DocumentKind.ACCEPTANCE_NOTICE,
        center=center,
        issuer_short_name="青松市监",
        title="受理通知书",
        render=_render("受理通知书"),
        actor=None,
        now=dt.datetime(2026, 3, 2, 10, tzinfo=SH),
    )
    assert doc.number == "青松市监受〔2026〕1号"
    text = pdf_text(doc.read_bytes())
    assert "受理通知书" in text
    assert "青松市监受〔2026〕1号" in text
    assert "青松县政务服务中心" in text
    assert "营业执照申请书" in text


@pytest.mark.django_db
def test_numbers_sequential_per_issuer_kind_year(center):
    def make(kind, issuer, year):
        return document_create(
            kind=kind,
            center=center,
            issuer_short_name=issuer,
            title="t",
            render=_render("t"),
            actor=None,
            now=dt.datetime(year, 6, 1, 10, tzinfo=SH),
        ).number

    assert make(DocumentKind.RECEIPT, "青松市监", 2026) == "青松市监收〔2026〕1号"
    assert make(DocumentKind.RECEIPT, "青松市监", 2026) == "青松市监收〔2026〕2号"
    assert make(DocumentKind.REJECTION_NOTICE, "青松市监", 2026) == "青松市监不受〔2026〕1号"
    assert make(DocumentKind.RECEIPT, "青松人社", 2026) == "青松人社收〔2026〕1号"
    assert make(DocumentKind.RECEIPT, "青松市监", 2025) == "青松市监收〔2025〕1号"


@pytest.mark.django_db
def test_new_year_is_counted_in_shanghai_time(center):
    # 2026-12-31 17:00 UTC is already 1 January 2027 in the center.
    doc = document_create(
        kind=DocumentKind.RECEIPT,
        center=center,
        issuer_short_name="青松市监",
        title="t",
        pdf_bytes=_render("t")("x"),
        actor=None,
        now=dt.datetime(2026, 12, 31, 17, tzinfo=dt.UTC),
    )
    assert doc.year == 2027


@pytest.mark.django_db
def test_rolled_back_document_leaves_no_gap(center):
    def bad_render(number):
        raise RuntimeError("printer on fire")

    with pytest.raises(RuntimeError):
        document_create(
            kind=DocumentKind.RECEIPT,
            center=center,
            issuer_short_name="青松市监",
            title="t",
            render=bad_render,
            actor=None,
        )
    doc = document_create(
        kind=DocumentKind.RECEIPT,
        center=center,
        issuer_short_name="青松市监",
        title="t",
        render=_render("t"),
        actor=None,
    )
    assert doc.serial == 1


@pytest.mark.django_db
def test_bad_input_is_refused(center):
    with pytest.raises(InvalidInput) as exc:
        document_create(
            kind="nonsense",
            center=center,
            issuer_short_name="青松市监",
            title="t",
            pdf_bytes=b"%PDF-1.4",
            actor=None,
        )
    assert exc.value.errors[0]["field"] == "kind"
    with pytest.raises(InvalidInput):
        document_create(
            kind=DocumentKind.RECEIPT,
            center=center,
            issuer_short_name="青松市监",
            title="t",
            pdf_bytes=b"not a pdf",
            actor=None,
        )
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_sha256_stored_and_verified(center):
    doc = document_create(
        kind=DocumentKind.PICKUP_NOTICE,
        center=center,
        issuer_short_name="青松不动产",
        title="领取通知书",
        render=_render("领取通知书"),
        actor=None,
    )
    data = doc.read_bytes()
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.size == len(data)
    assert doc.file.name == f"documents/{doc.sha256[:2]}/{doc.sha256}.pdf"
    assert doc.verify()
    with open(doc.file.path, "ab") as fh:
        fh.write(b"tampered")
    assert not doc.verify()


@pytest.mark.django_db
def test_same_bytes_are_stored_once(center):
    data = _render("同一文件")("x")
    a, b = (
        document_create(
            kind=DocumentKind.OTHER,
            center=center,
            issuer_short_name="青松",
            title="t",
            pdf_bytes=data,
            actor=None,
        )
        for _ in range(2)
    )
    assert a.number != b.number
    assert a.file.name == b.file.name


@pytest.mark.django_db
def test_link_valid_then_expired_then_tampered(center, settings):
    settings.SITE_URL = "http://hall.example"
    t0 = dt.datetime(2026, 2, 13, 10, tzinfo=SH)
    with time_machine.travel(t0, tick=False):
        doc = document_create(
            kind=DocumentKind.ACCEPTANCE_NOTICE,
            center=center,
            issuer_short_name="青松市监",
            title="受理通知书",
            render=_render("受理通知书"),
            actor=None,
        )
        url = document_link(doc, days=7)
        assert url.startswith("http://hall.example/d/")
        token = document_token(doc, days=7)
    client = Client()
    with time_machine.travel(t0 + dt.timedelta(days=6), tick=False):
        r = client.get(f"/api/v1/documents/{token}")
        assert r.status_code == 200
        assert r["Content-Type"] == "application/pdf"
        assert r.content == doc.read_bytes()
        page = client.get(url.removeprefix("http://hall.example"))
        assert page.status_code == 200 and page.content.startswith(b"%PDF")
    with time_machine.travel(t0 + dt.timedelta(days=7, minutes=1), tick=False):
        r = client.get(f"/api/v1/documents/{token}")
        assert r.status_code == 410
        assert r["Content-Type"] == "application/problem+json"
        assert r.json()["code"] == "link_expired"
        page = client.get(url.removeprefix("http://hall.example"))
        assert page.status_code == 410
        assert "链接已过期" in page.content.decode()
    # Point the signed payload at another document: the signature no longer matches.
    payload, _, sig = token.partition(":")
    forged = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + ":" + sig
    for bad in (forged, "garbage", token + "x"):
        r = client.get(f"/api/v1/documents/{bad}")
        assert r.status_code == 404, bad
        assert r["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
def test_default_link_days_from_settings(center, settings):
    settings.DOCUMENT_LINK_DAYS = 3
    now = dt.datetime(2026, 5, 6, 9, tzinfo=SH)
    doc = document_create(
        kind=DocumentKind.RECEIPT,
        center=center,
        issuer_short_name="青松",
        title="t",
        pdf_bytes=_render("t")("x"),
        actor=None,
        now=now,
    )
    token = document_token(doc, now=now)
    assert document_from_token(token, now=now + dt.timedelta(days=2, hours=23)) == doc
    with pytest.raises(Exception) as exc:
        document_from_token(token, now=now + dt.timedelta(days=3, seconds=1))
    assert getattr(exc.value, "status", None) == 410


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_numbers_are_gapless_and_unique():
    center = make_center("HL-T2", "并发测试中心")
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)
    data = _render("t")("x")

    def worker():
        try:
            barrier.wait()
            for _ in range(5):
                doc = document_create(
                    kind=DocumentKind.RECEIPT,
                    center=center,
                    issuer_short_name="并发",
                    title="t",
                    pdf_bytes=data,
                    actor=None,
                )
                results.append(doc.serial)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(results) == list(range(1, 41))
    assert DocumentCounter.objects.get(issuer_short_name="并发").last_serial == 40
    assert Document.objects.filter(issuer_short_name="并发").count() == 40


def test_fallback_font_is_announced(monkeypatch, settings, caplog):
    # Runs with or without a font installed: the font search is pointed nowhere.
    from govhall.documents import pdf

    settings.PDF_FONT_PATH = "/nonexistent/font.ttf"
    monkeypatch.setattr(pdf, "FONT_CANDIDATES", ("/nonexistent/other.ttc",))
    pdf.reset_font_for_tests()
    try:
        info = pdf.font()
        assert info.name == "STSong-Light" and not info.embedded
        assert "No Chinese TrueType font" in caplog.text
        doc = PdfDocument(center_name="青松县政务服务中心", number="X")
        doc.title("受理通知书")
        data = doc.render()
        assert b"STSong-Light" in data
        assert "未安装中文" in pdf_text(data)
    finally:
        monkeypatch.undo()
        settings.PDF_FONT_PATH = ""
        pdf.reset_font_for_tests()


def test_missing_font_is_a_startup_warning(monkeypatch, settings):
    from django.core import checks

    from govhall.documents import pdf

    monkeypatch.setattr(pdf, "FONT_CANDIDATES", ("/nonexistent/other.ttc",))
    settings.PDF_FONT_PATH = ""
    messages = checks.run_checks(tags=["fonts"])
    assert [m.id for m in messages] == ["govhall.W020"]
    assert "打印成空白" in messages[0].msg and "fonts-wqy-zenhei" in messages[0].hint
    settings.PDF_FONT_PATH = "/nonexistent/font.ttf"  # a wrong setting is named too
    messages = checks.run_checks(tags=["fonts"])
    assert [m.id for m in messages] == ["govhall.W021"]
    assert "/nonexistent/font.ttf" in messages[0].msg and "打印成空白" in messages[0].msg
    monkeypatch.undo()
    found = pdf.installed_font_path()
    if found:  # a wrong setting beside an installed font: the font in use is named
        messages = checks.run_checks(tags=["fonts"])
        assert [m.id for m in messages] == ["govhall.W021"] and found in messages[0].msg
    settings.PDF_FONT_PATH = ""
    expected = [] if found else ["govhall.W020"]
    assert [m.id for m in checks.run_checks(tags=["fonts"])] == expected


@pytest.mark.django_db
def test_kinds_carry_the_standards_names():
    """7.2.3 《补正通知书》; 7.5.1.1 交接凭证."""
    from importlib import import_module

    from django.apps import apps

    from govhall.notifications.models import SmsTemplate
    from govhall.notifications.templates_seed import BUILTIN_TEMPLATES

    assert DocumentKind.CORRECTION_NOTICE.label == "补正通知书"
    assert DocumentKind.HANDOVER_VOUCHER.label == "交接凭证"
    assert "补正通知书：{link}" in BUILTIN_TEMPLATES["case_correction"].body
    migration = import_module("govhall.documents.migrations.0002_standard_document_names")
    SmsTemplate.objects.filter(code="case_correction").update(
        body=migration.OLD_BODY, name="补正材料通知"
    )
    migration.rename_in_sms_template(apps, None)
    template = SmsTemplate.objects.get(code="case_correction")
    assert (template.name, template.body) == ("补正通知", BUILTIN_TEMPLATES["case_correction"].body)
    SmsTemplate.objects.filter(code="case_correction").update(body="本中心自拟：{link}")
    migration.rename_in_sms_template(apps, None)
    assert SmsTemplate.objects.get(code="case_correction").body == "本中心自拟：{link}"


def _qr_doc(url: str) -> bytes:
    doc = PdfDocument(center_name="青松县政务服务中心", number="N1", qr_url=url)
    doc.title("收件凭证")
    doc.qr(url, caption="扫码查询")
    return doc.render()


def test_qr_codes_decode_to_their_link_and_the_font_stays_embedded():
    """The QR code is drawn from segno's matrix with a fixed mask (no PNG round trip) and
    cached per link: a decoder independent of segno reads the link from the header and the
    body, on the first document and on a second one drawn from the cache."""
    from govhall.core.testing import pdf_qr_texts

    first = "http://example.test/progress/?case_no=HL-T1-2026-000001"
    second = "http://example.test/progress/?case_no=HL-T1-2026-000002"
    for url in (first, second, first):
        data = _qr_doc(url)
        assert pdf_qr_texts(data) == [url]  # one image object, drawn twice
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    fonts = [f.get_object() for f in page["/Resources"]["/Font"].values()]
    descendants = [d.get_object() for f in fonts for d in f.get("/DescendantFonts", [])]
    descriptors = [f["/FontDescriptor"] for f in fonts + descendants if "/FontDescriptor" in f]
    if font().embedded:
        assert descriptors and all("/FontFile2" in d for d in descriptors)
