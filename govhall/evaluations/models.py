"""好差评 (chapter 9 of the standard): ratings of what was served, complaints, 办不成事
reports, the rectification loop, appeals and surveys.

A rating is attached to a *matter* (`matter_kind` + `matter_id`, see `matters.py`): a ticket,
a case, later a consultation or a 代办. `matter_key` ("ticket:42") is unique, so a matter is
rated once whatever the channel; ratings of a window or a staff member (a QR code at the
window) and appended ratings after a rectification leave it empty.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

USER = settings.AUTH_USER_MODEL


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    BASICALLY = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"


BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)
DIMENSIONS = {"attitude": "服务态度", "quality": "服务质量", "efficiency": "服务效率"}
DIMENSIONS["environment"] = "服务环境"


class Channel(models.TextChoices):
    """9.4 a)–g)."""

    DEVICE = "device", "评价器"
    QR = "qr", "评价二维码"
    BOX = "box", "意见箱"
    SURVEY = "survey", "调查问卷"
    SMS = "sms", "短信评价"
    ONLINE = "online", "网上评价"
    BLOCKED = "blocked", "办不成事反映窗口"


class EvaluationSettings(models.Model):
    """Per-center limits of the rectification loop (local rules: 5 to 15 working days)."""

    center = models.OneToOneField(
        "org.Center", on_delete=models.CASCADE, related_name="+", verbose_name="中心"
    )
    step_days = models.PositiveSmallIntegerField(
        "整改各环节时限（工作日）",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(15)],
    )
    link_days = models.PositiveSmallIntegerField("评价链接有效期（天）", default=15)

    class Meta:
        verbose_name = "好差评设置"
        verbose_name_plural = "好差评设置"
        constraints = [
            models.CheckConstraint(
                condition=Q(step_days__gte=1, step_days__lte=15), name="eval_step_days_1_15"
            )
        ]

    def __str__(self) -> str:
        return f"{self.center}：{self.step_days} 个工作日"


class Rating(models.Model):
    center = models.ForeignKey(
        "org.Center", on_delete=models.PROTECT, related_name="+", verbose_name="中心"
    )
    matter_kind = models.CharField("评价对象类型", max_length=16)
    matter_id = models.CharField("评价对象编号", max_length=64)
    # "kind:id" for a matter; NULL for window/staff ratings and appended ones (NULLs are
    # distinct in both databases, so only matters are held to one rating).
    matter_key = models.CharField("办事事项键", max_length=90, null=True, blank=True, unique=True)
    matter_label = models.CharField("评价对象", max_length=120)
    matter_ref = models.CharField("办件编号/排队号", max_length=64, blank=True)
    channel = models.CharField("评价渠道", max_length=16, choices=Channel.choices)
    level = models.PositiveSmallIntegerField("评价等级", choices=Level.choices)
    attitude = models.PositiveSmallIntegerField("服务态度", null=True, blank=True)
    quality = models.PositiveSmallIntegerField("服务质量", null=True, blank=True)
    efficiency = models.PositiveSmallIntegerField("服务效率", null=True, blank=True)
    environment = models.PositiveSmallIntegerField("服务环境", null=True, blank=True)
    comment = models.TextField("评价内容", blank=True)
    tags = models.JSONField("标签", default=list, blank=True)
    real_name = models.BooleanField("实名评价", default=False)
    name = models.CharField("评价人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    window = models.ForeignKey(
        "org.Window", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="窗口",
    )  # fmt: skip
    staff = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="工作人员",
    )  # fmt: skip
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="部门",
    )  # fmt: skip
    item = models.ForeignKey(
        "catalog.ServiceItem", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name="事项",
    )  # fmt: skip
    appended_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="appends",
        verbose_name="追加于",
    )  # fmt: skip
    entered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="录入人（意见箱）",
    )  # fmt: skip
    at = models.DateTimeField("评价时间", db_index=True)
    # An upheld appeal: kept, never deleted, left out of statistics.
    excluded = models.BooleanField("申诉成立（不计入统计）", default=False)

    class Meta:
        verbose_name = "评价"
        verbose_name_plural = "评价"
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="rating_level"),
            # Anonymous ratings store no phone (and no name).
            models.CheckConstraint(
                condition=Q(real_name=True) | Q(phone="", name=""), name="rating_anonymous_no_pii"
            ),
        ]
        indexes = [models.Index(fields=["center", "at"], name="rating_center_at")]

    def __str__(self) -> str:
        return f"{self.matter_label} {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS


class Complaint(models.Model):
    """A complaint or suggestion (意见箱 slip, desk, phone): handled like a 差评."""

    center = models.ForeignKey(
        "org.Center", on_delete=models.PROTECT, related_name="+", verbose_name="中心"
    )
    channel = models.CharField("来源渠道", max_length=16, choices=Channel.choices)
    content = models.TextField("投诉内容")
    real_name = models.BooleanField("实名", default=False)
    name = models.CharField("投诉人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    window = models.ForeignKey(
        "org.Window", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="窗口",
    )  # fmt: skip
    staff = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="被投诉人员",
    )  # fmt: skip
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="部门",
    )  # fmt: skip
    photo = models.ForeignKey(
        "documents.StoredFile", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name="纸条照片",
    )  # fmt: skip
    entered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="录入人",
    )  # fmt: skip
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "投诉建议"
        verbose_name_plural = "投诉建议"
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(real_name=True) | Q(phone="", name=""), name="complaint_anon_no_pii"
            )
        ]

    def __str__(self) -> str:
        return self.content[:30]


class BlockedReport(models.Model):
    """A “办不成事” report (9.4 g): what could not be done, why, and the outcome."""

    center = models.ForeignKey(
        "org.Center", on_delete=models.PROTECT, related_name="+", verbose_name="中心"
    )
    item = models.ForeignKey(
        "catalog.ServiceItem", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name="事项",
    )  # fmt: skip
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="部门",
    )  # fmt: skip
    matter = models.CharField("所办事项（文字）", max_length=200)
    reason = models.TextField("办不成的原因")
    outcome = models.TextField("处理结果", blank=True)
    real_name = models.BooleanField("实名", default=True)
    name = models.CharField("反映人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    entered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="登记人",
    )  # fmt: skip
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "办不成事反映"
        verbose_name_plural = "办不成事反映"
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(real_name=True) | Q(phone="", name=""), name="blocked_anon_no_pii"
            )
        ]

    def __str__(self) -> str:
        return self.matter


class RectStatus(models.TextChoices):
    VERIFYING = "verifying", "待核实"
    RECTIFYING = "rectifying", "待整改"
    CALLBACK = "callback", "待回访"
    CLOSING = "closing", "待办结"
    CLOSED = "closed", "已办结"


class Rectification(models.Model):
    """9.5: every 差评, complaint and 办不成事 report is verified, rectified, answered."""

    Status = RectStatus
    TRANSITIONS: dict[str, set[str]] = {
        RectStatus.VERIFYING: {RectStatus.RECTIFYING, RectStatus.CALLBACK, RectStatus.CLOSED},
        RectStatus.RECTIFYING: {RectStatus.CALLBACK},
        # Verify may close an unfounded anonymous one; an anonymous one may close without a
        # callback (the service refuses both for real-name ones: 100 % callback).
        RectStatus.CALLBACK: {RectStatus.CLOSING, RectStatus.CLOSED},
        RectStatus.CLOSING: {RectStatus.CLOSED},
        RectStatus.CLOSED: set(),
    }

    center = models.ForeignKey(
        "org.Center", on_delete=models.PROTECT, related_name="+", verbose_name="中心"
    )
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="责任部门",
    )  # fmt: skip
    rating = models.OneToOneField(
        Rating, null=True, blank=True, on_delete=models.PROTECT, related_name="rectification",
        verbose_name="差评",
    )  # fmt: skip
    complaint = models.OneToOneField(
        Complaint, null=True, blank=True, on_delete=models.PROTECT,
        related_name="rectification", verbose_name="投诉",
    )  # fmt: skip
    blocked = models.OneToOneField(
        BlockedReport, null=True, blank=True, on_delete=models.PROTECT,
        related_name="rectification", verbose_name="办不成事",
    )  # fmt: skip
    source_label = models.CharField("来源", max_length=200)
    real_name = models.BooleanField("实名（须回访）", default=False)
    status = models.CharField("状态", max_length=16, choices=RectStatus.choices)
    opened_at = models.DateTimeField("立案时间")
    step_due = models.DateField("本环节截止日")
    step_due_provisional = models.BooleanField("截止日为暂定", default=False)
    step_alert_level = models.PositiveSmallIntegerField("本环节已发逾期提醒级别", default=0)
    ever_overdue = models.BooleanField("曾逾期", default=False)
    founded = models.BooleanField("问题属实", null=True, blank=True)
    verify_note = models.TextField("核实情况（证据）", blank=True)
    measures = models.TextField("整改措施", blank=True)
    responsible = models.CharField("整改责任人", max_length=50, blank=True)
    callback_result = models.TextField("回访结果", blank=True)
    callback_satisfaction = models.PositiveSmallIntegerField(
        "回访满意度", choices=Level.choices, null=True, blank=True
    )
    callback_at = models.DateTimeField("回访时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    close_note = models.TextField("办结说明", blank=True)

    class Meta:
        verbose_name = "整改"
        verbose_name_plural = "整改"
        ordering = ["step_due", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(rating__isnull=False, complaint__isnull=True, blocked__isnull=True)
                    | Q(rating__isnull=True, complaint__isnull=False, blocked__isnull=True)
                    | Q(rating__isnull=True, complaint__isnull=True, blocked__isnull=False)
                ),
                name="rectification_one_source",
            )
        ]
        indexes = [models.Index(fields=["status", "step_due"], name="rect_status_due")]

    def __str__(self) -> str:
        return f"整改 #{self.pk} {self.source_label}"

    def overdue(self, today: dt.date) -> bool:
        """Past the close of its step's due day and not closed."""
        return self.status != RectStatus.CLOSED and self.step_due < today


