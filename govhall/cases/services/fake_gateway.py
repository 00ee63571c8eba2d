"""The fake payment gateway's side (tests and demo, no keys): the applicant's pay page
pays, and the gateway then notifies us the way Alipay documents its asynchronous
notification (异步通知): the signed result is delivered to the merchant's notify handler
right after payment, and again — because any answer other than `success` counts as not
received — after 4 min, 10 min, 10 min, 1 h, 2 h, 6 h and 15 h (8 notifications within
about 25 hours), then never again. A repeated notification carries the same `trade_no`.

The real gateway POSTs the form to notify_url over HTTP; this fake hands the same signed
fields to the same handler the notify endpoint runs (`fees.fee_notify`), in its own
transaction, after the gateway's own record is committed — the two are separate systems.

6.7.1: 政务服务中心应提供支持现金、电子支付等方式的缴费服务,供服务对象自愿选择。"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction

from govhall.cases.models import FakeGatewayNotice, FeeOrder
from govhall.cases.services import _common as c
from govhall.cases.services import fees
from govhall.core.errors import DomainError, InvalidTransition, NotFound

# After the first notification, Alipay's documented retry intervals.
RETRY_AFTER = (
    dt.timedelta(minutes=4),
    dt.timedelta(minutes=10),
    dt.timedelta(minutes=10),
    dt.timedelta(hours=1),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
    dt.timedelta(hours=15),
)
MAX_NOTIFICATIONS = len(RETRY_AFTER) + 1


def fake_gateway_pay(*, out_trade_no: str, now: dt.datetime | None = None) -> FakeGatewayNotice:
    """6.7.1 (电子支付): the applicant pays the order on the fake gateway's page. Paying an
    order the gateway has already been paid for returns that payment (a payer is never
    charged twice); an order that is no longer unpaid (waived, paid in cash) is refused
    (409). The first notification is delivered at once."""
    now = c._now(now)
    provider = fees.provider_get("fake")
    with transaction.atomic():
        order = FeeOrder.objects.filter(out_trade_no=out_trade_no).first()
        if order is None:
            raise NotFound("未找到该缴费订单。")
        notice = FakeGatewayNotice.objects.select_for_update().filter(out_trade_no=out_trade_no)
        existing = notice.first()
        if existing is not None:
            return existing
        if order.status != FeeOrder.Status.UNPAID:
            raise InvalidTransition(f"该订单当前为“{order.get_status_display()}”，无需缴费。")
        trade_no = f"FAKE{now:%Y%m%d%H%M%S}{secrets.randbelow(10**6):06d}"
        notice = FakeGatewayNotice.objects.create(
            out_trade_no=out_trade_no,
            trade_no=trade_no,
            params=provider.notification(order, trade_no),
            paid_at=now,
            next_at=now,
        )
    fake_gateway_deliver(notice, now=now)
    notice.refresh_from_db()
    return notice


def fake_gateway_deliver(notice: FakeGatewayNotice, *, now: dt.datetime) -> bool:
    """One notification: our handler's answer `success` ends the retries; anything else
    (a refused signature, amount or state) schedules the next one per RETRY_AFTER."""
    try:
        answer = fees.fee_notify(provider="fake", params=dict(notice.params), now=now)
    except DomainError as exc:
        answer = f"{exc.code}: {exc.message}"
    ok = answer == "success"
    attempts = notice.attempts + 1
    last = ok or attempts >= MAX_NOTIFICATIONS
    next_at = None if last else now + RETRY_AFTER[attempts - 1]
    # Conditional: of two workers delivering the same notification, one counts it.
    FakeGatewayNotice.objects.filter(
        pk=notice.pk, attempts=notice.attempts, delivered_at__isnull=True
    ).update(
        attempts=attempts,
        next_at=next_at,
        last_answer=answer[:200],
        delivered_at=now if ok else None,
    )
    return ok


def fake_gateway_notify_due(now: dt.datetime) -> int:
    """Job `cases.fake_gateway_notify`: the notifications whose retry time has come;
    returns how many our handler accepted."""
    due = FakeGatewayNotice.objects.filter(delivered_at__isnull=True, next_at__lte=now)
    return sum(fake_gateway_deliver(n, now=now) for n in due.order_by("next_at", "id")[:500])
