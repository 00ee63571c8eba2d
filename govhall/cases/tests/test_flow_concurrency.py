"""Real threads, real PostgreSQL transactions: two simultaneous payment notifications of one
transaction make one payment; the alert job on two workers at once alerts once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from govhall.cases.models import Case, DeadlineAlert, FeeEvent, FeeOrder, FeePayment, Status
from govhall.cases.services import fees
from govhall.cases.services.monitoring import cases_deadline_alerts
from govhall.notifications.models import OutboxMessage

from .conftest import at, intake
from .flow_fixtures import *  # noqa: F403
from .test_concurrency import run

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_simultaneous_notifications_make_one_payment(center, item, clerk):
    case = intake(center, item, clerk, now=at(2026, 3, 2, 9)).case
    order = FeeOrder.objects.create(
        case=case,
        amount=Decimal("80.00"),
        basis="收费标准",
        status="unpaid",
        out_trade_no="F-TEST-1",
        created_at=at(2026, 3, 3, 9),
    )
    params = fees.FakePaymentProvider().notification(order, "2026030399")
    results = run(
        2, lambda i: fees.fee_notify(provider="fake", params=params, now=at(2026, 3, 3, 9))
    )
    assert results == ["success", "success"]
    assert FeePayment.objects.filter(order=order).count() == 1
    assert FeeOrder.objects.get(pk=order.pk).status == "paid"
    assert FeeEvent.objects.filter(order=order, action="paid_electronic").count() == 1


def test_alert_job_on_two_workers_alerts_once(center, item, clerk, approver, manager):
    type(approver).objects.filter(pk=approver.pk).update(phone="13800001111")
    cases = [intake(center, item, clerk, n, now=at(2026, 3, 2, 9)).case for n in range(1, 6)]
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(
        status=Status.APPROVING, handover_due=dt.date(2026, 3, 13)
    )
    results = run(2, lambda i: cases_deadline_alerts(at(2026, 3, 11, 8)))
    assert sorted(results) in ([0, 5], [1, 4], [2, 3]) and sum(results) == 5, results
    assert DeadlineAlert.objects.count() == 5
    # Each worker tells each recipient once about the alerts it wrote (its own case's
    # message for one, a digest for several): every case reaches each recipient once.
    told: dict[str, int] = {}
    for m in OutboxMessage.objects.filter(template__startswith="case_deadline_"):
        told[m.to] = told.get(m.to, 0) + int(m.params.get("count", 1))
    assert told == {"13800001111": 5, "13900000002": 5}
