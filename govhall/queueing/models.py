"""The queue: ticket categories, window skills, tickets with one transition table, window
sessions and 空窗 incidents.

Ordering of the queue (see docs/queueing.md) is a pure function of stored fields:
`rank` (0 = priority group or appointment, 1 = everyone else), then the original issue
time, then id; a window's primary category wins over its other skills among rank-1 tickets.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from govhall.org.models import Center, Window, Zone


class PriorityGroup(models.TextChoices):
    NONE = "none", "无"
    ELDERLY = "elderly", "老年人"
    DISABLED = "disabled", "残疾人"
    PREGNANT = "pregnant", "孕妇"
    MILITARY = "military", "军人/退役军人"


class Channel(models.TextChoices):
    KIOSK = "kiosk", "自助取号机"
    GUIDE = "guide", "导办台"
    MOBILE = "mobile", "手机取号"
    APPOINTMENT = "appointment", "预约签到"
    API = "api", "接口"
    TRANSFER = "transfer", "转办"


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


class QueueConfig(models.Model):
    """Per-center overrides of the queue settings (defaults come from settings)."""

    center = models.OneToOneField(
        Center, on_delete=models.CASCADE, related_name="queue_config", verbose_name="中心"
    )
    idle_minutes = models.PositiveSmallIntegerField(
        "无操作判定空窗（分钟）", default=10, validators=[MinValueValidator(1)]
    )
    pause_max_minutes = models.PositiveSmallIntegerField(
        "暂停最长（分钟）", default=15, validators=[MinValueValidator(1)]
    )
    recall_limit = models.PositiveSmallIntegerField("重呼次数上限", default=2)

    class Meta:
        verbose_name = "排队设置"
        verbose_name_plural = "排队设置"

    def __str__(self) -> str:
        return f"{self.center} 排队设置"


class TicketCategory(models.Model):
    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="ticket_categories", verbose_name="中心"
    )
    letter = models.CharField("号码前缀", max_length=4)
    name = models.CharField("业务类别", max_length=50)
    items = models.ManyToManyField(
        "catalog.ServiceItem", blank=True, related_name="ticket_categories", verbose_name="事项"
    )
    zone = models.ForeignKey(
        Zone,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ticket_categories",
        verbose_name="等候区",
    )
    default_service_minutes = models.PositiveSmallIntegerField(
        "默认每件办理时长（分钟）", default=8
    )
    order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "业务类别"
        verbose_name_plural = "业务类别"
        ordering = ["center", "order", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["center", "letter"], name="ticketcategory_letter")
        ]

    def __str__(self) -> str:
        return f"{self.letter} {self.name}"


class WindowSkill(models.Model):
    """A category a window serves; exactly one primary per window (by convention the
    first)."""

    window = models.ForeignKey(
        Window, on_delete=models.CASCADE, related_name="skills", verbose_name="窗口"
    )
    category = models.ForeignKey(
        TicketCategory, on_delete=models.CASCADE, related_name="skills", verbose_name="业务类别"
    )
    is_primary = models.BooleanField("主业务", default=False)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "窗口业务"
        verbose_name_plural = "窗口业务"
        ordering = ["window", "-is_primary", "order"]
        constraints = [
            models.UniqueConstraint(fields=["window", "category"], name="windowskill_unique"),
            models.UniqueConstraint(
                fields=["window"], condition=models.Q(is_primary=True), name="windowskill_primary"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.window} · {self.category}" + ("（主）" if self.is_primary else "")


class TicketCounter(models.Model):
    """The last number issued per category and day; locked while allocating, so numbers
    are unique and gapless."""

    category = models.ForeignKey(TicketCategory, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)
    # How many of the category's tickets of the day wait, by rank (0: priority or
    # appointment; 1: everyone else). Kept by database triggers on the ticket table
    # (migration 0003), whichever code changes a ticket, so that issuing knows the new
    # ticket's place without counting the line (a count grows with the line: at a few
    # thousand waiting it cost more than the rest of the issue).
    waiting_first = models.IntegerField(default=0)
    waiting_rest = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "day"], name="ticketcounter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.category_id}@{self.day}: {self.last}"


def new_token() -> str:
    return secrets.token_urlsafe(12)


class Ticket(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", "等候中"
        CALLED = "called", "已叫号"
        SERVING = "serving", "办理中"
        DONE = "done", "服务结束"
        NO_SHOW = "no_show", "过号"
        TRANSFERRED = "transferred", "已转办"
        CANCELLED = "cancelled", "已取消"

    # The one transition table. "called → called" is a recall.
    TRANSITIONS: dict[str, set[str]] = {
        Status.WAITING: {Status.CALLED, Status.CANCELLED, Status.TRANSFERRED},
        Status.CALLED: {
            Status.CALLED,
            Status.SERVING,
            Status.DONE,
            Status.WAITING,
            Status.NO_SHOW,
            Status.TRANSFERRED,
            Status.CANCELLED,
        },
        Status.SERVING: {Status.DONE, Status.TRANSFERRED},
        Status.DONE: set(),
        Status.NO_SHOW: set(),
        Status.TRANSFERRED: set(),
        Status.CANCELLED: set(),
    }
    ACTIVE = (Status.CALLED, Status.SERVING)

    # No single-column indexes on center, category and window: the composite indexes below
    # start with them, and every index is one more page written on each issue and call.
    center = models.ForeignKey(
        Center,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name="中心",
        db_index=False,
    )
    category = models.ForeignKey(
        TicketCategory,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name="业务类别",
        db_index=False,
    )
    number = models.CharField("号码", max_length=12)
    day = models.DateField("日期")
    # Null for the successor of a transfer: it keeps the number the person holds.
    seq = models.PositiveIntegerField("序号", null=True, blank=True)
    priority_group = models.CharField(
        "优先群体", max_length=16, choices=PriorityGroup.choices, default=PriorityGroup.NONE
    )
    is_appointment = models.BooleanField("预约", default=False)
    appointment_code = models.CharField("预约码", max_length=40, blank=True)
    rank = models.PositiveSmallIntegerField("优先级（0优先）", default=1)
    channel = models.CharField("取号渠道", max_length=16, choices=Channel.choices)
    phone = models.CharField("手机号", max_length=20, blank=True)
    # 96 random bits, checked against the ticket found by its id: never looked up by
    # itself, so no (unique) index — one index less on every ticket write.
    token = models.CharField("查询令牌", max_length=32, default=new_token)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.WAITING)
    window = models.ForeignKey(
        Window,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name="办理窗口",
        db_index=False,
    )
    target_window = models.ForeignKey(
        Window,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="指定窗口（转办）",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="办理人员",
        db_index=False,  # nothing looks tickets up by staff; one index less per write
    )
    # At most one successor per ticket (ticket_transferred_from_unique, partial: the many
    # tickets never transferred stay out of that index).
    transferred_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="转自",
        db_index=False,
    )
    items = models.ManyToManyField(
        "catalog.ServiceItem", blank=True, related_name="tickets", verbose_name="事项"
    )
    issued_at = models.DateTimeField("取号时间")
    original_issued_at = models.DateTimeField("原始取号时间（排序依据）")
    called_at = models.DateTimeField("叫号时间", null=True, blank=True)
    started_at = models.DateTimeField("开始办理", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    recall_count = models.PositiveSmallIntegerField("重呼次数", default=0)
    near_sms_sent = models.BooleanField("已发临近提醒", default=False)

    class Meta:
        verbose_name = "排队号"
        verbose_name_plural = "排队号"
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["category", "day", "seq"], name="ticket_seq_unique"),
            models.UniqueConstraint(
                fields=["transferred_from"],
                name="ticket_transferred_from_unique",
                condition=models.Q(transferred_from__isnull=False),
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=[
                        "waiting",
                        "called",
                        "serving",
                        "done",
                        "no_show",
                        "transferred",
                        "cancelled",
                    ]
                ),
                name="ticket_status_valid",
            ),
        ]
        indexes = [
            # The line of a category in order: the line's head (call-next), a position
            # ("people ahead", the "three ahead" text) and the count of people ahead are
            # index probes, without reading the day's served tickets. Not partial: the
            # ORM sends the status as a bound parameter, and SQLite cannot prove a partial
            # index's condition from a parameter (it then read the category's whole day).
            models.Index(
                fields=["category", "day", "status", "rank", "original_issued_at", "id"],
                name="ticket_line_idx",
            ),
            # Tickets transferred to a named window, by status and line order: probed by
            # every call-next of that window (usually empty). Partial on a condition a
            # query with `target_window_id = ?` implies.
            models.Index(
                fields=["target_window", "day", "status", "rank", "original_issued_at", "id"],
                name="ticket_target_line_idx",
                condition=models.Q(target_window__isnull=False),
            ),
            # "Does this window hold a ticket?" on every call: at most one entry a window.
            # Partial, and the statements name the statuses literally: with the composite
            # index below PostgreSQL filtered every ticket the window had served that day
            # (fetching each from the table while recent updates kept it off the
            # visibility map), so call-next slowed as the day went on (bench/queue_load.py:
            # 600 → 340 req/s over three rounds).
            models.Index(
                fields=["window"],
                name="ticket_window_active_idx",
                condition=models.Q(status__in=["called", "serving"]),
            ),
            # A window's tickets by day (the console's "served today", the window's FK).
            # Without the status, finishing a ticket touches no entry of it, and a waiting
            # ticket (no window yet) has none: a call writes one entry, a finish none (the
            # (window, status) index it replaces: 3 pages of SQLite's log per 办结并叫下一位).
            models.Index(
                fields=["window", "day"],
                name="ticket_window_day_idx",
                condition=models.Q(window__isnull=False),
            ),
            models.Index(fields=["center", "day", "status"], name="ticket_center_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number}（{self.get_status_display()}）"

    @property
    def is_priority(self) -> bool:
        return self.rank == 0

    def can_go(self, new_status: str) -> bool:
        return new_status in self.TRANSITIONS.get(self.status, set())

    def service_minutes(self) -> float | None:
        start = self.started_at or self.called_at
        if start is None or self.finished_at is None:
            return None
        return (self.finished_at - start).total_seconds() / 60


class TicketEvent(models.Model):
    """Who moved a ticket, when, from and to which state, and why. Its id is also the
    board's version: any change a board shows writes an event."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", verbose_name="排队号"
    )
    # Indexed by ticketevent_center_idx (center, id).
    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name="中心"
    )
    at = models.DateTimeField("时间")
    # Events are read by center (board) and by ticket (its history) only.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name="操作人",
    )
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16)
    action = models.CharField("动作", max_length=16)
    window = models.ForeignKey(
        Window,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name="窗口",
    )
    reason = models.CharField("原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "排队号事件"
        verbose_name_plural = "排队号事件"
        ordering = ["id"]
        indexes = [models.Index(fields=["center", "id"], name="ticketevent_center_idx")]

    def __str__(self) -> str:
        from govhall.core.labels import event_action_label

        labels = dict(Ticket.Status.choices)
        old = labels.get(self.from_status, self.from_status) or "—"
        new = labels.get(self.to_status, self.to_status)
        return f"{event_action_label(self.action)}（{old}→{new}）"


# Window sessions and 空窗 incidents live in models_windows.py (registered with this app).
from govhall.queueing.models_windows import IdleIncident, WindowSession  # noqa: E402, F401
