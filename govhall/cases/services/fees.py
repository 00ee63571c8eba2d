"""Fees (6.7.1): an order per case from the item's fee basis, paid in cash (receipt number)
or electronically through a payment provider, refunds with a reason; a case that owes a
fee is not released.

6.7.1: 政务服务中心应提供支持现金、电子支付等方式的缴费服务,供服务对象自愿选择。
6.6.2.2 a) (帮代办): staff acting for the applicant never pay for them — the payment is
always the applicant's own; a proxy-only account cannot record one."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction

from govhall.cases.models import Case, Channel, FeeOrder, FeePayment, FeeRefund
from govhall.cases.services import _common as c
from govhall.cases.services import flow
from govhall.core import workflow
from govhall.core.errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from govhall.org.selectors import scope_for

FEE_ROLES = {"output_clerk", "clerk", "manager"}


class PaymentProvider(Protocol):
    name: str

    def pay_url(self, order: FeeOrder) -> str: ...

    def verify(self, params: dict[str, str]) -> bool: ...


class FakePaymentProvider:
    """A local stand-in for an online payment gateway (tests and demo; no keys needed).

    It imitates the behaviour Alipay documents for its asynchronous notification
    (异步通知, notify_url): after the payer pays, the gateway POSTs the result —
    `out_trade_no` (the merchant's order), `trade_no` (the gateway's transaction),
    `total_amount`, `trade_status=TRADE_SUCCESS` and `sign` — to the merchant; the merchant
    must verify the signature, check the amount against its own order and answer the text
    `success`. Until it does, the gateway sends the same notification again (Alipay: 8
    times within 25 hours, after 4m, 10m, 10m, 1h, 2h, 6h, 15h), so one `trade_no` may
    arrive twice, even at the same moment. WeChat Pay's payment notification behaves the
    same way. Here the signature is HMAC-SHA256 over the sorted `key=value` pairs joined
    by `&` (Alipay signs the same string with RSA2) under a key derived from SECRET_KEY."""

    name = "fake"

    def _key(self) -> bytes:
        return hashlib.sha256(f"fake-pay:{settings.SECRET_KEY}".encode()).digest()

    def sign(self, params: dict[str, str]) -> str:
        text = "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign")
        return hmac.new(self._key(), text.encode(), hashlib.sha256).hexdigest()

    def verify(self, params: dict[str, str]) -> bool:
        return hmac.compare_digest(str(params.get("sign", "")), self.sign(params))

    def pay_url(self, order: FeeOrder) -> str:
        return f"{settings.SITE_URL}/cases/pay/fake/{order.out_trade_no}/"

    def notification(self, order: FeeOrder, trade_no: str) -> dict[str, str]:
        """What the gateway POSTs to the notify URL once the payer has paid."""
        params = {
            "out_trade_no": order.out_trade_no,
            "trade_no": trade_no,
            "total_amount": f"{order.amount:.2f}",
            "trade_status": "TRADE_SUCCESS",
        }
        return params | {"sign": self.sign(params)}


PROVIDERS: dict[str, PaymentProvider] = {"fake": FakePaymentProvider()}


def provider_get(name: str) -> PaymentProvider:
    provider = PROVIDERS.get(name)
    if provider is None:
        raise NotFound("未知的支付渠道。")
    return provider


def _fee_transition(order: FeeOrder, target: str, *, action: str, actor, now, reason="", **ch):
    return workflow.transition(
        order,
        target,
        action=action,
        actor=actor,
        now=now,
        reason=reason,
        changes=ch,
        audit_data=lambda o: {"case": o.case.number, "amount": str(o.amount)},
        refused=lambda o: f"缴费订单当前为“{o.get_status_display()}”，不能执行此操作。",
    )


def fee_order_open(case: Case, *, now: dt.datetime) -> FeeOrder | None:
    """The case's order from the guide's fee basis (in the caller's transaction)."""
    guide = case.guide
    if not guide.fee_required or not guide.fee_amount:
        return None
    order, created = FeeOrder.objects.get_or_create(
        case=case,
        defaults={
            "amount": guide.fee_amount,
            "basis": guide.fee_basis or "按办事指南所列收费标准",
            "status": FeeOrder.Status.UNPAID,
            "out_trade_no": f"F{case.number}",
            "created_at": now,
        },
    )
    if created:
        workflow.record_event(order, action="created", from_status="", actor=None, now=now)
    return order


def _require_fee_staff(actor: Any, order: FeeOrder) -> None:
    scope = scope_for(actor)
    case = order.case
    if not scope.sees(case.center_id, case.department_id):
        raise NotFound("未找到该缴费订单。")
    if not scope.is_admin and not scope.has_any_role(FEE_ROLES, case.center_id):
        raise Forbidden("帮代办人员不得代缴费用；请由综合窗口或出件窗口登记申请人本人的缴费。")
    if case.channel == Channel.PROXY and case.clerk_id == getattr(actor, "pk", None):
        # 6.6.2.2 a: the proxy who handles this 代办 never records (nor makes) its payment,
        # even when they also hold a window role.
        raise Forbidden("代办人员应引导申请人自行缴纳，不得为本人代办的办件登记缴费。")


@transaction.atomic
def fee_pay_cash(
    *, order: FeeOrder, receipt_no: str, actor: Any, now: dt.datetime | None = None
) -> FeeOrder:
    """Cash paid by the applicant at the window, with the receipt (票据) number."""
    now = c._now(now)
    _require_fee_staff(actor, order)
    if not (receipt_no or "").strip():
        raise InvalidInput("请填写缴费票据号。", field="receipt_no")
    order = _fee_transition(
        order, FeeOrder.Status.PAID, action="paid_cash", actor=actor, now=now, paid_at=now
    )
    FeePayment.objects.create(
        order=order,
        method=FeePayment.Method.CASH,
        amount=order.amount,
        receipt_no=receipt_no.strip(),
        paid_at=now,
        recorded_by=flow.actor_or_none(actor),
    )
    return order


def fee_notify(*, provider: str, params: dict[str, str], now: dt.datetime | None = None) -> str:
    """The provider's asynchronous payment notification. Verified, checked against the
    order, and recorded once: a repeated or concurrent notification of the same
    transaction answers `success` again without a second payment (the order row is locked,
    and the transaction number is unique)."""
    now = c._now(now)
    gateway = provider_get(provider)
    if not gateway.verify(params):
        raise InvalidInput("支付通知签名无效。", field="sign")
    trade_no = (params.get("trade_no") or "").strip()
    if not trade_no:
        raise InvalidInput("缺少渠道交易号。", field="trade_no")
    if params.get("trade_status") != "TRADE_SUCCESS":
        return "success"
    with transaction.atomic():
        order = (
            FeeOrder.objects.select_for_update()
            .filter(out_trade_no=params.get("out_trade_no", ""))
            .first()
        )
        if order is None:
            raise InvalidInput("未找到该订单。", field="out_trade_no")
        try:
            amount = Decimal(params.get("total_amount", ""))
        except InvalidOperation as exc:
            raise InvalidInput("金额无效。", field="total_amount") from exc
        if amount != order.amount:
            raise InvalidInput("支付金额与订单金额不一致。", field="total_amount")
        if FeePayment.objects.filter(provider_txn_id=f"{provider}:{trade_no}").exists():
            return "success"  # the same notification again
        if order.status != FeeOrder.Status.UNPAID:
            raise InvalidTransition("订单已缴费或已免收，该笔支付需原路退回。")
        _fee_transition(
            order,
            FeeOrder.Status.PAID,
            action="paid_electronic",
            actor=None,
            now=now,
            reason=f"{provider}:{trade_no}",
            paid_at=now,
        )
        FeePayment.objects.create(
            order=order,
            method=FeePayment.Method.ELECTRONIC,
            amount=amount,
            provider=provider,
            provider_txn_id=f"{provider}:{trade_no}",
            paid_at=now,
        )
    return "success"


@transaction.atomic
def fee_refund(
    *, order: FeeOrder, reason: str, actor: Any, now: dt.datetime | None = None
) -> FeeRefund:
    """A refund of the whole payment, with its reason."""
    now = c._now(now)
    _require_fee_staff(actor, order)
    if not (reason or "").strip():
        raise InvalidInput("请填写退费原因。", field="reason")
    order = _fee_transition(
        order, FeeOrder.Status.REFUNDED, action="refunded", actor=actor, now=now, reason=reason
    )
    return FeeRefund.objects.create(
        order=order,
        amount=order.amount,
        reason=reason.strip(),
        at=now,
        by=flow.actor_or_none(actor),
    )


@transaction.atomic
def fee_waive(*, order: FeeOrder, reason: str, actor: Any, now: dt.datetime | None = None):
    """Waived by law (免收), with the legal basis."""
    now = c._now(now)
    _require_fee_staff(actor, order)
    if not (reason or "").strip():
        raise InvalidInput("请填写免收依据。", field="reason")
    return _fee_transition(
        order, FeeOrder.Status.WAIVED, action="waived", actor=actor, now=now, waived_reason=reason
    )


def require_fee_settled(case: Case) -> None:
    """A case that owes a fee cannot be released (409, nothing written)."""
    order = FeeOrder.objects.filter(case=case).first()
    if order is not None and order.status == FeeOrder.Status.UNPAID:
        raise InvalidTransition(f"该办件尚未缴费（{order.amount} 元），缴费或依法免收后方可发放。")
