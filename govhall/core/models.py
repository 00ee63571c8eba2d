"""Kernel data: the working-day calendar, the audit chain, API tokens, idempotency records,
worker heartbeats. No domain rules live here."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db import models


class CalendarYear(models.Model):
    """A year of the official calendar is 'entered' when a row exists here.

    Its holidays and adjusted working days are CalendarDay rows. A year without a row is
    computed with weekends only and every result touching it is marked provisional.
    """

    SOURCE_CHOICES = [("chinese_calendar", "chinese-calendar 软件包"), ("manual", "人工录入")]

    year = models.PositiveIntegerField("年份", primary_key=True)
    source = models.CharField("来源", max_length=32, choices=SOURCE_CHOICES, default="manual")
    notes = models.CharField("依据（国务院办公厅通知文号等）", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "工作日历年度"
        verbose_name_plural = "工作日历年度"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年"


class CalendarDay(models.Model):
    """A day that differs from the plain weekend rule: a holiday on a weekday, or an
    adjusted working day (调休) on a weekend."""

    HOLIDAY = "holiday"
    WORKDAY = "workday"
    KIND_CHOICES = [(HOLIDAY, "法定节假日（休息）"), (WORKDAY, "调休上班日")]

    date = models.DateField("日期", unique=True)
    year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days")
    kind = models.CharField("类型", max_length=16, choices=KIND_CHOICES)
    name = models.CharField("名称", max_length=64, blank=True)

    class Meta:
        verbose_name = "节假日/调休日"
        verbose_name_plural = "节假日/调休日"
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["holiday", "workday"]), name="calendarday_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.year_id and self.date and self.date.year != self.year_id:
            raise ValidationError({"date": "日期不在所属年度内。"})


class AuditEntry(models.Model):
    """Append-only, hash-chained record of every state change.

    Written pending (no number, no hash) in the transaction of the change; the sealer
    (govhall.core.audit.seal_pending) then numbers it and stores the SHA-256 of the
    previous entry of its chain, so altering or deleting a sealed row breaks every hash
    after it; `manage.py verify_audit` finds the first broken one.
    """

    chain = models.CharField("链", max_length=64, default="main")
    seq = models.PositiveBigIntegerField("序号", null=True, blank=True)
    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        # Not indexed: every audited write would pay for it, and only deleting an account
        # (rare, and refused while it has entries) looks entries up by actor.
        db_index=False,
    )
    actor_label = models.CharField("操作人名称", max_length=150, blank=True)
    action = models.CharField("动作", max_length=120, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True, db_index=True)
    data = models.JSONField("内容", default=dict, blank=True)
    prev_hash = models.CharField("前一条哈希", max_length=64, blank=True)
    hash = models.CharField("哈希", max_length=64, blank=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["chain", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique")
        ]
        indexes = [
            # The sealer's work list: small, as entries stay pending for about a second.
            models.Index(
                fields=["chain", "id"],
                name="audit_pending_idx",
                condition=models.Q(seq__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise ValueError("审计日志只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[override]
        raise ValueError("审计日志只能追加，不能删除。")


class AuditHead(models.Model):
    """The last sealed entry of each chain; locked FOR UPDATE by the sealer."""

    chain = models.CharField("链", max_length=64, primary_key=True)
    seq = models.PositiveBigIntegerField("序号", default=0)
    hash = models.CharField("哈希", max_length=64, default="0" * 64)

    class Meta:
        verbose_name = "审计链尾"
        verbose_name_plural = "审计链尾"

    def __str__(self) -> str:
        return f"{self.chain}@{self.seq}"


class ApiToken(models.Model):
    """A Bearer token for one user or device account. Only its SHA-256 is stored.

    Every token ends: at `expires_at`, at most MAX_LIFETIME after creation (a row stored
    without an end ends then too). A device account's token reaches only the operations
    of its `scopes` (DEVICE_SCOPES; checked by core.api.BearerTokenAuth)."""

    MAX_LIFETIME = dt.timedelta(days=180)
    DEVICE_SCOPES = {
        "issue": "取号",
        "checkin": "预约签到",
        "display": "叫号显示",
        "evaluate": "评价器",
    }

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="账号",
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    label = models.CharField("用途", max_length=100, blank=True)
    prefix = models.CharField("前缀", max_length=12)
    key_hash = models.CharField("令牌摘要（SHA-256）", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    expires_at = models.DateTimeField("过期时间", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    scopes = models.JSONField("设备权限范围", default=list, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    def ends_at(self) -> dt.datetime | None:
        latest = self.created_at + self.MAX_LIFETIME if self.created_at else None
        if self.expires_at is None or latest is None:
            return self.expires_at or latest
        return min(self.expires_at, latest)

    def is_expired(self, now: dt.datetime) -> bool:
        end = self.ends_at()
        return end is not None and now >= end

    def is_active(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and not self.is_expired(now)


class IdempotencyRecord(models.Model):
    """The stored first response to a write request carrying an Idempotency-Key."""

    scope = models.CharField("调用方", max_length=64)
    key = models.CharField("Idempotency-Key", max_length=200)
    request_hash = models.CharField("请求摘要", max_length=64)
    status_code = models.PositiveSmallIntegerField("状态码", default=0)
    content_type = models.CharField("内容类型", max_length=100, blank=True)
    body = models.BinaryField("响应内容", default=b"")
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "幂等请求记录"
        verbose_name_plural = "幂等请求记录"
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class WorkerHeartbeat(models.Model):
    name = models.CharField("后台进程", max_length=100, primary_key=True)
    seen_at = models.DateTimeField("最近心跳")

    class Meta:
        verbose_name = "后台进程心跳"
        verbose_name_plural = "后台进程心跳"

    def __str__(self) -> str:
        return self.name

    def age(self, now: dt.datetime) -> dt.timedelta:
        return now - self.seen_at


class WorkflowEvent(models.Model):
    """The row `core.workflow` writes for every move of a workflow object: who, when, from
    and to which state, and why. Each workflow's event model extends this with the foreign
    key to its object (reached as `obj.events`) and may widen a field for longer states."""

    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="操作人",
    )
    action = models.CharField("操作", max_length=40)
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16)
    reason = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]


class SerialCounter(models.Model):
    """The last serial given out under one key (a center and year, an issuer, kind and
    year…); `core.counters.next_serial` allocates from it without gaps."""

    year = models.PositiveSmallIntegerField("年度")
    last_serial = models.PositiveIntegerField("已用最大序号", default=0)

    class Meta:
        abstract = True
