"""In Chromium: the applicant opens the payment link on a phone, sees the amount and the
fee basis, pays on the fake gateway's page, and the page shows the payment confirmed by
the center (the gateway's notification accepted); the order is paid once. Screenshots at
phone and desktop width."""

from __future__ import annotations

import os
import shutil
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from govhall.cases.models import FakeGatewayNotice, FeeOrder, FeePayment
from govhall.cases.services import fees
from govhall.catalog.testing import make_item
from govhall.core.testing import reload_live_server_middleware

from .conftest import intake
from .flow_fixtures import *  # noqa: F403

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = "/tmp/shots/cases20"


@pytest.fixture(autouse=True)
def _live_server_plain_http(request, live_server, _plain_http, settings):
    settings.SITE_URL = live_server.url
    request.addfinalizer(lambda: reload_live_server_middleware(live_server))
    reload_live_server_middleware(live_server)


def test_applicant_pays_on_the_fake_gateway_page(
    live_server, page, phone_page, screenshot, center, department, clerk
):
    os.makedirs(SHOTS, exist_ok=True)
    item = make_item(
        center,
        department,
        "SCJG-PAYB",
        "特种设备使用登记",
        fee_required=True,
        fee_amount=Decimal("50.00"),
        fee_basis="《特种设备收费标准》第3条",
        materials=[{"name": "申请表", "position": 1}],
    )
    case = intake(center, item, clerk, 1, now=timezone.now()).case
    with transaction.atomic():
        order = fees.fee_order_open(case, now=timezone.now())
    link = fees.provider_get("fake").pay_url(order)
    assert link.startswith(live_server.url)

    phone_page.goto(link)
    assert "50.00 元" in phone_page.inner_text("#pay-amount")
    assert "《特种设备收费标准》第3条" in phone_page.inner_text("#pay-basis")
    assert phone_page.inner_text("#pay-status") == "待缴费"
    shutil.copy(screenshot(phone_page, "cases_pay_phone"), f"{SHOTS}/pay_phone.png")
    phone_page.click("#pay-submit")
    phone_page.wait_for_selector("#pay-done")
    assert "政务服务中心已确认收款" in phone_page.inner_text("#pay-done")
    assert phone_page.inner_text("#pay-status") == "已缴费"
    shutil.copy(screenshot(phone_page, "cases_pay_phone_done"), f"{SHOTS}/pay_phone_done.png")
    assert FeeOrder.objects.get().status == "paid"
    assert FeePayment.objects.count() == 1 and FakeGatewayNotice.objects.get().attempts == 1

    page.goto(link)  # desktop, after paying: no pay button
    assert page.locator("#pay-submit").count() == 0
    shutil.copy(screenshot(page, "cases_pay_desktop"), f"{SHOTS}/pay_desktop.png")
