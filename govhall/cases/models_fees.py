"""Cases II models of fees (6.7.1) and time-limit alerts (6.1.3). Foreign keys to Case are
by name ("cases.Case"): models.py imports this module."""

from __future__ import annotations

from django.db import models

from govhall.cases.models_flow import _user
from govhall.core.models import WorkflowEvent

__all__ = [
    "DeadlineAlert",
    "FakeGatewayNotice",
    "FeeEvent",
    "FeeOrder",
    "FeePayment",
    "FeeRefund",
]


class FeeOrder(models.Model):
    class Status(models.TextChoices):
        UNPAID = "unpaid", "待缴费"
        PAID = "paid", "已缴费"
        WAIVED = "waived", "依法免收"
        REFUNDED = "refunded", "已退费"

    TRANSITIONS: dict[str, set[str]] = {
        Status.UNPAID: {Status.PAID, Status.WAIVED},
        Status.PAID: {Status.REFUNDED},
        Status.WAIVED: set(),
        Status.REFUNDED: set(),
    }

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="fee")
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2)
    basis = models.TextField("收费依据")
    status = models.CharField("状态", max_length=16, choices=Status.choices)
    out_trade_no = models.CharField("订单号", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间")
    paid_at = models.DateTimeField("缴费时间", null=True, blank=True)
    waived_reason = models.CharField("免收依据", max_length=300, blank=True)

    class Meta:
        verbose_name = "缴费订单"
        verbose_name_plural = "缴费订单"

    def __str__(self) -> str:
        return self.out_trade_no


class FeeEvent(WorkflowEvent):
    order = models.ForeignKey(FeeOrder, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField("原状态", max_length=24, blank=True)
    to_status = models.CharField("新状态", max_length=24)

    class Meta:
        verbose_name = "缴费记录"
        verbose_name_plural = "缴费记录"

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class FeePayment(models.Model):
    class Method(models.TextChoices):
        CASH = "cash", "现金"
        ELECTRONIC = "electronic", "电子支付"

    order = models.ForeignKey(FeeOrder, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField("方式", max_length=16, choices=Method.choices)
    amount = models.DecimalField("金额", max_digits=10, decimal_places=2)
    receipt_no = models.CharField("票据号", max_length=64, blank=True)
    provider = models.CharField("支付渠道", max_length=32, blank=True)
    provider_txn_id = models.CharField(
        "渠道交易号", max_length=64, null=True, blank=True, unique=True
    )
    paid_at = models.DateTimeField("缴费时间")
    recorded_by = _user("登记人")

    class Meta:
        verbose_name = "缴费"
        verbose_name_plural = "缴费"

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class FeeRefund(models.Model):
    order = models.ForeignKey(FeeOrder, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField("金额", max_digits=10, decimal_places=2)
    reason = models.CharField("退费原因", max_length=300)
    at = models.DateTimeField("退费时间")
    by = _user("经办人")
    provider_refund_id = models.CharField("渠道退款号", max_length=64, blank=True)

    class Meta:
        verbose_name = "退费"
        verbose_name_plural = "退费"

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class DeadlineAlert(models.Model):
    """One alert per case, deadline, level and due date (the job may run twice or on two
    workers at once: the unique constraint lets exactly one of them write it)."""

    class Kind(models.TextChoices):
        ACCEPTANCE = "acceptance", "受理审查"
        APPROVAL = "approval", "审批办结"
        HANDOVER = "handover", "结果移交"
        PICKUP_NOTICE = "pickup_notice", "领取通知"

    class Level(models.TextChoices):
        YELLOW = "yellow", "黄灯（临近）"
        RED = "red", "红灯（超期）"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField("时限", max_length=16, choices=Kind.choices)
    level = models.CharField("级别", max_length=8, choices=Level.choices)
    due = models.DateField("截止日")
    created_at = models.DateTimeField("预警时间")
    recipients = models.PositiveSmallIntegerField("通知人数", default=0)
    # The job run that wrote the row: a run inserts its alerts ignoring the ones another
    # run wrote first, then sends the SMS of exactly the rows carrying its own batch.
    batch = models.CharField("写入批次", max_length=32, blank=True, db_index=True)

    class Meta:
        verbose_name = "时限预警"
        verbose_name_plural = "时限预警"
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "level", "due"], name="deadline_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class FakeGatewayNotice(models.Model):
    """The fake payment gateway's own record of a payment and of its asynchronous
    notification to us (services/fake_gateway.py): what a real gateway keeps on its side —
    the signed notification, how often it was delivered and when it is tried again."""

    out_trade_no = models.CharField("商户订单号", max_length=64, unique=True)
    trade_no = models.CharField("渠道交易号", max_length=64, unique=True)
    params = models.JSONField("通知内容（已签名）")
    paid_at = models.DateTimeField("支付时间")
    attempts = models.PositiveSmallIntegerField("已通知次数", default=0)
    next_at = models.DateTimeField("下次通知时间", null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField("商户应答成功时间", null=True, blank=True)
    last_answer = models.CharField("商户最近应答", max_length=200, blank=True)

    class Meta:
        verbose_name = "模拟支付通知"
        verbose_name_plural = "模拟支付通知"

    def __str__(self) -> str:
        return f"{self.out_trade_no} · {self.trade_no}"
