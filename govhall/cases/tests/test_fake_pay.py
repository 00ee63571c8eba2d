"""The fake payment gateway's pay page and its notifications (services/fake_gateway.py):
the page shows the amount and basis, paying notifies our handler once with a valid
signature, a refused notification is retried on Alipay's documented schedule, a second
pay does not charge twice, an order no longer unpaid is refused (409)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client

from govhall.cases.models import FakeGatewayNotice, FeeOrder, FeePayment
from govhall.cases.services import fake_gateway, fees
from govhall.cases.services.fake_gateway import fake_gateway_notify_due, fake_gateway_pay
from govhall.catalog.testing import make_item
from govhall.core.errors import InvalidInput, InvalidTransition, NotFound

from .conftest import at, intake
from .flow_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(center, department, clerk):
    item = make_item(
        center,
        department,
        "SCJG-PAY",
        "特种设备使用登记",
        fee_required=True,
        fee_amount=Decimal("50.00"),
        fee_basis="《特种设备收费标准》第3条",
        materials=[{"name": "申请表", "position": 1}],
    )
    case = intake(center, item, clerk, 1, now=at(2026, 3, 2, 9)).case
    with transaction.atomic():
        return fees.fee_order_open(case, now=at(2026, 3, 2, 9))


def test_page_shows_amount_and_basis_and_paying_notifies_once(order):
    url = f"/cases/pay/fake/{order.out_trade_no}/"
    assert fees.provider_get("fake").pay_url(order).endswith(url)
    page = Client().get(url).content.decode()
    assert "50.00 元" in page and "《特种设备收费标准》第3条" in page
    assert order.case.applicant_name not in page  # masked
    assert "确认支付" in page

    response = Client().post(url)
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "paid"
    notice = FakeGatewayNotice.objects.get()
    assert (notice.attempts, notice.last_answer, notice.next_at) == (1, "success", None)
    assert fees.provider_get("fake").verify(notice.params)  # signed as documented
    payment = FeePayment.objects.get()
    assert payment.provider_txn_id == f"fake:{notice.trade_no}"
    assert payment.amount == Decimal("50.00")

    page = Client().get(url).content.decode()
    assert "支付成功" in page and "已确认收款" in page and "确认支付" not in page
    # Paying again: the gateway returns the payment it has; no second charge.
    assert Client().post(url).status_code == 302
    assert FakeGatewayNotice.objects.count() == 1 and FeePayment.objects.count() == 1


def test_refused_notification_is_retried_on_the_documented_schedule(order, monkeypatch):
    real = fees.fee_notify
    answers = iter([InvalidInput("暂时无法处理。", field="out_trade_no")] * 2)

    def flaky(**kwargs):
        error = next(answers, None)
        if error is not None:
            raise error
        return real(**kwargs)

    monkeypatch.setattr(fake_gateway.fees, "fee_notify", flaky)
    notice = fake_gateway_pay(out_trade_no=order.out_trade_no, now=at(2026, 3, 2, 10))
    assert notice.attempts == 1 and notice.delivered_at is None
    assert notice.next_at == at(2026, 3, 2, 10, 4)  # after 4 minutes
    assert fake_gateway_notify_due(at(2026, 3, 2, 10, 3)) == 0  # not yet
    assert fake_gateway_notify_due(at(2026, 3, 2, 10, 4)) == 0  # refused again
    notice.refresh_from_db()
    assert notice.attempts == 2 and notice.next_at == at(2026, 3, 2, 10, 14)  # +10 min
    assert FeeOrder.objects.get().status == "unpaid"
    assert fake_gateway_notify_due(at(2026, 3, 2, 10, 14)) == 1
    notice.refresh_from_db()
    assert (notice.attempts, notice.delivered_at, notice.next_at) == (
        3,
        at(2026, 3, 2, 10, 14),
        None,
    )
    assert FeeOrder.objects.get().status == "paid" and FeePayment.objects.count() == 1
    assert fake_gateway_notify_due(at(2026, 3, 3, 10)) == 0  # delivered: no more


def test_gives_up_after_eight_notifications(order, monkeypatch):
    def refuse(**kwargs):
        raise InvalidInput("暂时无法处理。", field="out_trade_no")

    monkeypatch.setattr(fake_gateway.fees, "fee_notify", refuse)
    notice = fake_gateway_pay(out_trade_no=order.out_trade_no, now=at(2026, 3, 2, 10))
    moment = at(2026, 3, 2, 10)
    for wait in fake_gateway.RETRY_AFTER:
        moment += wait
        fake_gateway_notify_due(moment)
    notice.refresh_from_db()
    assert notice.attempts == 8 and notice.next_at is None and notice.delivered_at is None
    assert "暂时无法处理" in notice.last_answer


def test_order_no_longer_unpaid_or_unknown(order, output_clerk):
    fees.fee_waive(order=order, reason="依法免收", actor=output_clerk, now=at(2026, 3, 2, 11))
    with pytest.raises(InvalidTransition, match="依法免收"):
        fake_gateway_pay(out_trade_no=order.out_trade_no, now=at(2026, 3, 2, 12))
    response = Client().post(f"/cases/pay/fake/{order.out_trade_no}/")
    assert response.status_code == 409 and "无需缴费" in response.content.decode()
    assert FakeGatewayNotice.objects.count() == 0
    with pytest.raises(NotFound):
        fake_gateway_pay(out_trade_no="F-NOPE", now=at(2026, 3, 2, 12))
    assert Client().get("/cases/pay/fake/F-NOPE/").status_code == 404
