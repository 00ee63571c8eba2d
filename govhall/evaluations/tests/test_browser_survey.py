"""Headless Chromium: a manager builds a survey on the staff page (the formset, “添加一题”),
publishes it, a phone answers through the public link, the manager closes it. Screenshots
at desktop and phone width."""

import os
import shutil

import pytest

from govhall.evaluations.models import Survey, SurveyResponse
from govhall.evaluations.tests.test_browser import SHOTS, staff_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shot(screenshot):
    os.makedirs(SHOTS, exist_ok=True)

    def take(pg, name, full_page=True):
        path = screenshot(pg, f"evaluations-{name}", full_page=full_page)
        shutil.copy(path, os.path.join(SHOTS, f"{name}.png"))

    return take


def test_manager_builds_publishes_and_closes_a_survey(
    browser, phone_page, plain_live_server, h, shot, settings
):
    base = plain_live_server.url
    settings.SITE_URL = base
    ctx = staff_context(
        browser, plain_live_server, h.manager, viewport={"width": 1280, "height": 900}
    )
    page = ctx.new_page()
    page.goto(f"{base}/evaluations/surveys/?center={h.center.code}")
    page.click("#survey-new")
    page.fill("input[name=title]", "政务大厅环境满意度调查")
    page.fill("textarea[name=intro]", "请花一分钟告诉我们您的感受。")
    page.select_option("select[name=q-0-kind]", "single")
    page.fill("input[name=q-0-text]", "您本次的等候时间")
    page.fill("textarea[name=q-0-options]", "10分钟以内\n10-30分钟\n30分钟以上")
    for n, (kind, text, options) in enumerate(
        [
            ("multiple", "您认为大厅需要改进的方面", "座椅\n指引标识\n饮水"),
            ("scale", "您对大厅环境的总体评价", ""),
            ("text", "其他意见建议", ""),
        ],
        start=1,
    ):
        page.click("#add-question")
        page.select_option(f"select[name=q-{n}-kind]", kind)
        page.fill(f"input[name=q-{n}-text]", text)
        if options:
            page.fill(f"textarea[name=q-{n}-options]", options)
    page.uncheck("input[name=q-3-required]")
    page.click("#survey-save")
    page.wait_for_selector("#survey-status")
    assert page.inner_text("#survey-status") == "草稿"
    survey = Survey.objects.get()
    assert survey.questions.count() == 4
    page.click("#survey-publish-btn")
    page.wait_for_selector("#survey-close")
    assert page.inner_text("#survey-status") == "已发布（开放填写）"
    # The QR image loads (a PNG from the staff page), whatever the machine's load.
    page.wait_for_function(
        "(img => img.complete && img.naturalWidth > 0)(document.querySelector('#survey-qr'))"
    )
    url = page.inner_text("#survey-url")
    assert url == f"{base}/s/{survey.token}/"
    shot(page, "survey-editor")

    # A phone answers through the public link.
    phone_page.goto(url)
    phone_page.check("input[value='10分钟以内']")
    phone_page.check("input[value='饮水']")
    phone_page.check("input[value='座椅']")
    phone_page.check("fieldset.question:nth-of-type(3) input[value='4']")
    phone_page.fill("textarea", "希望多一些引导人员")
    shot(phone_page, "survey-phone")
    phone_page.click("button[type=submit]")
    phone_page.wait_for_load_state()
    assert SurveyResponse.objects.count() == 1

    page.click("#survey-close")
    page.wait_for_selector("#survey-publish-btn")
    assert page.inner_text("#survey-status") == "已结束"
    page.goto(f"{base}/evaluations/surveys/?center={h.center.code}")
    assert "已结束" in page.inner_text("#survey-list")
    shot(page, "survey-list")
    ctx.close()

    mobile_ctx = staff_context(
        browser, plain_live_server, h.manager,
        viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=2,
    )  # fmt: skip
    mobile = mobile_ctx.new_page()
    mobile.goto(f"{base}/evaluations/surveys/{survey.pk}/edit/")
    width = mobile.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    shot(mobile, "survey-editor-phone")
    mobile_ctx.close()
