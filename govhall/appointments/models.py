"""Appointments (预约服务, 6.3 of the standard): booking rules, slots, bookings.

Slots are materialised on demand from the rules (one row per rule and start time) so that
capacity is enforced by the database with a conditional update, never by counting.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from govhall.core import workdays

# Unambiguous characters for codes read aloud or typed on a kiosk: no 0/O/1/I.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "").replace("-", "")


class Channel(models.TextChoices):
    ONLINE = "online", "网上预约"
    PHONE = "phone", "电话预约"
    ONSITE = "onsite", "现场预约"


class BookingRule(models.Model):
    """Which item (or all items of a department) takes bookings at a center, and how."""

    center = models.ForeignKey(
        "org.Center", on_delete=models.CASCADE, related_name="booking_rules", verbose_name="中心"
    )
    item = models.ForeignKey(
        "catalog.ServiceItem",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="booking_rules",
        verbose_name="事项（为空则适用于部门全部事项）",
    )
    department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="booking_rules",
        verbose_name="部门（事项为空时）",
    )
    slot_minutes = models.PositiveSmallIntegerField("时段长度（分钟）", default=30)
    capacity = models.PositiveSmallIntegerField("每时段可预约人数", default=3)
    morning = models.BooleanField("上午可约", default=True)
    afternoon = models.BooleanField("下午可约", default=True)
    extended_start = models.TimeField("延时服务开始（6.7.4，可空）", null=True, blank=True)
    extended_end = models.TimeField("延时服务结束", null=True, blank=True)
    days_ahead = models.PositiveSmallIntegerField("可提前预约工作日数", default=10)
    cancel_cutoff_minutes = models.PositiveIntegerField("取消截止（时段开始前分钟数）", default=60)
    checkin_before_minutes = models.PositiveSmallIntegerField(
        "签到开始（时段开始前分钟数）", default=30
    )
    # 6.3.5: a booking is given up only when the person has not come by the end of the
    # slot. Check-in stays open until then; a center may allow more (minutes after the end).
    checkin_grace_minutes = models.PositiveSmallIntegerField(
        "签到截止延后（时段结束后分钟数，0为时段结束即截止）", default=0
    )
    reminder_time = models.TimeField("前一工作日提醒时间", default=dt.time(9, 0))
    morning_reminder = models.BooleanField("当日上午再提醒", default=False)
    morning_reminder_time = models.TimeField("当日提醒时间", default=dt.time(8, 0))
    max_per_day = models.PositiveSmallIntegerField("同一证件每日最多预约数", default=2)
    max_per_week = models.PositiveSmallIntegerField("同一证件每周最多预约数", default=5)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "预约规则"
        verbose_name_plural = "预约规则"
        ordering = ["center", "item", "department"]
        constraints = [
            models.CheckConstraint(
                condition=Q(item__isnull=False) | Q(department__isnull=False),
                name="bookingrule_item_or_department",
            ),
            models.UniqueConstraint(
                fields=["center", "item"],
                condition=Q(item__isnull=False),
                name="bookingrule_one_per_item",
            ),
            models.UniqueConstraint(
                fields=["center", "department"],
                condition=Q(item__isnull=True),
                name="bookingrule_one_per_department",
            ),
            models.CheckConstraint(condition=Q(slot_minutes__gte=5), name="bookingrule_slot_len"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="bookingrule_capacity"),
        ]

    def __str__(self) -> str:
        target = self.item.name if self.item_id else f"{self.department}（全部事项）"
        return f"{self.center} · {target}"

    def periods(self) -> list[tuple[dt.time, dt.time]]:
        """Bookable periods of a day: the center's hours plus optional extended hours."""
        center = self.center
        result = []
        if self.morning:
            result.append((center.morning_open, center.morning_close))
        if self.afternoon:
            result.append((center.afternoon_open, center.afternoon_close))
        if self.extended_start and self.extended_end and self.extended_start < self.extended_end:
            result.append((self.extended_start, self.extended_end))
        return sorted(result)

    def slot_starts(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """Slot boundaries on one day (working-day and closure checks are the caller's)."""
        tz = timezone.get_current_timezone()
        length = dt.timedelta(minutes=self.slot_minutes)
        slots = []
        for start_t, end_t in self.periods():
            start = dt.datetime.combine(day, start_t, tzinfo=tz)
            end = dt.datetime.combine(day, end_t, tzinfo=tz)
            while start + length <= end:
                slots.append((start, start + length))
                start += length
        return slots

    def bookable_dates(self, today: dt.date) -> list[dt.date]:
        """From the next working day up to `days_ahead` working days (never calendar days)."""
        return [workdays.add_workdays(today, n) for n in range(1, self.days_ahead + 1)]


class CenterClosure(models.Model):
    """Days the center (or one rule) takes no bookings, entered by admins (6.3.3)."""

    center = models.ForeignKey(
        "org.Center", on_delete=models.CASCADE, related_name="closures", verbose_name="中心"
    )
    rule = models.ForeignKey(
        BookingRule,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="closures",
        verbose_name="仅限此预约规则（可空：全中心）",
    )
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    reason = models.CharField("原因", max_length=200)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "暂停预约日期"
        verbose_name_plural = "暂停预约日期"
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="closure_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.start_date}—{self.end_date} {self.reason}"


class Slot(models.Model):
    rule = models.ForeignKey(
        BookingRule, on_delete=models.CASCADE, related_name="slots", verbose_name="预约规则"
    )
    center = models.ForeignKey(
        "org.Center", on_delete=models.CASCADE, related_name="+", verbose_name="中心"
    )
    item = models.ForeignKey(
        "catalog.ServiceItem",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="事项",
    )
    start = models.DateTimeField("开始时间", db_index=True)
    end = models.DateTimeField("结束时间")
    capacity = models.PositiveSmallIntegerField("可预约人数")
    booked = models.PositiveSmallIntegerField("已预约人数", default=0)
    is_closed = models.BooleanField("已停约", default=False)

    class Meta:
        verbose_name = "预约时段"
        verbose_name_plural = "预约时段"
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "start"], name="slot_rule_start"),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="slot_never_oversold"
            ),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.start)
        return f"{local:%Y-%m-%d %H:%M}–{timezone.localtime(self.end):%H:%M}"

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def date(self) -> dt.date:
        return timezone.localtime(self.start).date()

    def label(self) -> str:
        local = timezone.localtime(self.start)
        weekday = "一二三四五六日"[local.weekday()]
        end = timezone.localtime(self.end)
        return f"{local:%Y年%m月%d日}（星期{weekday}）{local:%H:%M}–{end:%H:%M}"


