"""好差评 (chapter 9 of the standard): ratings of what was served, complaints, 办不成事
reports, the rectification loop, appeals and surveys.

A rating is attached to a *matter* (`matter_kind` + `matter_id`, see `matters.py`): a ticket,
a case, later a consultation or a 代办. `matter_key` ("ticket:42") is unique, so a matter is
rated once whatever the channel; ratings of a window or a staff member (a QR code at the
window) and appended ratings after a rectification leave it empty.
"""

from __future__ import annotations

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
    DESK = "desk", "咨询台/窗口当面反映"


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
    # Where it was first recorded in another app ("consultation:12"): taken over once.
    source_key = models.CharField("来源记录", max_length=60, null=True, blank=True, unique=True)

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


# The rectification loop and the survey tables live in their own modules (this file's
# size); imported so Django sees them and `from govhall.evaluations.models import …` works.
from govhall.evaluations.models_rectification import (  # noqa: E402, F401
    Appeal,
    AppealEvent,
    AppealStatus,
    OverdueAlert,
    Rectification,
    RectificationEvent,
    RectStatus,
)
from govhall.evaluations.survey_models import (  # noqa: E402, F401
    QuestionKind,
    Survey,
    SurveyEvent,
    SurveyQuestion,
    SurveyResponse,
    SurveyStatus,
)
