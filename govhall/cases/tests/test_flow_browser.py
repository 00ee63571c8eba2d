"""In Chromium: the output window finds a case, the applicant signs with the mouse on the
signature pad, and the 领取签收单 PDF carries that signature; the manager's dashboard shows
a red case; screenshots of the department console, output console, signature pad,
dashboard and results page at desktop and 390 px width."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil

import pytest
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from govhall.cases.models import Case, CaseRelease, Status
from govhall.cases.services import approval, case_decide, output
from govhall.core.testing import reload_live_server_middleware
from govhall.org.testing import log_in_browser

from .conftest import intake
from .flow_fixtures import *  # noqa: F403
from .flow_fixtures import reload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = "/tmp/shots/cases20"


@pytest.fixture(autouse=True)
def _live_server_plain_http(request, live_server, _plain_http, settings):
    settings.SITE_URL = live_server.url
    request.addfinalizer(lambda: reload_live_server_middleware(live_server))
    reload_live_server_middleware(live_server)


@pytest.fixture
def shot(screenshot):
    os.makedirs(SHOTS, exist_ok=True)

    def take(pg, name: str) -> None:
        shutil.copy(screenshot(pg, name), os.path.join(SHOTS, f"{name}.png"))

    return take


def dark_pixels(image: Image.Image) -> int:
    """Dark pixels once drawn on white (transparent strokes-only PNGs included)."""
    rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, "white")
    white.alpha_composite(rgba)
    return sum(white.convert("L").histogram()[:100])


def test_signature_pickup_dashboard_and_screens(
    live_server,
    browser,
    page,
    phone_page,
    shot,
    center,
    department,
    item,
    clerk,
    approver,
    output_clerk,
    manager,
):
    ready = intake(center, item, clerk, 1, now=timezone.now()).case
    ready, _ = case_decide(case=ready, decision="accept", actor=approver)
    Case.objects.filter(pk=ready.pk).update(paper_handed_over_at=ready.received_at)
    ready, _ = approval.case_approval_decide(
        case=reload(ready), outcome="approved", result_no="JY23010200001", actor=approver
    )
    ready = output.case_result_handover(case=ready, actor=approver)
    output.case_result_receive(case=ready, ok=True, actor=output_clerk)
    late = intake(center, item, clerk, 2, now=timezone.now()).case
    Case.objects.filter(pk=late.pk).update(
        status=Status.APPROVING,
        promised_due=dt.date.today() - dt.timedelta(days=2),
        handover_due=dt.date.today() - dt.timedelta(days=3),
    )

    # The department console (approver), desktop and phone.
    desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    log_in_browser(approver, live_server.url, desk)
    dpage = desk.new_page()
    dpage.goto(f"{live_server.url}/cases/approval/")
    assert late.number in dpage.inner_text("#approval-list")
    shot(dpage, "cases20-department-console")
    desk.close()

    # The output console at phone width while the result waits.
    log_in_browser(output_clerk, live_server.url, phone_page.context)
    phone_page.goto(f"{live_server.url}/cases/output/")
    assert ready.number in phone_page.inner_text("#output-list")
    shot(phone_page, "cases20-output-console-phone")

    # The output console: find by case number, the pad, the signature drawn with the mouse.
    log_in_browser(output_clerk, live_server.url, page.context)
    page.goto(f"{live_server.url}/cases/output/")
    assert ready.number in page.inner_text("#output-list")
    shot(page, "cases20-output-console")
    page.fill("input[name=q]", ready.number)
    page.click("#find-form button")
    page.wait_for_selector("#signature-pad")
    page.check("#id-checked")
    box = page.locator("#signature-pad").bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for k in range(1, 13):
        x = box["x"] + 30 + k * (box["width"] - 60) / 12
        y = box["y"] + box["height"] * (0.3 if k % 2 else 0.7)
        page.mouse.move(x, y, steps=4)
    page.mouse.up()
    page.locator("#pickup-form").scroll_into_view_if_needed()
    shot(page, "cases20-signature-pad")
    page.click("#pickup-submit")
    page.wait_for_selector("#case-status")
    assert page.inner_text("#case-status") == "已办结"
    release = CaseRelease.objects.get(case=ready)
    signed = Image.open(io.BytesIO(release.signature.file.read()))
    assert dark_pixels(signed) > 200  # the strokes drawn with the mouse
    link = page.locator("#documents a", has_text="领取签收单")
    pdf = page.request.get(live_server.url + link.get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.body()))
    images = [img.image for p in reader.pages for img in p.images]
    assert len(images) >= 1 and max(dark_pixels(i) for i in images) > 200
    text = "".join("".join(p.extract_text().split()) for p in reader.pages)
    assert release.signature_sha256 in text

    # The manager's dashboard shows the red case.
    boss = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    log_in_browser(manager, live_server.url, boss)
    mpage = boss.new_page()
    mpage.goto(f"{live_server.url}/cases/monitor/")
    row = mpage.locator("#monitor-list tr.level-red", has_text=late.number)
    assert row.count() == 1 and "超期" in row.inner_text()
    assert mpage.inner_text("#monitor-counts .cell-red") == "1"
    shot(mpage, "cases20-monitor")
    boss.close()

    # Phone width: dashboard, results page.
    log_in_browser(manager, live_server.url, phone_page.context)
    phone_page.goto(f"{live_server.url}/cases/monitor/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone_page, "cases20-monitor-phone")
    phone_page.goto(f"{live_server.url}/results/?center={center.code}")
    text = phone_page.inner_text("#results")
    assert "张*丰" in text and "张三丰" not in text and "准予许可（许可证）" in text
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone_page, "cases20-results-phone")
    page.goto(f"{live_server.url}/results/?center={center.code}")
    shot(page, "cases20-results")
