"""Window sessions (sign-in, pause, sign-out) and 空窗 incidents (6.3.6) of the queue."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from govhall.org.models import Window


class WindowSession(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "服务中"
        PAUSED = "paused", "暂停"

    window = models.ForeignKey(
        Window, on_delete=models.PROTECT, related_name="sessions", verbose_name="窗口"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="window_sessions",
        verbose_name="人员",
    )
    opened_at = models.DateTimeField("签到时间")
    closed_at = models.DateTimeField("签退时间", null=True, blank=True)
    state = models.CharField("状态", max_length=8, choices=State.choices, default=State.OPEN)
    pause_reason = models.CharField("暂停原因", max_length=100, blank=True)
    paused_at = models.DateTimeField("暂停时间", null=True, blank=True)
    last_activity_at = models.DateTimeField("最近操作")

    class Meta:
        verbose_name = "窗口签到"
        verbose_name_plural = "窗口签到"
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["window"],
                condition=models.Q(closed_at__isnull=True),
                name="windowsession_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.window} · {self.staff}"


class IdleIncident(models.Model):
    """A 空窗 (5.6.3): an open window with nobody acting while people wait."""

    class Kind(models.TextChoices):
        NO_ACTIVITY = "no_activity", "长时间无操作"
        PAUSED_TOO_LONG = "paused_too_long", "暂停超时"

    window = models.ForeignKey(
        Window, on_delete=models.PROTECT, related_name="idle_incidents", verbose_name="窗口"
    )
    session = models.ForeignKey(
        WindowSession, on_delete=models.PROTECT, related_name="incidents", verbose_name="签到"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="人员",
    )
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    started_at = models.DateTimeField("开始")
    detected_at = models.DateTimeField("发现时间")
    ended_at = models.DateTimeField("结束", null=True, blank=True)
    duration_seconds = models.PositiveIntegerField("持续（秒）", null=True, blank=True)
    people_waiting = models.PositiveIntegerField("当时等候人数", default=0)

    class Meta:
        verbose_name = "空窗记录"
        verbose_name_plural = "空窗记录"
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["window", "kind"],
                condition=models.Q(ended_at__isnull=True),
                name="idleincident_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.window} {self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M}"

    def duration_at(self, now: dt.datetime) -> dt.timedelta:
        return (self.ended_at or now) - self.started_at