class Status(models.TextChoices):
    BOOKED = "booked", "已预约"
    CHECKED_IN = "checked_in", "已签到"
    CANCELLED = "cancelled", "已取消"
    NO_SHOW = "no_show", "未到（视为放弃）"
    RESCHEDULED = "rescheduled", "已改约"


class Appointment(models.Model):
    Status = Status

    # The one transition table; services.appointment_transition checks it.
    TRANSITIONS: dict[str, set[str]] = {
        Status.BOOKED: {Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW, Status.RESCHEDULED},
        Status.CHECKED_IN: set(),
        Status.CANCELLED: set(),
        Status.NO_SHOW: set(),
        Status.RESCHEDULED: set(),
    }
    ACTIVE = (Status.BOOKED, Status.CHECKED_IN)

    code = models.CharField("预约码", max_length=16, unique=True)
    center = models.ForeignKey(
        "org.Center", on_delete=models.PROTECT, related_name="appointments", verbose_name="中心"
    )
    item = models.ForeignKey(
        "catalog.ServiceItem",
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name="事项",
    )
    guide = models.ForeignKey(
        "catalog.GuideVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="预约时的办事指南版本",
    )
    rule = models.ForeignKey(
        BookingRule, on_delete=models.PROTECT, related_name="appointments", verbose_name="规则"
    )
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="appointments", verbose_name="时段"
    )
    slot_start = models.DateTimeField("时段开始", db_index=True)
    slot_end = models.DateTimeField("时段结束")
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    id_number = models.CharField("证件号码", max_length=32, db_index=True)
    channel = models.CharField("预约渠道", max_length=16, choices=Channel.choices)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.BOOKED, db_index=True
    )
    created_at = models.DateTimeField("预约时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="登记人",
    )
    block_warning = models.CharField("登记时的限制提示", max_length=200, blank=True)
    status_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)
    status_reason = models.CharField("原因", max_length=300, blank=True)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    ticket_id = models.CharField("排队号记录", max_length=64, blank=True)
    ticket_number = models.CharField("排队号", max_length=32, blank=True)
    ticket_url = models.CharField("排队状态链接", max_length=300, blank=True)
    rescheduled_from = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rescheduled_to",
        verbose_name="改约自",
    )
    cancel_failures = models.PositiveSmallIntegerField("网上取消验证失败次数", default=0)
    reminder_due_at = models.DateTimeField("前一工作日提醒时间", null=True, blank=True)
    reminder_sent_at = models.DateTimeField("前一工作日提醒已排队", null=True, blank=True)
    morning_reminder_due_at = models.DateTimeField("当日提醒时间", null=True, blank=True)
    morning_reminder_sent_at = models.DateTimeField("当日提醒已排队", null=True, blank=True)

    class Meta:
        verbose_name = "预约"
        verbose_name_plural = "预约"
        ordering = ["slot_start", "id"]
        indexes = [
            models.Index(fields=["status", "reminder_due_at"], name="appt_reminder_due"),
            models.Index(fields=["status", "slot_end"], name="appt_status_end"),
            models.Index(fields=["center", "slot_start"], name="appt_center_start"),
        ]
        constraints = [
            # A second active booking of the same person (ID number with the phone that
            # booked it) in the same slot is never allowed; overlaps across slots are
            # checked by the booking service under a lock. The phone is part of the key so
            # that a stranger typing someone's ID number cannot hold their place.
            models.UniqueConstraint(
                fields=["slot", "id_number", "phone"],
                condition=Q(status__in=["booked", "checked_in"]),
                name="appt_one_active_per_slot_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.item.name}"

    def can_become(self, target: str) -> bool:
        return target in self.TRANSITIONS.get(self.status, set())

    def checkin_opens_at(self) -> dt.datetime:
        return self.slot_start - dt.timedelta(minutes=self.rule.checkin_before_minutes)

    def checkin_closes_at(self) -> dt.datetime:
        """6.3.5: the end of the slot, plus the rule's grace if the center allows more."""
        return self.slot_end + dt.timedelta(minutes=self.rule.checkin_grace_minutes)

    def no_show_after(self) -> dt.datetime:
        """A no-show only once check-in has closed, never while the person may still come."""
        return self.checkin_closes_at()

    def cancel_deadline(self) -> dt.datetime:
        return self.slot_start - dt.timedelta(minutes=self.rule.cancel_cutoff_minutes)

    def is_no_show_at(self, now: dt.datetime) -> bool:
        return self.status == Status.BOOKED and now > self.no_show_after()

    @property
    def slot_label(self) -> str:
        return self.slot.label()

    def place(self) -> str:
        """Where to go, from the guide booked under."""
        guide = self.guide
        if guide is None:
            return self.center.name
        kind = guide.get_window_kind_display()
        if guide.zone_id:
            return f"{self.center.name} {guide.zone}（{kind}）"
        return f"{self.center.name}（{kind}）"


def reminder_times(
    rule: BookingRule, slot_start: dt.datetime
) -> tuple[dt.datetime, dt.datetime | None]:
    """The working day before the slot at rule.reminder_time, and optionally the morning
    of the slot (only when that is before the slot starts)."""
    tz = timezone.get_current_timezone()
    day = timezone.localtime(slot_start).date()
    before = dt.datetime.combine(workdays.add_workdays(day, -1), rule.reminder_time, tzinfo=tz)
    morning = None
    if rule.morning_reminder:
        candidate = dt.datetime.combine(day, rule.morning_reminder_time, tzinfo=tz)
        if candidate < slot_start:
            morning = candidate
    return before, morning


class AppointmentEvent(models.Model):
    """Who changed what when, and why (one row per transition)."""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="events", verbose_name="预约"
    )
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="操作人",
    )
    action = models.CharField("动作", max_length=32)
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16)
    reason = models.CharField("原因", max_length=300, blank=True)

    LABELS = {
        "booked": "登记预约",
        "cancelled": "本人取消",
        "cancelled_by_center": "中心取消",
        "rescheduled": "中心改约",
        "checked_in": "签到取号",
        "no_show": "未到（视为放弃）",
    }

    class Meta:
        verbose_name = "预约记录"
        verbose_name_plural = "预约记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action_label}"

    @property
    def action_label(self) -> str:
        return self.LABELS.get(self.action, self.action)


class VerificationCode(models.Model):
    """An SMS code proving the booker holds the phone (abuse protection, no login)."""

    phone = models.CharField("手机号", max_length=20, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]} {self.created_at:%Y-%m-%d %H:%M}"
