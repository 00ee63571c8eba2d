"""Cases II models: paper handover batches (7.3), suspensions and extensions (行政许可法
§42, §45), the result and its handover to the output window (7.5.1), release by pickup or
mail (7.5.2, 6.7.2), fees (6.7.1) and time-limit alerts (6.1.3).

Foreign keys to Case are by name ("cases.Case"): models.py imports this module."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models

from govhall.core.models import WorkflowEvent

__all__ = [
    "CaseExtension",
    "CaseProblem",
    "CaseRelease",
    "CaseResult",
    "CaseSuspension",
    "CenterOutputPolicy",
    "HandoverBatch",
    "HandoverBatchEvent",
    "HandoverLine",
    "HandoverSchedule",
    "ItemCasePolicy",
]

USER = settings.AUTH_USER_MODEL


def _user(label: str, **extra) -> models.ForeignKey:
    return models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=label,
        **extra,
    )


def _document(label: str) -> models.ForeignKey:
    return models.ForeignKey(
        "documents.Document",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=label,
    )


class ItemCasePolicy(models.Model):
    """Per item: how far approval may be extended (§42: 10 working days by default) and
    whether its results are published (6.2.1)."""

    item = models.OneToOneField(
        "catalog.ServiceItem", on_delete=models.CASCADE, related_name="+", verbose_name="事项"
    )
    extension_limit_days = models.PositiveSmallIntegerField("可延长工作日上限", default=10)
    publish_results = models.BooleanField("公示办理结果", default=True)

    class Meta:
        verbose_name = "事项办件设置"
        verbose_name_plural = "事项办件设置"

    def __str__(self) -> str:
        return f"{self.item}"


class CenterOutputPolicy(models.Model):
    """Per center: mailing free or at the local fee (6.7.2)."""

    center = models.OneToOneField(
        "org.Center", on_delete=models.CASCADE, related_name="+", verbose_name="中心"
    )
    mail_free = models.BooleanField("免费邮寄", default=True)
    mail_fee = models.DecimalField("邮寄费（元）", max_digits=8, decimal_places=2, default=0)

    class Meta:
        verbose_name = "出件邮寄政策"
        verbose_name_plural = "出件邮寄政策"

    def __str__(self) -> str:
        return f"{self.center}"


class HandoverSchedule(models.Model):
    """The department's two daily cut-offs for paper materials (7.3)."""

    department = models.OneToOneField(
        "org.Department", on_delete=models.CASCADE, related_name="+", verbose_name="部门"
    )
    morning_cutoff = models.TimeField("上午交接时间", default=dt.time(11, 0))
    afternoon_cutoff = models.TimeField("下午交接时间", default=dt.time(16, 0))

    class Meta:
        verbose_name = "纸质材料交接时间"
        verbose_name_plural = "纸质材料交接时间"

    def __str__(self) -> str:
        return f"{self.department} {self.morning_cutoff:%H:%M}/{self.afternoon_cutoff:%H:%M}"


class HandoverBatch(models.Model):
    class Slot(models.TextChoices):
        MORNING = "morning", "上午批次"
        AFTERNOON = "afternoon", "下午批次"

    class Status(models.TextChoices):
        PENDING = "pending", "待部门签收"
        SIGNED = "signed", "已签收"

    TRANSITIONS: dict[str, set[str]] = {Status.PENDING: {Status.SIGNED}, Status.SIGNED: set()}

    center = models.ForeignKey("org.Center", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name="部门"
    )
    day = models.DateField("日期")
    slot = models.CharField("批次", max_length=16, choices=Slot.choices)
    status = models.CharField("状态", max_length=16, choices=Status.choices)
    created_at = models.DateTimeField("生成时间")
    created_by = _user("交接人")
    document = _document("材料交接单")
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    signed_by = _user("签收人")

    class Meta:
        verbose_name = "纸质材料交接批次"
        verbose_name_plural = "纸质材料交接批次"
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "day", "slot"], name="handover_batch_slot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.day} {self.get_slot_display()}"