class RectificationEvent(models.Model):
    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="events", verbose_name="整改"
    )
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="操作人",
    )  # fmt: skip
    action = models.CharField("操作", max_length=40)
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16)
    reason = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "整改记录"
        verbose_name_plural = "整改记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.rectification_id} {self.action}"


class OverdueAlert(models.Model):
    """One alert per rectification, step and level (unique: several workers send once)."""

    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="alerts", verbose_name="整改"
    )
    step = models.CharField("环节", max_length=16, choices=RectStatus.choices)
    level = models.PositiveSmallIntegerField("级别")
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "整改逾期提醒"
        verbose_name_plural = "整改逾期提醒"
        constraints = [
            models.UniqueConstraint(
                fields=["rectification", "step", "level"], name="overdue_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rectification_id} {self.step} L{self.level}"


class AppealStatus(models.TextChoices):
    PENDING = "pending", "待决定"
    UPHELD = "upheld", "申诉成立"
    REJECTED = "rejected", "申诉不成立"


class Appeal(models.Model):
    """A staff member's appeal of a rating as malicious; the manager decides."""

    Status = AppealStatus
    TRANSITIONS: dict[str, set[str]] = {
        AppealStatus.PENDING: {AppealStatus.UPHELD, AppealStatus.REJECTED},
        AppealStatus.UPHELD: set(),
        AppealStatus.REJECTED: set(),
    }
    rating = models.ForeignKey(
        Rating, on_delete=models.PROTECT, related_name="appeals", verbose_name="评价"
    )
    appellant = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name="申诉人"
    )
    reason = models.TextField("申诉理由")
    evidence = models.TextField("证据", blank=True)
    status = models.CharField("状态", max_length=16, choices=AppealStatus.choices)
    at = models.DateTimeField("申诉时间")
    decision_note = models.TextField("决定意见", blank=True)

    class Meta:
        verbose_name = "评价申诉"
        verbose_name_plural = "评价申诉"
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rating"], condition=Q(status="pending"), name="appeal_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"申诉 #{self.pk}"


class AppealEvent(models.Model):
    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="events", verbose_name="申诉"
    )
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField("操作", max_length=40)
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16)
    reason = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "申诉记录"
        verbose_name_plural = "申诉记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.action}"


class Invitation(models.Model):
    """An SMS invitation sent for a matter (unique: once per matter)."""

    matter_key = models.CharField("办事事项键", max_length=90, unique=True)
    center = models.ForeignKey(
        "org.Center", on_delete=models.CASCADE, related_name="+", verbose_name="中心"
    )
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "评价邀请短信"
        verbose_name_plural = "评价邀请短信"

    def __str__(self) -> str:
        return self.matter_key


# The survey tables live in their own module (this file's size); imported so Django sees them.
from govhall.evaluations.survey_models import (  # noqa: E402, F401
    QuestionKind,
    Survey,
    SurveyQuestion,
    SurveyResponse,
)
