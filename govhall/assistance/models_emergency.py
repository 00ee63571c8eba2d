"""Emergency help (6.7.5): the emergency log, the contacts and equipment kept for it, and
drill records. Imported at the bottom of models.py."""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.db import models

from govhall.core.models import WorkflowEvent

__all__ = [
    "Drill",
    "EmergencyContact",
    "EmergencyEquipment",
    "EmergencyIncident",
    "EmergencyIncidentEvent",
    "EmergencyKind",
    "EquipmentCheck",
]


class EmergencyKind(models.TextChoices):
    MEDICAL = "medical", "突发疾病/受伤"
    FIRE = "fire", "火情"
    LOST_PERSON = "lost_person", "人员走失"
    DISTURBANCE = "disturbance", "秩序扰乱"
    OTHER = "other", "其他"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


class EmergencyIncident(models.Model):
    """One entry of the emergency log: open while it is being handled, closed with its
    outcome."""

    class Status(models.TextChoices):
        OPEN = "open", "处置中"
        CLOSED = "closed", "已处置"

    TRANSITIONS: dict[str, set[str]] = {Status.OPEN: {Status.CLOSED}, Status.CLOSED: set()}

    center = models.ForeignKey(
        "org.Center", on_delete=models.PROTECT, related_name="+", verbose_name="中心"
    )
    number = models.CharField("编号", max_length=32, unique=True)
    kind = models.CharField("类型", max_length=16, choices=EmergencyKind.choices)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    occurred_at = models.DateTimeField("发生时间")
    place = models.CharField("地点", max_length=120)
    description = models.TextField("经过")
    helpers = models.CharField("参与救助人员", max_length=300, blank=True)
    called = models.CharField("联系的外部单位（120/110/119等）", max_length=300, blank=True)
    outcome = models.TextField("处置结果", blank=True)
    recorded_at = models.DateTimeField("登记时间")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="登记人",
    )
    closed_at = models.DateTimeField("处置完毕时间", null=True, blank=True)

    class Meta:
        verbose_name = "应急事件登记"
        verbose_name_plural = "应急事件登记"
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"


class EmergencyIncidentEvent(WorkflowEvent):
    incident = models.ForeignKey(
        EmergencyIncident, on_delete=models.CASCADE, related_name="events", verbose_name="事件"
    )
    action = models.CharField("动作", max_length=32)

    class Meta:
        verbose_name = "应急事件处置记录"
        verbose_name_plural = "应急事件处置记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


class EmergencyContact(models.Model):
    """Whom to call: 急救 120, the local police station, the building's security…"""

    center = models.ForeignKey(
        "org.Center", on_delete=models.CASCADE, related_name="+", verbose_name="中心"
    )
    role = models.CharField("用途", max_length=60, help_text="例如：医疗急救、属地派出所、物业安保")
    name = models.CharField("单位/联系人", max_length=100)
    phone = models.CharField("电话", max_length=40)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "应急联系人"
        verbose_name_plural = "应急联系人"
        ordering = ["center", "order", "id"]

    def __str__(self) -> str:
        return f"{self.role} {self.name}"


class EmergencyEquipment(models.Model):
    """A first-aid kit, an AED, an extinguisher: where it is, when it was last checked and
    when its contents (pads, medicines) expire."""

    class Kind(models.TextChoices):
        FIRST_AID_KIT = "first_aid_kit", "急救箱"
        AED = "aed", "AED（自动体外除颤器）"
        EXTINGUISHER = "extinguisher", "灭火器"
        STRETCHER = "stretcher", "担架"
        OTHER = "other", "其他"

    center = models.ForeignKey(
        "org.Center", on_delete=models.CASCADE, related_name="+", verbose_name="中心"
    )
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    label = models.CharField("名称/编号", max_length=60)
    location = models.CharField("存放位置", max_length=120)
    check_every_months = models.PositiveSmallIntegerField("检查周期（月）", default=1)
    last_checked = models.DateField("上次检查日期", null=True, blank=True)
    expires_on = models.DateField("有效期至（耗材/药品）", null=True, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "应急设备"
        verbose_name_plural = "应急设备"
        ordering = ["center", "kind", "label"]
        constraints = [
            models.UniqueConstraint(fields=["center", "label"], name="emergencyequipment_label")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.label}"

    def next_check(self) -> dt.date | None:
        if self.last_checked is None:
            return None
        try:
            return add_months(self.last_checked, self.check_every_months)
        except ValueError:  # past year 9999: never due
            return dt.date.max

    def check_overdue(self, today: dt.date) -> bool:
        """Never checked, or the next check's date has passed."""
        due = self.next_check()
        return due is None or due < today

    def expired(self, today: dt.date) -> bool:
        return self.expires_on is not None and self.expires_on < today

    def flags(self, today: dt.date) -> list[str]:
        found = []
        if self.expired(today):
            found.append("已过期")
        if self.check_overdue(today):
            found.append("检查逾期" if self.last_checked else "从未检查")
        return found


class EquipmentCheck(models.Model):
    equipment = models.ForeignKey(
        EmergencyEquipment, on_delete=models.CASCADE, related_name="checks", verbose_name="设备"
    )
    checked_on = models.DateField("检查日期")
    ok = models.BooleanField("状态良好", default=True)
    expires_on = models.DateField("有效期至", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="检查人",
    )

    class Meta:
        verbose_name = "应急设备检查记录"
        verbose_name_plural = "应急设备检查记录"
        ordering = ["-checked_on", "-id"]

    def __str__(self) -> str:
        return f"{self.equipment} {self.checked_on}"


class Drill(models.Model):
    """An emergency drill (应急演练): when, which scenario, who took part, what was found."""

    center = models.ForeignKey(
        "org.Center", on_delete=models.PROTECT, related_name="+", verbose_name="中心"
    )
    held_on = models.DateField("演练日期")
    kind = models.CharField("演练类型", max_length=16, choices=EmergencyKind.choices)
    scenario = models.CharField("演练科目/情景", max_length=200)
    participants = models.CharField("参加人员", max_length=500)
    participant_count = models.PositiveIntegerField("参加人数")
    findings = models.TextField("发现的问题及改进措施", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="登记人",
    )
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "应急演练记录"
        verbose_name_plural = "应急演练记录"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.scenario}"
