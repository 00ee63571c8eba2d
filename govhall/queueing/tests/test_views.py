import io

import pytest
from django.test import Client

from govhall.catalog.models import ServiceItem
from govhall.org.testing import make_user
from govhall.queueing import services
from govhall.queueing.models import IdleIncident, Ticket, TicketCategory, WindowSkill
from govhall.queueing.tests.conftest import add_self_service_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def self_service_item(q):
    return add_self_service_item(q)


def test_kiosk_steps_and_self_service_suggestion(q, client, self_service_item, opening_hours):
    r = client.get(f"/kiosk/?center={q.center.code}")
    assert r.status_code == 200
    html = r.content.decode()
    assert "综合业务" in html and "预约签到" in html and "/booking/checkin/?kiosk=1" in html
    r = client.get(f"/kiosk/?center={q.center.code}&category=A")
    assert "营业执照打印" in r.content.decode() and "可自助/网上办理" in r.content.decode()
    r = client.get(f"/kiosk/?center={q.center.code}&category=A&item=QT-SS-1")
    html = r.content.decode()
    assert "self-service-hint" in html and "自助服务区" in html and "可网上办理" in html
    assert "仍要取号" in html
    r = client.post(
        "/kiosk/issue/",
        {"center": q.center.code, "category": "A", "item": "QT-SS-1", "priority_group": ""},
    )
    assert r.status_code == 302
    ticket = Ticket.objects.get()
    assert list(ticket.items.all()) == [self_service_item]
    slip = client.get(r["Location"])
    html = slip.content.decode()
    assert slip.status_code == 200 and "A001" in html and "<svg" in html and "预计等候" in html
    assert client.get(f"/kiosk/slip/{ticket.pk}/?t=bad").status_code == 404


def test_kiosk_bad_phone_shows_message(q, client, opening_hours):
    r = client.post(
        "/kiosk/issue/", {"center": q.center.code, "category": "A", "phone": "123"}, follow=True
    )
    assert "手机号码应为11位" in r.content.decode()
    assert not Ticket.objects.exists()


def test_guide_desk_suggests_first_then_issues(q, self_service_item):
    c = Client()
    c.force_login(q.guide)
    assert c.get(f"/guide/?center={q.center.code}").status_code == 200
    r = c.post("/guide/", {"center": q.center.code, "item": "QT-SS-1", "phone": "13812345678"})
    assert "自助办理建议" in r.content.decode()
    assert not Ticket.objects.exists()
    r = c.post(
        "/guide/",
        {"center": q.center.code, "item": "QT-SS-1", "confirm": "1", "priority_group": "elderly"},
    )
    ticket = Ticket.objects.get()
    assert ticket.channel == "guide" and ticket.priority_group == "elderly"
    assert "已取号" in r.content.decode()
    clerk = Client()
    clerk.force_login(q.clerk1)
    assert clerk.get("/guide/").status_code == 403


def test_console_actions_and_phrases(q):
    c = Client()
    c.force_login(q.clerk1)
    r = c.get("/window/")
    assert r.status_code == 200 and "签到开窗" in r.content.decode()
    url = f"/window/{q.w1.pk}/action/"
    c.post(url, {"action": "open"})
    services.ticket_issue(center=q.center, category=q.cats["A"])
    r = c.post(url, {"action": "call"}, follow=True)
    html = r.content.decode()
    assert "请A001号到1号窗口办理" in html and "您好，请坐，请问您办理什么事项？" in html
    r = c.post(url, {"action": "finish"}, follow=True)
    assert "您的申请已收取" in r.content.decode()  # no item recorded: not 办理完毕 (A.2.5)
    r = c.post(url, {"action": "recall"}, follow=True)
    assert "当前没有正在处理的号码" in r.content.decode()
    r = c.post(url, {"action": "pause", "reason": ""}, follow=True)
    assert "暂停须填写原因" in r.content.decode()
    c.post(url, {"action": "pause", "reason": "取材料"})
    assert "暂停中（取材料）" in c.get("/window/").content.decode()
    guide = Client()
    guide.force_login(q.guide)
    assert guide.get("/window/").status_code == 403


