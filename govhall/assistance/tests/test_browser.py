"""In Chromium: the 委托书 signed on screen with the mouse on both pads, and the PDF carries
both signatures; screenshots of the assistance console, a 代办 page and the 代办 register
at desktop and 390 px width (no sideways scrolling on the phone)."""

from __future__ import annotations

import io
import os
import shutil

import pytest
from PIL import Image
from pypdf import PdfReader

from govhall.assistance import services
from govhall.assistance.models import ProxyCase
from govhall.core.testing import reload_live_server_middleware
from govhall.org.testing import log_in_browser

from .conftest import PROXY_ID, apply, sign, take_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = "/tmp/shots/proxy23"


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
    rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, "white")
    white.alpha_composite(rgba)
    return sum(white.convert("L").histogram()[:100])


def draw(page, selector: str, strokes: int = 10) -> None:
    page.locator(selector).scroll_into_view_if_needed()
    box = page.locator(selector).bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for k in range(1, strokes + 1):
        x = box["x"] + 20 + k * (box["width"] - 40) / strokes
        y = box["y"] + box["height"] * (0.3 if k % 2 else 0.7)
        page.mouse.move(x, y, steps=4)
    page.mouse.up()


def test_authorization_signed_on_screen_and_screens(
    live_server, browser, page, phone_page, shot, center, item, department, proxy
):
    services.help_record_create(
        center=center, person_name="李四光", item=item, actions=["explained", "forms"],
        forms_filled=["食品经营许可申请书"], minutes=20, outcome="submitted", actor=proxy,
    )  # fmt: skip
    chasing = take_in(sign(apply(center, item, proxy, 2), proxy), proxy)
    services.proxy_note_add(
        proxy_case=chasing, kind="chase", department=department, content="催办审批进度",
        answer="三日内作出决定", actor=proxy,
    )  # fmt: skip
    p = apply(center, item, proxy, 1, applicant_name="欧阳娜娜")

    log_in_browser(proxy, live_server.url, page.context, phone_page.context)
    page.goto(f"{live_server.url}/assistance/")
    assert p.number in page.inner_text("#open-proxies")
    assert "李*光" in page.inner_text("#help-list")
    shot(page, "proxy23-console")
    phone_page.goto(f"{live_server.url}/assistance/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone_page, "proxy23-console-phone")

    # The 委托书: both pads signed with the mouse.
    page.goto(f"{live_server.url}/assistance/proxies/{p.number}/")
    assert "欧**娜" in page.inner_text("#applicant")
    page.fill("input[name=proxy_id_number]", PROXY_ID)
    draw(page, "#applicant-pad")
    draw(page, "#proxy-pad", strokes=7)  # another hand: another image
    shot(page, "proxy23-sign-pads")
    page.click("#sign-submit")
    page.wait_for_selector("#take-in-form")
    assert page.inner_text("#proxy-status") == "已委托（待收件）"
    p = ProxyCase.objects.get(pk=p.pk)
    for stored in (p.applicant_signature, p.proxy_signature):
        with stored.file.open("rb") as f:
            assert dark_pixels(Image.open(io.BytesIO(f.read()))) > 200
    link = page.locator("#documents a", has_text="代办委托书")
    pdf = page.request.get(live_server.url + link.get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.body()))
    signatures = [
        img.image for pg in reader.pages for img in pg.images if img.image.size == (600, 220)
    ]
    assert len(signatures) == 2 and min(dark_pixels(i) for i in signatures) > 200
    text = "".join("".join(pg.extract_text().split()) for pg in reader.pages)
    assert p.applicant_signature_sha256 in text and p.proxy_signature_sha256 in text

    page.goto(f"{live_server.url}/assistance/proxies/{chasing.number}/")
    assert "三日内作出决定" in page.inner_text("#notes")
    shot(page, "proxy23-proxy-chasing")
    phone_page.goto(f"{live_server.url}/assistance/proxies/{chasing.number}/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone_page, "proxy23-proxy-chasing-phone")

    page.goto(f"{live_server.url}/assistance/proxies/")
    text = page.inner_text("#register-list")
    assert p.number in text and chasing.number in text and "欧阳娜娜" not in text
    assert page.inner_text("#stat-help") == "1" and page.inner_text("#stat-proxy") == "2"
    shot(page, "proxy23-register")
    phone_page.goto(f"{live_server.url}/assistance/proxies/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone_page, "proxy23-register-phone")
