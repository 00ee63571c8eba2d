"""Fees (unpaid cannot be released, cash, fake electronic provider with duplicate and forged
notifications, refund) and time-limit monitoring (levels at their boundaries across the
Spring Festival, alerts once per level when the job runs twice)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from govhall.cases.models import Case, DeadlineAlert, FeeOrder, FeePayment, FeeRefund, Status
from govhall.cases.selectors_flow import dashboard_counts, level_of
from govhall.cases.services import approval, case_decide, fees, output
from govhall.cases.services.monitoring import cases_deadline_alerts
from govhall.catalog.testing import make_item
from govhall.core.errors import Forbidden, InvalidInput, InvalidTransition
from govhall.notifications.models import OutboxMessage
from govhall.org.testing import make_user

from .conftest import at, intake
from .flow_fixtures import *  # noqa: F403
from .flow_fixtures import reload, signature_png

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def fee_item(center, department):
    return make_item(
        center,
        department,
        "SCJG-FEE",
        "特种设备使用登记",
        fee_required=True,
        fee_amount=Decimal("50.00"),
        fee_basis="《特种设备收费标准》第3条",
        materials=[{"name": "申请表", "position": 1}],
    )


def received_result(center, item, clerk, approver, output_clerk, n=1):
    case = intake(center, item, clerk, n, now=at(2026, 3, 2, 9)).case
    case, _ = case_decide(case=case, decision="accept", actor=approver, now=at(2026, 3, 2, 10))
    Case.objects.filter(pk=case.pk).update(paper_handed_over_at=at(2026, 3, 2, 11))
    case, _ = approval.case_approval_decide(
        case=reload(case),
        outcome="approved",
        result_no=f"T{n}",
        actor=approver,
        now=at(2026, 3, 3, 9),
    )
    case = output.case_result_handover(case=case, actor=approver, now=at(2026, 3, 3, 10))
    return output.case_result_receive(
        case=case, ok=True, actor=output_clerk, now=at(2026, 3, 3, 11)
    )


def test_unpaid_case_cannot_be_released_then_cash_then_refund(
    center, fee_item, clerk, approver, output_clerk
):
    case = received_result(center, fee_item, clerk, approver, output_clerk)
    order = FeeOrder.objects.get(case=case)
    assert (order.amount, order.status, order.basis) == (
        Decimal("50.00"),
        "unpaid",
        "《特种设备收费标准》第3条",
    )
    with pytest.raises(InvalidTransition, match="尚未缴费"):
        output.case_pickup(
            case=case,
            signature_png=signature_png(),
            id_checked=True,
            actor=output_clerk,
            now=at(2026, 3, 4, 9),
        )
    with pytest.raises(InvalidTransition, match="尚未缴费"):
        output.case_mail(
            case=case,
            carrier="EMS",
            tracking_no="E1",
            address="青松县人民路1号",
            actor=output_clerk,
            now=at(2026, 3, 4, 9),
        )
    assert reload(case).status == Status.OUTPUT_RECEIVED
    with pytest.raises(InvalidInput) as bad:
        fees.fee_pay_cash(order=order, receipt_no=" ", actor=output_clerk, now=at(2026, 3, 4, 9))
    assert bad.value.errors[0]["field"] == "receipt_no"
    proxy = make_user("proxy-t", ("proxy", center))
    with pytest.raises(Forbidden):
        fees.fee_pay_cash(order=order, receipt_no="R1", actor=proxy, now=at(2026, 3, 4, 9))
    order = fees.fee_pay_cash(
        order=order, receipt_no="HL0001", actor=output_clerk, now=at(2026, 3, 4, 9)
    )
    assert order.status == "paid"
    assert FeePayment.objects.get(order=order).receipt_no == "HL0001"
    case, _release = output.case_pickup(
        case=case,
        signature_png=signature_png(),
        id_checked=True,
        actor=output_clerk,
        now=at(2026, 3, 4, 10),
    )
    assert case.status == Status.CLOSED
    with pytest.raises(InvalidInput):
        fees.fee_refund(order=order, reason="", actor=output_clerk, now=at(2026, 3, 5, 9))
    refund = fees.fee_refund(
        order=order, reason="重复收费", actor=output_clerk, now=at(2026, 3, 5, 9)
    )
    assert (refund.amount, refund.reason, refund.order.status) == (
        Decimal("50.00"),
        "重复收费",
        "refunded",
    )
    with pytest.raises(InvalidTransition):
        fees.fee_refund(
            order=reload_order(order), reason="again", actor=output_clerk, now=at(2026, 3, 5, 10)
        )
    assert FeeRefund.objects.count() == 1


def reload_order(order):
    return FeeOrder.objects.get(pk=order.pk)


def test_fake_provider_notification_verified_and_recorded_once(
    center, fee_item, clerk, approver, output_clerk
):
    case = received_result(center, fee_item, clerk, approver, output_clerk)
    order = FeeOrder.objects.get(case=case)
    provider = fees.FakePaymentProvider()
    params = provider.notification(order, "2026030422001")
    forged = params | {"total_amount": "0.01"}
    with pytest.raises(InvalidInput) as bad:
        fees.fee_notify(provider="fake", params=forged, now=at(2026, 3, 4, 9))
    assert bad.value.errors[0]["field"] == "sign"
    wrong_amount = provider.notification(order, "2026030422001")
    wrong_amount["total_amount"] = "49.00"
    wrong_amount["sign"] = provider.sign(wrong_amount)
    with pytest.raises(InvalidInput) as bad:
        fees.fee_notify(provider="fake", params=wrong_amount, now=at(2026, 3, 4, 9))
    assert bad.value.errors[0]["field"] == "total_amount"
    assert reload_order(order).status == "unpaid"
    assert fees.fee_notify(provider="fake", params=params, now=at(2026, 3, 4, 9)) == "success"
    assert fees.fee_notify(provider="fake", params=params, now=at(2026, 3, 4, 9, 4)) == "success"
    assert FeePayment.objects.filter(order=order).count() == 1
    assert reload_order(order).status == "paid"
    # Through HTTP, as the gateway posts it (form fields, plain-text answer).
    from django.test import Client

    response = Client().post("/api/v1/payments/fake/notify", params)
    assert (response.status_code, response.content) == (200, b"success")
    assert FeePayment.objects.filter(order=order).count() == 1
    # A body that is no form (found by the API fuzz run): 400 naming the body, no payment.
    broken = Client().post("/api/v1/payments/fake/notify", "x", content_type="multipart/form-data")
    assert broken.status_code == 400
    assert broken["Content-Type"].startswith("application/problem+json")
    assert broken.json()["errors"][0]["field"] == "body"
    assert FeePayment.objects.filter(order=order).count() == 1


# --- Monitoring ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "today", "level"),
    [
        # due Fri 13 Mar 2026; yellow at 2 working days or fewer left after today.
        (D(2026, 3, 13), D(2026, 3, 10), "green"),  # day before yellow: 11, 12, 13 left
        (D(2026, 3, 13), D(2026, 3, 11), "yellow"),  # first yellow day: 12, 13 left
        (D(2026, 3, 13), D(2026, 3, 13), "yellow"),  # due day
        (D(2026, 3, 13), D(2026, 3, 14), "red"),  # day after
        # due Tue 24 Feb 2026, the first working day after the Spring Festival holiday.
        (D(2026, 2, 24), D(2026, 2, 12), "green"),  # 13, 14 (调休 Saturday), 24 left
        (D(2026, 2, 24), D(2026, 2, 13), "yellow"),  # 14 (调休), 24 left
        (D(2026, 2, 24), D(2026, 2, 18), "yellow"),  # in the holiday: 24 left
        (D(2026, 2, 24), D(2026, 2, 24), "yellow"),
        (D(2026, 2, 24), D(2026, 2, 25), "red"),
    ],
)
def test_levels_at_their_boundaries(due, today, level, center, item, clerk, approver):
    assert level_of(due, today) == level
    case = intake(center, item, clerk, now=at(2026, 2, 2, 9)).case
    Case.objects.filter(pk=case.pk).update(status=Status.APPROVING, handover_due=due)
    counts = dashboard_counts(approver, today)
    assert [(r["total"], r[level]) for r in counts] == [(1, 1)]


def test_many_alerts_at_once_reach_each_recipient_as_one_digest(
    center, item, clerk, approver, manager
):
    type(approver).objects.filter(pk=approver.pk).update(phone="13800001111")
    cases = [intake(center, item, clerk, n, now=at(2026, 3, 2, 9)).case for n in range(1, 5)]
    Case.objects.filter(pk__in=[c.pk for c in cases[:3]]).update(
        status=Status.APPROVING, handover_due=D(2026, 3, 13)
    )
    Case.objects.filter(pk=cases[3].pk).update(status=Status.APPROVING, handover_due=D(2026, 3, 10))
    assert cases_deadline_alerts(at(2026, 3, 11, 8)) == 4  # three yellow, one red
    assert not OutboxMessage.objects.filter(template="case_deadline_alert").exists()
    digests = OutboxMessage.objects.filter(template="case_deadline_digest")
    assert sorted(m.to for m in digests) == ["13800001111", "13900000002"]
    batch = DeadlineAlert.objects.values_list("batch", flat=True).distinct().get()
    for message in digests:
        assert message.params == {
            "count": "4",
            "red": "1",
            "yellow": "3",
            "examples": "、".join([cases[3].number, *sorted(c.number for c in cases[:3])[:2]])
            + "等",
        }
        assert cases[3].number in message.body and "已超期（红灯）1件" in message.body
        assert (message.related_type, message.related_id) == ("cases.deadlinealert", batch)
    assert cases_deadline_alerts(at(2026, 3, 11, 9)) == 0
    assert OutboxMessage.objects.filter(template__startswith="case_deadline_").count() == 2


def test_alerts_once_per_level_even_when_the_job_runs_twice(
    center, item, clerk, approver, manager, other_approver
):
    type(approver).objects.filter(pk=approver.pk).update(phone="13800001111")
    type(other_approver).objects.filter(pk=other_approver.pk).update(phone="13800002222")
    case = intake(center, item, clerk, now=at(2026, 3, 2, 9)).case
    Case.objects.filter(pk=case.pk).update(status=Status.APPROVING, handover_due=D(2026, 3, 13))
    assert cases_deadline_alerts(at(2026, 3, 10, 8)) == 0  # green
    assert cases_deadline_alerts(at(2026, 3, 11, 8)) == 1  # turns yellow
    assert cases_deadline_alerts(at(2026, 3, 11, 9)) == 0  # the job again
    assert cases_deadline_alerts(at(2026, 3, 13, 9)) == 0  # still yellow
    assert cases_deadline_alerts(at(2026, 3, 14, 8)) == 1  # red
    assert cases_deadline_alerts(at(2026, 3, 16, 8)) == 0
    alerts = list(DeadlineAlert.objects.values_list("kind", "level", "recipients"))
    assert alerts == [("handover", "yellow", 2), ("handover", "red", 2)]
    sent = OutboxMessage.objects.filter(template="case_deadline_alert")
    # The department's approver and the center's manager, not the other department.
    assert sorted(m.to for m in sent) == sorted(["13800001111", "13900000002"] * 2)
    assert "已超期（红灯）" in sent.order_by("id").last().body