class HandoverBatchEvent(WorkflowEvent):
    batch = models.ForeignKey(HandoverBatch, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField("原状态", max_length=24, blank=True)
    to_status = models.CharField("新状态", max_length=24)

    class Meta:
        verbose_name = "交接批次记录"
        verbose_name_plural = "交接批次记录"

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class HandoverLine(models.Model):
    batch = models.ForeignKey(HandoverBatch, on_delete=models.CASCADE, related_name="lines")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    materials = models.JSONField("材料（名称、份数）", default=list)
    discrepancy = models.CharField("差异说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "交接单明细"
        verbose_name_plural = "交接单明细"
        constraints = [models.UniqueConstraint(fields=["batch", "case"], name="handover_line_case")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class CaseProblem(models.Model):
    """A problem sent back: a batch discrepancy (to the window) or a result refused by the
    output window (to the department)."""

    class Source(models.TextChoices):
        BATCH = "batch", "材料交接差异"
        RESULT = "result", "出件窗口拒收结果"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="problems")
    source = models.CharField("来源", max_length=16, choices=Source.choices)
    text = models.CharField("问题", max_length=500)
    raised_at = models.DateTimeField("提出时间")
    raised_by = _user("提出人")
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    resolved_by = _user("处理人")
    resolution = models.CharField("处理说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "办件问题"
        verbose_name_plural = "办件问题"
        ordering = ["raised_at", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class CaseSuspension(models.Model):
    """A step not counted in the approval limit (行政许可法 §45)."""

    class Kind(models.TextChoices):
        HEARING = "hearing", "听证"
        TENDER = "tender", "招标"
        AUCTION = "auction", "拍卖"
        INSPECTION = "inspection", "检验"
        TESTING = "testing", "检测"
        QUARANTINE = "quarantine", "检疫"
        APPRAISAL = "appraisal", "鉴定"
        EXPERT_REVIEW = "expert_review", "专家评审"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="suspensions")
    kind = models.CharField("特别程序", max_length=16, choices=Kind.choices)
    reason = models.CharField("说明", max_length=300, blank=True)
    started_on = models.DateField("开始日期")
    expected_days = models.PositiveSmallIntegerField("预计所需工作日")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    workdays = models.PositiveSmallIntegerField("不计时工作日", default=0)
    notice = _document("特别程序告知书")
    created_by = _user("登记人")

    class Meta:
        verbose_name = "特别程序（中止计时）"
        verbose_name_plural = "特别程序（中止计时）"
        ordering = ["started_on", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class CaseExtension(models.Model):
    """An extension of the approval limit with the head's approval (行政许可法 §42)."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="extension")
    days = models.PositiveSmallIntegerField("延长工作日")
    reason = models.CharField("延期理由", max_length=500)
    head_name = models.CharField("批准负责人", max_length=50)
    head_approved_at = models.DateTimeField("负责人批准时间")
    promised_before = models.DateField("原承诺办结日")
    promised_after = models.DateField("延长后办结日")
    notice = _document("延期办理告知书")
    recorded_by = _user("登记人")

    class Meta:
        verbose_name = "延期审批"
        verbose_name_plural = "延期审批"

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class CaseResult(models.Model):
    class Outcome(models.TextChoices):
        APPROVED = "approved", "准予许可"
        DENIED = "denied", "不予许可"

    class ResultType(models.TextChoices):
        LICENCE = "licence", "许可证"
        CERTIFICATE = "certificate", "证书"
        APPROVAL_DOCUMENT = "approval_document", "批准文件"
        OTHER = "other", "其他"

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="result")
    outcome = models.CharField("审批结果", max_length=16, choices=Outcome.choices)
    result_type = models.CharField("结果类型", max_length=24, choices=ResultType.choices)
    result_no = models.CharField("结果编号", max_length=100, blank=True)
    review_steps = models.JSONField("审查步骤", default=list, blank=True)
    reason = models.TextField("不予许可理由", blank=True)
    basis = models.TextField("依据", blank=True)
    file = models.ForeignKey(
        "documents.StoredFile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="电子结果文件",
    )
    decision = _document("决定书")
    decided_on = models.DateField("决定日期")
    decided_by = _user("审批人")
    voucher = _document("交接凭证")
    handed_by = _user("移交人")
    received_by = _user("出件窗口签收人")

    class Meta:
        verbose_name = "办理结果"
        verbose_name_plural = "办理结果"

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class CaseRelease(models.Model):
    """The result given out: at the window against a signature, or by mail."""

    class Method(models.TextChoices):
        PICKUP = "pickup", "窗口领取"
        MAIL = "mail", "邮寄送达"

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="release")
    method = models.CharField("方式", max_length=8, choices=Method.choices)
    signer_name = models.CharField("领取人", max_length=100, blank=True)
    signer_is_agent = models.BooleanField("代理人领取", default=False)
    signer_id_number = models.CharField("领取人证件号码", max_length=32, blank=True)
    authorization = models.CharField("授权委托书", max_length=300, blank=True)
    id_checked = models.BooleanField("已核验身份", default=False)
    signature = models.ForeignKey(
        "documents.StoredFile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="签名图片",
    )
    signature_sha256 = models.CharField("签名SHA-256", max_length=64, blank=True)
    receipt = _document("领取签收单/邮寄凭证")
    carrier = models.CharField("快递公司", max_length=50, blank=True)
    tracking_no = models.CharField("快递单号", max_length=64, blank=True)
    address = models.CharField("邮寄地址", max_length=300, blank=True)
    mail_fee = models.DecimalField("邮寄费", max_digits=8, decimal_places=2, default=Decimal(0))
    sent_on = models.DateField("寄出日期", null=True, blank=True)
    delivered_on = models.DateField("妥投日期", null=True, blank=True)
    released_at = models.DateTimeField("发放时间")
    released_by = _user("出件人员")

    class Meta:
        verbose_name = "结果发放"
        verbose_name_plural = "结果发放"

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"
