"""Pages: the desk records and answers, the ledger and detail show stored text escaped and
phones masked (full only in the audited reply action), the online form's challenge and rate
limit, the lookup page, wayfinding, statistics with the Excel export, the phrase library in
the admin and filled on the consoles, the handled-elsewhere guide."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.test import Client
from openpyxl import load_workbook

from govhall.catalog.services import guide_draft_create, guide_publish, guide_update
from govhall.catalog.testing import make_item
from govhall.consultations import services
from govhall.consultations.models import CenterSettings, Consultation, Phrase, Place
from govhall.consultations.public_views import CHALLENGE_SALT
from govhall.core.models import AuditEntry
from govhall.org.testing import TEST_PASSWORD

from .conftest import at, ledgered

pytestmark = pytest.mark.django_db

XSS = "<script>alert('x')</script>"


def logged_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


def test_desk_records_a_phone_question_into_the_ledger(center, consultant, item):
    client = logged_in(consultant)
    page = client.get(f"/consultations/?center={center.code}&q=异地就医")
    assert page.status_code == 200 and item.name in page.content.decode()
    r = client.post(
        "/consultations/",
        {
            "center": center.code,
            "item": item.code,
            "channel": "phone",
            "question": "异地就医备案能否电话办理？" + XSS,
            "name": "刘淑芬",
            "phone": "13812345678",
        },
    )
    c = Consultation.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/consultations/c/{c.pk}/"
    assert (c.owner, c.item, c.status) == (consultant, item, "pending")
    for url in (f"/consultations/c/{c.pk}/", f"/consultations/ledger/?center={center.code}"):
        html = client.get(url).content.decode()
        assert XSS not in html and "&lt;script&gt;" in html
        assert "13812345678" not in html and "138****5678" in html


def test_desk_bad_input_is_422_and_writes_nothing(center, consultant):
    r = logged_in(consultant).post(
        "/consultations/", {"center": center.code, "channel": "phone", "question": "", "phone": "1"}
    )
    assert r.status_code == 422
    assert 'data-field="question"' in r.content.decode()
    assert Consultation.objects.count() == 0


def test_desk_sends_the_one_time_notice_by_sms(center, consultant, item, outbox):
    r = logged_in(consultant).post(
        "/consultations/",
        {"center": center.code, "item": item.code, "action": "guide_sms", "phone": "13812345678"},
    )
    assert r.status_code == 200
    (message,) = outbox("consultation_guide")
    assert item.name in message.body and f"/api/v1/items/{item.code}/notice.pdf" in message.body


def test_full_phone_only_in_the_audited_reply_action(center, consultant, approver):
    c = ledgered(center, consultant, now=at(2026, 3, 2, 9))
    client = logged_in(consultant)
    html = client.get(f"/consultations/c/{c.pk}/").content.decode()
    assert "13812345678" not in html
    before = AuditEntry.objects.filter(action__endswith="phone_revealed").count()
    html = client.get(f"/consultations/c/{c.pk}/?reveal=phone").content.decode()
    assert "13812345678" in html
    assert AuditEntry.objects.filter(action__endswith="phone_revealed").count() == before + 1
    # Another department's approver: not found, nothing revealed.
    assert logged_in(approver).get(f"/consultations/c/{c.pk}/?reveal=phone").status_code == 404


def test_detail_page_transfer_reply_and_call_phrase(center, consultant, department, approver):
    c = ledgered(center, consultant, now=at(2026, 3, 2, 9), phone="0450-51234567")
    client = logged_in(consultant)
    r = client.post(
        f"/consultations/c/{c.pk}/",
        {"action": "transfer", "to_department": department.pk, "note": "请答复"},
    )
    assert r.status_code == 302
    # The department's approver sees it now and replies by a call task.
    dept = logged_in(approver)
    assert c.number in dept.get("/consultations/ledger/").content.decode()
    dept.post(f"/consultations/c/{c.pk}/", {"action": "reply", "answer": "可以", "channel": "call"})
    html = client.get(f"/consultations/c/{c.pk}/").content.decode()
    # A.3.5 filled with the center and the consultant's window.
    assert "您好，我是青松测试县政务服务中心12号窗口。" in html
    r = client.post(f"/consultations/c/{c.pk}/", {"action": "call_result", "outcome": "reached"})
    c.refresh_from_db()
    assert r.status_code == 302 and c.status == "closed"


def test_online_form_challenge_and_lookup(center, consultant, item):
    from django.core import signing

    public = Client()
    page = public.get(f"/consult/?center={center.code}&item={item.code}")
    assert page.status_code == 200 and item.name in page.content.decode()
    token = signing.dumps({"s": 7, "n": "x"}, salt=CHALLENGE_SALT)
    base = {"center": center.code, "item": item.code, "question": "周六能办吗？" + XSS}
    r = public.post("/consult/", {**base, "challenge": "8", "challenge_token": token})
    assert r.status_code == 422 and Consultation.objects.count() == 0
    r = public.post(
        "/consult/", {**base, "challenge": "7", "challenge_token": token, "website": "x"}
    )
    assert r.status_code == 422 and Consultation.objects.count() == 0
    r = public.post("/consult/", {**base, "challenge": "7", "challenge_token": token})
    assert r.status_code == 201
    c = Consultation.objects.get()
    assert c.lookup_code in r.content.decode() and c.channel == "online" and c.item == item
    html = public.get(f"/consult/lookup/?code={c.lookup_code}").content.decode()
    assert "尚未答复" in html and XSS not in html
    services.consultation_reply(consultation=c, answer="周六不办公。", actor=consultant)
    html = public.get(f"/consult/lookup/?code={c.lookup_code}").content.decode()
    assert "周六不办公。" in html
    assert public.get("/consult/lookup/?code=WRONG123").status_code == 404


def test_online_form_rate_limit(center, settings):
    from django.core import signing

    settings.RATE_LIMIT_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "consult": ("3/600", "200/600")}
    cache.clear()
    token = signing.dumps({"s": 2, "n": "x"}, salt=CHALLENGE_SALT)
    public = Client()
    body = {"center": center.code, "question": "问题", "challenge": "2", "challenge_token": token}
    codes = [public.post("/consult/", body).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    assert Consultation.objects.count() == 3
    assert public.get(f"/consult/?center={center.code}").status_code == 200  # reading is free
    cache.clear()


def test_wayfinding_on_portal_kiosk_and_guide_desk(center, consultant, tmp_path):
    Place.objects.create(
        center=center, kind="restroom", name="卫生间", floor="1F", directions="大厅西侧走廊尽头"
    )
    Place.objects.create(
        center=center,
        kind="window",
        name="综合窗口",
        floor="1F",
        windows="1-6",
        directions="进门左手",
    )
    public = Client()
    for url in (f"/wayfinding/?center={center.code}", f"/touch/wayfinding/?center={center.code}"):
        html = public.get(url).content.decode()
        assert "大厅西侧走廊尽头" in html and "窗口 1-6" in html
    assert (
        "大厅西侧走廊尽头"
        in logged_in(consultant).get("/consultations/wayfinding/").content.decode()
    )
    assert public.get(f"/wayfinding/plan/{center.code}.png").status_code == 404
    from django.core.files.base import ContentFile

    row = CenterSettings.objects.create(center=center)
    row.floor_plan.save("p.png", ContentFile(b"\x89PNG\r\n\x1a\nfake"))
    r = public.get(f"/wayfinding/plan/{center.code}.png")
    assert r.status_code == 200 and r["Content-Type"] == "image/png"


def test_stats_page_and_excel(center, consultant, manager, item):
    services.consultation_record(
        center=center,
        channel="desk",
        question="带什么？",
        item=item,
        answered_now=True,
        answer="身份证",
        actor=consultant,
        now=at(2026, 3, 2, 9),
    )
    ledgered(center, consultant, now=at(2026, 3, 2, 10))
    ledgered(center, consultant, now=at(2026, 3, 3, 10))  # the same phone again: a repeat
    client = logged_in(manager)
    html = client.get(f"/consultations/stats/?center={center.code}&from=2026-03-01&to=2026-03-31")
    assert html.status_code == 200 and "33.3%" in html.content.decode()
    r = client.get(f"/consultations/stats.xlsx?center={center.code}&from=2026-03-01&to=2026-03-31")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    summary = {row[0]: row[1] for row in wb["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["咨询总数"] == 3 and summary["当场答复"] == 1 and summary["重复咨询"] >= 1
    channels = dict(wb["按渠道"].iter_rows(min_row=2, values_only=True))
    assert channels == {"电话": 2, "窗口/咨询台": 1}
    assert logged_in(consultant).get("/consultations/stats/").status_code == 200


def test_phrase_library_is_seeded_and_managers_edit_it(center, manager, clerk):
    assert Phrase.objects.filter(code="A.3.5", moment="outgoing_call").exists()
    assert Phrase.objects.filter(code__startswith="A.1").count() >= 6
    phrase = Phrase.objects.get(code="A.3.1")
    admin = logged_in(manager)
    assert admin.get(f"/admin/consultations/phrase/{phrase.pk}/change/").status_code == 200
    r = admin.post(
        f"/admin/consultations/phrase/{phrase.pk}/change/",
        {
            "code": "A.3.1",
            "moment": "phone_greeting",
            "text": "您好，{center}，请讲。",
            "position": 0,
            "is_active": "on",
        },
    )
    assert r.status_code == 302, r.content.decode()[:500]
    phrase.refresh_from_db()
    assert phrase.text == "您好，{center}，请讲。"
    assert logged_in(clerk).get(f"/admin/consultations/phrase/{phrase.pk}/change/").status_code in (
        302,
        403,
    )
    html = logged_in(manager).get(f"/consultations/?center={center.code}&channel=phone")
    assert "您好，青松测试县政务服务中心，请讲。" in html.content.decode()


def test_handled_elsewhere_guide_shows_place_and_linked_steps(center, department):
    before = make_item(center, department, "YBJ-010", "参保登记")
    elsewhere = make_item(
        center,
        department,
        "YBJ-011",
        "医保报销（外地）",
        handled_here=False,
        outside_place="市医保中心",
        outside_path="到市医保中心办理",
    )
    draft = guide_draft_create(item=elsewhere)
    guide_update(
        guide=draft,
        outside_address="中央大街56号",
        outside_hours="工作日 8:30—16:30",
        outside_phone="0450-51238800",
    )
    draft.preceding_items.set([before])
    guide_publish(guide=draft)
    for url in (f"/items/{elsewhere.code}/", f"/touch/i/{elsewhere.code}/"):
        html = Client().get(url).content.decode()
        assert "中央大街56号" in html and "工作日 8:30—16:30" in html and "0450-51238800" in html
        assert "参保登记" in html and before.code in html
    where = Client().get(f"/api/v1/items/{elsewhere.code}").json()["where"]
    assert where["outside_hours"] == "工作日 8:30—16:30"
    assert where["preceding_items"] == [{"code": before.code, "name": "参保登记"}]
    from pypdf import PdfReader

    pdf = Client().get(f"/items/{elsewhere.code}/notice.pdf").content
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "中央大街56号" in text and "0450-51238800" in text and "参保登记" in text
    # A new draft keeps the links (the published version cannot change).
    assert list(guide_draft_create(item=elsewhere).preceding_items.all()) == [before]


def test_window_console_phrases_come_from_the_library(center, item, window):
    from govhall.queueing.phrases import PHRASES, console_phrase

    context = {
        "center": center.name,
        "window": "3号窗口",
        "item": item.name,
        "materials": "身份证、参保证明",
        "regulation": "《基本医疗保险跨省异地就医直接结算经办规程》",
    }
    clause, text = console_phrase("incomplete", context)
    assert clause == "A.2.3"
    assert "按照《基本医疗保险跨省异地就医直接结算经办规程》规定，还缺少相关材料（或证件）" in text
    assert "请您出示身份证、参保证明。" in console_phrase("start", context)[1]
    Phrase.objects.filter(code="A.2.1").update(text="您好，欢迎来到{center}，请坐。")
    assert console_phrase("call", context) == ("A.2.1", f"您好，欢迎来到{center.name}，请坐。")
    # Moments the library does not hold keep the console's own wording.
    assert console_phrase("finish", context) == PHRASES["finish"]
    assert console_phrase("finish_done", context)[0] == "A.2.5/A.1.6"


def test_demo_is_idempotent_and_shows_every_part():
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", stdout=StringIO())
    statuses = set(Consultation.objects.values_list("status", flat=True))
    assert {"answered", "pending", "transferred", "closed"} <= statuses
    assert Consultation.objects.filter(kind="rescue").exists()
    assert Consultation.objects.filter(overdue_level__gt=0).exists()
    assert Place.objects.count() >= 10 and CenterSettings.objects.exclude(floor_plan="").exists()
    from govhall.catalog.models import ServiceItem

    marriage = ServiceItem.objects.get(code="MZJ-001").published
    assert marriage.outside_address and marriage.following_items.exists()
    counts = (Consultation.objects.count(), Place.objects.count())
    call_command("load_demo", stdout=StringIO())
    assert (Consultation.objects.count(), Place.objects.count()) == counts


def test_phone_screen_greeting_comes_from_the_library(center, consultant):
    c = ledgered(center, consultant, now=at(2026, 3, 2, 9))
    c = services.consultation_reply(consultation=c, answer="可以", channel="call", actor=consultant)
    Phrase.objects.filter(code="A.3.5").update(text="您好，我是{center}{window}的工作人员。")
    html = logged_in(consultant).get(f"/notifications/calls/{c.call_task_id}/").content.decode()
    assert "您好，我是青松测试县政务服务中心12号窗口的工作人员。" in html