def test_console_finish_and_call_next(q):
    c = Client()
    c.force_login(q.clerk1)
    url = f"/window/{q.w1.pk}/action/"
    c.post(url, {"action": "open"})
    for _ in range(2):
        services.ticket_issue(center=q.center, category=q.cats["A"])
    html = c.post(url, {"action": "call"}, follow=True).content.decode()
    assert 'id="btn-finish-call"' in html and 'data-key="n f1"' in html
    html = c.post(url, {"action": "finish_call"}, follow=True).content.decode()
    assert "A001 服务结束。请A002号到1号窗口办理" in html
    assert Ticket.objects.get(number="A001").status == "done"
    assert Ticket.objects.get(number="A002").status == "called"
    html = c.post(url, {"action": "finish_call"}, follow=True).content.decode()
    assert "A002 服务结束。暂无等候的服务对象。" in html
    assert "今日接待 2 人" in html
    assert 'id="btn-call"' in html  # nobody at the window: plain 叫下一位 again


def test_console_transfer_form(q):
    c = Client()
    c.force_login(q.clerk1)
    url = f"/window/{q.w1.pk}/action/"
    c.post(url, {"action": "open"})
    services.ticket_issue(center=q.center, category=q.cats["A"])
    c.post(url, {"action": "call"})
    c.post(url, {"action": "transfer", "target": f"w:{q.w3.pk}"})
    moved = Ticket.objects.get(status="waiting")
    assert moved.target_window == q.w3 and moved.number == "A001"


def test_alerts_page_roles(q):
    session = services.window_open(window=q.w1, actor=q.clerk1)
    IdleIncident.objects.create(
        window=q.w1,
        session=session,
        staff=q.clerk1,
        kind="no_activity",
        started_at=session.opened_at,
        detected_at=session.opened_at,
        people_waiting=3,
    )
    c = Client()
    c.force_login(q.manager)
    r = c.get("/window/alerts/")
    assert r.status_code == 200 and "长时间无操作" in r.content.decode()
    inspector = make_user("QT-inspector", ("inspector", q.center))
    c.force_login(inspector)
    assert c.get("/window/alerts/").status_code == 200
    c.force_login(q.clerk1)
    assert c.get("/window/alerts/").status_code == 403


def test_board_and_mobile_pages(q, client):
    r = client.get(f"/board/{q.center.code}/?zones=A")
    assert r.status_code == 200 and "/api/v1/display/QT-1?zones=A" in r.content.decode()
    assert client.get("/board/NOPE/").status_code == 404
    t = services.ticket_issue(center=q.center, category=q.cats["A"], phone="13812345678")
    r = client.get(f"/t/{t.pk}/?t={t.token}")
    html = r.content.decode()
    assert r.status_code == 200 and "A001" in html and "138****5678" in html
    assert "13812345678" not in html
    assert client.get(f"/t/{t.pk}/").status_code == 404


def test_demo_load_is_idempotent_and_covers_new_items():
    from govhall.org.models import Center, Department
    from govhall.queueing import demo

    demo.load(io.StringIO())
    center = Center.objects.get(code="HL-239901")
    assert TicketCategory.objects.filter(center=center).count() == 8
    assert WindowSkill.objects.filter(window__center=center, is_primary=True).count() == 14
    skills = WindowSkill.objects.filter(window__center=center).count()
    item = ServiceItem.objects.create(
        center=center,
        department=Department.objects.get(center=center, code="BDC"),
        code="DEMO-BDC-NEW",
        name="不动产首次登记",
        kind="license",
    )
    demo.load(io.StringIO())
    assert TicketCategory.objects.filter(center=center).count() == 8
    assert WindowSkill.objects.filter(window__center=center).count() == skills
    assert TicketCategory.objects.get(center=center, letter="B").items.filter(pk=item.pk).exists()
    w1 = center.windows.get(number="1")
    assert w1.skills.get(is_primary=True).category.letter == "A"
