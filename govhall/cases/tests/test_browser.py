"""In Chromium: call a ticket → intake form → incomplete → one-time list; complete → receipt;
the approver accepts on the department console → the applicant's progress page (phone
width) shows 已受理 and the notice link opens the PDF."""

from __future__ import annotations

import pytest

from govhall.cases.models import Case, IntakeRefusal
from govhall.core.testing import reload_live_server_middleware
from govhall.org.testing import log_in_browser
from govhall.queueing import services as queue
from govhall.queueing.models import TicketCategory, WindowSkill

from .conftest import person_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _live_server_plain_http(request, live_server, _plain_http, settings):
    settings.SITE_URL = live_server.url  # the signed links point at this server
    request.addfinalizer(lambda: reload_live_server_middleware(live_server))
    reload_live_server_middleware(live_server)


def fill_applicant(page) -> None:
    page.fill("input[name=applicant_name]", "张三丰")
    page.fill("input[name=id_number]", person_id(5))
    page.fill("input[name=phone]", "13800005555")


def test_window_intake_to_progress_page(
    live_server, browser, page, phone_page, screenshot, center, item, window, clerk, approver
):
    category = TicketCategory.objects.create(center=center, letter="A", name="综合业务")
    category.items.add(item)
    WindowSkill.objects.create(window=window, category=category, is_primary=True)
    queue.window_open(window=window, actor=clerk)
    issued = queue.ticket_issue(center=center, item=item)
    called = queue.window_call_next(window=window, actor=clerk)
    assert called.pk == issued.pk

    log_in_browser(clerk, live_server.url, page.context)
    page.goto(f"{live_server.url}/cases/intake/")
    assert f"当前服务：{issued.number}号" in page.inner_text("main")
    page.wait_for_selector("#intake-form")  # the ticket's one item opened the form
    fill_applicant(page)
    materials = list(item.published.materials.order_by("position"))
    page.check(f"input[name=m{materials[0].pk}_provided]")
    page.check(f"input[name=m{materials[0].pk}_original]")
    screenshot(page, "cases-01-intake-form")
    page.click("#intake-submit")
    page.wait_for_selector("#missing-list")
    assert "营业执照：未提供" in page.inner_text("#missing-list")
    screenshot(page, "cases-02-one-time-list")
    link = page.get_attribute("#one-time-pdf", "href")
    pdf = page.request.get(link)
    assert pdf.headers["content-type"] == "application/pdf"
    refusal = IntakeRefusal.objects.get()
    assert pdf.body() == refusal.document.read_bytes()
    assert Case.objects.count() == 0

    page.goto(f"{live_server.url}/cases/intake/?item={item.code}")
    fill_applicant(page)
    for m in materials:
        page.check(f"input[name=m{m.pk}_provided]")
        page.check(f"input[name=m{m.pk}_original]")
    page.click("#intake-submit")
    page.wait_for_selector("#case-status")
    case = Case.objects.get()
    assert case.ticket_id == issued.pk and case.window_id == window.pk
    assert "已收件" in page.inner_text("#case-status")
    screenshot(page, "cases-03-received")
    receipt = page.request.get(live_server.url + page.get_attribute("#documents a", "href"))
    assert receipt.headers["content-type"] == "application/pdf"

    approver_context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    log_in_browser(approver, live_server.url, approver_context)
    desk = approver_context.new_page()
    desk.goto(f"{live_server.url}/cases/")
    assert case.number in desk.inner_text("#pending")
    screenshot(desk, "cases-04-department-console")
    desk.click(f"text={case.number}")
    desk.check("input[name=decision][value=accept]")
    desk.click("#decide-submit")
    desk.wait_for_selector("#case-status")
    assert desk.inner_text("#case-status") == "已受理"
    approver_context.close()

    phone_page.goto(f"{live_server.url}/progress/?case_no={case.number}")
    phone_page.fill("input[name=phone_last4]", "5555")
    phone_page.click("button[type=submit]")
    phone_page.wait_for_selector("#progress-stage")
    assert phone_page.inner_text("#progress-stage") == "已受理"
    text = phone_page.inner_text("main")
    assert "张*丰" in text and "张三丰" not in text and person_id(5) not in text
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "cases-05-progress-phone")
    notice = phone_page.locator(".progress-docs a", has_text="受理通知书")
    response = phone_page.request.get(notice.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
