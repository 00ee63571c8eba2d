"""The rectification loop of 好差评 (9.5): a rectification per 差评, complaint or 办不成事
report, its events and overdue alerts; appeals of ratings as malicious, with their events."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from govhall.core.models import WorkflowEvent
from govhall.evaluations.models import Level

USER = settings.AUTH_USER_MODEL


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
        "evaluations.Rating", null=True, blank=True, on_delete=models.PROTECT,
        related_name="rectification",
        verbose_name="差评",
    )  # fmt: skip
    complaint = models.OneToOneField(
        "evaluations.Complaint", null=True, blank=True, on_delete=models.PROTECT,
        related_name="rectification", verbose_name="投诉",
    )  # fmt: skip
    blocked = models.OneToOneField(
        "evaluations.BlockedReport", null=True, blank=True, on_delete=models.PROTECT,
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


class RectificationEvent(WorkflowEvent):
    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="events", verbose_name="整改"
    )

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
        "evaluations.Rating", on_delete=models.PROTECT, related_name="appeals", verbose_name="评价"
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


class AppealEvent(WorkflowEvent):
    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="events", verbose_name="申诉"
    )

    class Meta:
        verbose_name = "申诉记录"
        verbose_name_plural = "申诉记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.action}"
