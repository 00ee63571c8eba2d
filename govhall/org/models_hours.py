"""Extended service hours (6.7.4 延时服务): lunch-break, evening, weekend and by-appointment
sessions a center keeps beyond its regular hours. Imported at the bottom of models.py."""

from __future__ import annotations

import datetime as dt

from django.db import models

WEEKDAY_LABELS = "一二三四五六日"


class ExtendedService(models.Model):
    """One extended session of a center: on which days, from when to when, which windows.

    Days: `workdays` runs on working days (调休 weekend workdays included); `rest_days` on
    weekends that are not working days, never on a public holiday; `holidays` on every day
    the center is closed (weekends and public holidays); `date` on one date only (by
    appointment, a special day). `weekdays` (ISO digits 1–7) narrows the first three.
    No windows and no zones chosen: the session covers every window of the center."""

    class Kind(models.TextChoices):
        LUNCH = "lunch", "午间不间断服务"
        EVENING = "evening", "夜间延时服务"
        WEEKEND = "weekend", "周末服务"
        APPOINTMENT = "appointment", "预约延时服务"

    class Days(models.TextChoices):
        WORKDAYS = "workdays", "工作日（含调休上班日）"
        REST_DAYS = "rest_days", "周末休息日（法定节假日除外）"
        HOLIDAYS = "holidays", "休息日及法定节假日"
        DATE = "date", "指定日期"

    center = models.ForeignKey(
        "org.Center",
        on_delete=models.CASCADE,
        related_name="extended_services",
        verbose_name="所属中心",
    )
    kind = models.CharField("延时类型", max_length=16, choices=Kind.choices)
    days = models.CharField("适用日期", max_length=16, choices=Days.choices)
    weekdays = models.CharField(
        "星期（1—7，空为不限）",
        max_length=7,
        blank=True,
        help_text="例如 6 表示星期六，67 表示周末两天",
    )
    on_date = models.DateField("指定日期", null=True, blank=True)
    start = models.TimeField("开始时间")
    end = models.TimeField("结束时间")
    windows = models.ManyToManyField(
        "org.Window", blank=True, related_name="extended_services", verbose_name="开放窗口"
    )
    zones = models.ManyToManyField(
        "org.Zone", blank=True, related_name="extended_services", verbose_name="开放区域"
    )
    by_appointment = models.BooleanField("需提前预约", default=False)
    published = models.BooleanField("在门户、叫号屏和取号机公布", default=True)
    is_active = models.BooleanField("启用", default=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "延时服务时段"
        verbose_name_plural = "延时服务时段"
        ordering = ["center", "days", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="extsvc_end_after_start"
            ),
            models.CheckConstraint(
                condition=~models.Q(days="date") | models.Q(on_date__isnull=False),
                name="extsvc_date_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%H:%M}—{self.end:%H:%M}"

    def applies_on(self, day: dt.date, *, workday: bool, holiday: bool) -> bool:
        """Whether the session runs on `day`, given the calendar's answer for it (working
        day; public holiday, weekends inside a holiday period included)."""
        if not self.is_active:
            return False
        if self.days == self.Days.DATE:
            return self.on_date == day
        if self.weekdays and str(day.isoweekday()) not in self.weekdays:
            return False
        if self.days == self.Days.WORKDAYS:
            return workday
        if self.days == self.Days.REST_DAYS:
            return not workday and not holiday
        return not workday  # HOLIDAYS: every closed day

    def contains(self, t: dt.time) -> bool:
        return self.start <= t < self.end

    def covers(
        self, window_id: int, zone_id: int | None, window_ids: set[int], zone_ids: set[int]
    ) -> bool:
        """Whether a window (with its zone) serves in this session; the sets are the
        session's chosen windows and zones (passed in so callers can prefetch)."""
        if not window_ids and not zone_ids:
            return True
        return window_id in window_ids or (zone_id is not None and zone_id in zone_ids)

    def days_text(self) -> str:
        if self.days == self.Days.DATE:
            return f"{self.on_date:%Y年%m月%d日}" if self.on_date else "指定日期"
        base = {
            self.Days.WORKDAYS: "工作日",
            self.Days.REST_DAYS: "周末",
            self.Days.HOLIDAYS: "休息日及节假日",
        }[self.days]
        if self.weekdays:
            names = "、".join(
                f"星期{WEEKDAY_LABELS[int(d) - 1]}" for d in sorted(set(self.weekdays))
            )
            return names if self.days != self.Days.WORKDAYS else f"{names}（工作日）"
        return base
