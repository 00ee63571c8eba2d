"""The transactional outbox: a message row written in the same transaction as the change
that causes it; the worker sends it after commit."""

from __future__ import annotations

import uuid

from django.db import models


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"
        CANCELLED = "cancelled", "已取消"

    class Channel(models.TextChoices):
        SMS = "sms", "短信"
        PHONE_CALL = "phone_call", "电话"

    message_id = models.UUIDField("消息编号", default=uuid.uuid4, unique=True, editable=False)
    center = models.ForeignKey(
        "org.Center",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="中心",
    )
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices, default=Channel.SMS)
    template = models.CharField("模板", max_length=64, db_index=True)
    to = models.CharField("接收号码", max_length=32, blank=True)
    params = models.JSONField("参数", default=dict)
    body = models.TextField("正文", blank=True)
    urgent = models.BooleanField("紧急（不受免打扰时段限制）", default=False)
    related_type = models.CharField("关联对象类型", max_length=64, blank=True)
    related_id = models.CharField("关联对象", max_length=64, blank=True, db_index=True)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField("创建时间")
    due_at = models.DateTimeField("计划发送时间", db_index=True)

    class Meta:
        verbose_name = "待发消息"
        verbose_name_plural = "待发消息（发件箱）"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.template} → {self.to}"
