"""The transactional outbox: a message row written in the same transaction as the change
that causes it; the worker sends it after commit.

Also: SMS templates (editable in the admin), per-phone opt-outs, phone-call tasks for people
without a mobile phone (6.3.4 电话提醒) and the `database` gateway's table of sent SMS.
"""

from __future__ import annotations

import datetime as dt
import math
import string
import uuid

from django.db import models

SINGLE_SMS_CHARS = 70
MULTI_SMS_PART_CHARS = 67


def sms_segments(text: str) -> int:
    """Chinese (UCS-2) SMS: 70 characters fit one message; longer ones are split into
    parts of 67 (each part loses 3 characters to the concatenation header)."""
    n = len(text)
    if n <= SINGLE_SMS_CHARS:
        return 1
    return math.ceil(n / MULTI_SMS_PART_CHARS)


def template_fields(body: str) -> list[str]:
    """Named placeholders `{name}` of a template body, in order of first appearance."""
    names: list[str] = []
    for _, field, _, _ in string.Formatter().parse(body):
        if field and field not in names:
            names.append(field)
    return names


class SmsTemplate(models.Model):
    """A Chinese SMS text with named parameters `{name}`; the provider's approved template
    carries the same parameters (Aliyun by name, Tencent by position in `params`)."""

    class Kind(models.TextChoices):
        LEGAL = "legal", "法定告知（不可退订）"
        SERVICE = "service", "办事通知"
        REMINDER = "reminder", "提醒（可退订）"
        URGENT = "urgent", "即时（不受免打扰时段限制）"

    code = models.CharField("模板编码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=100)
    body = models.TextField("正文（不含签名）", help_text="用 {参数名} 表示参数，例如 {name}。")
    params = models.JSONField(
        "参数（按顺序）", default=list, help_text="参数名列表；腾讯云模板按此顺序填 {1}{2}…"
    )
    kind = models.CharField("类别", max_length=16, choices=Kind.choices, default=Kind.SERVICE)
    call_script = models.TextField(
        "电话通知话术",
        blank=True,
        help_text="无手机或短信失败时工作人员电话告知时朗读；留空则用短信正文。",
    )
    aliyun_template_code = models.CharField("阿里云模板CODE", max_length=64, blank=True)
    tencent_template_id = models.CharField("腾讯云模板ID", max_length=64, blank=True)
    center_hourly_budget = models.PositiveIntegerField(
        "每中心每小时预算（条）",
        null=True,
        blank=True,
        help_text="同一中心每小时最多发送的本模板短信条数；留空用系统默认"
        " SMS_CENTER_HOURLY_BUDGET，0 表示不限。超出的短信排队等待，并提醒中心管理人员。",
    )
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "短信模板"
        verbose_name_plural = "短信模板"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code}（{self.name}）"

    @property
    def is_legal(self) -> bool:
        return self.kind == self.Kind.LEGAL

    @property
    def is_urgent(self) -> bool:
        return self.kind == self.Kind.URGENT

    @property
    def opt_out_allowed(self) -> bool:
        return self.kind == self.Kind.REMINDER

    def missing_params(self, params: dict) -> list[str]:
        wanted = list(dict.fromkeys([*self.params, *template_fields(self.body)]))
        return [p for p in wanted if params.get(p) in (None, "")]

    def render(self, params: dict, signature: str = "") -> str:
        text = self.body.format_map({k: str(v) for k, v in params.items()})
        return f"【{signature}】{text}" if signature else text

    def render_script(self, params: dict, signature: str = "") -> str:
        """What the caller reads out. The A.3.5 greeting ("您好，我是XX政务服务中心XX窗口")
        is put before it on the call page, where the caller and their window are known."""
        if self.call_script:
            return self.call_script.format_map({k: str(v) for k, v in params.items()})
        return self.render(params)


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        CHECKING = "checking", "核实中（结果不明，向通道查询）"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"
        CANCELLED = "cancelled", "已取消"
        CALL = "call", "转电话通知"

    class Channel(models.TextChoices):
        SMS = "sms", "短信"
        PHONE_CALL = "phone_call", "电话"

    class Delivery(models.TextChoices):
        UNKNOWN = "", "未回执"
        DELIVERED = "delivered", "已送达"
        UNDELIVERED = "undelivered", "未送达"

    message_id = models.UUIDField("消息编号", default=uuid.uuid4, unique=True, editable=False)
    center = models.ForeignKey(
        "org.Center",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="中心",
        db_index=False,  # notif_outbox_budget leads with it
    )
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices, default=Channel.SMS)
    template = models.CharField("模板", max_length=64)
    to = models.CharField("接收号码", max_length=32, blank=True)
    params = models.JSONField("参数", default=dict)
    signature = models.CharField("签名", max_length=40, blank=True)
    body = models.TextField("正文", blank=True)
    urgent = models.BooleanField("紧急（不受免打扰时段限制）", default=False)
    related_type = models.CharField("关联对象类型", max_length=64, blank=True)
    related_id = models.CharField("关联对象", max_length=64, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.PENDING
    )  # notif_outbox_due leads with it
    created_at = models.DateTimeField("创建时间")
    due_at = models.DateTimeField("计划发送时间", db_index=True)
    hold_reason = models.CharField("暂缓原因", max_length=100, blank=True)
    attempts = models.PositiveIntegerField("本轮尝试次数", default=0)
    cycle = models.PositiveIntegerField("发送轮次", default=1)
    claim_token = models.UUIDField("领取令牌", null=True, blank=True, editable=False)
    lease_until = models.DateTimeField("租约到期", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    provider = models.CharField("通道", max_length=16, blank=True)
    provider_message_id = models.CharField("通道消息号", max_length=100, blank=True)
    check_since = models.DateTimeField(
        "结果不明起始时间",
        null=True,
        blank=True,
        help_text="请求已发出但结果不明（超时、连接中断）的时刻；核实期间不盲目重发。",
    )
    checks = models.PositiveIntegerField("向通道查询次数", default=0)
    unknown_resends = models.PositiveIntegerField("查无记录后重发次数", default=0)
    provider_ids = models.JSONField("通道消息号（全部）", default=list, blank=True)
    duplicates = models.PositiveIntegerField(
        "检出重复条数",
        default=0,
        help_text="同一消息编号对应的多余通道消息号（由回执或查询发现）。",
    )
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    failed_at = models.DateTimeField("失败时间", null=True, blank=True)
    delivery_status = models.CharField(
        "送达状态", max_length=16, choices=Delivery.choices, default="", blank=True
    )
    delivered_at = models.DateTimeField("回执时间", null=True, blank=True)
    delivery_report = models.JSONField("回执内容", default=dict, blank=True)

    class Meta:
        verbose_name = "待发消息"
        verbose_name_plural = "待发消息（发件箱）"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="notif_outbox_due"),
            models.Index(fields=["to", "sent_at"], name="notif_outbox_rate"),
            models.Index(fields=["center", "template", "sent_at"], name="notif_outbox_budget"),
            # Plain btree indexes only: no query uses LIKE on these (the admin's search is
            # a substring match, which no btree index serves).
            models.Index(fields=["template"], name="notif_outbox_template"),
            models.Index(fields=["related_id"], name="notif_outbox_related"),
            models.Index(fields=["provider_message_id"], name="notif_outbox_provider_id"),
            # Set only while a worker holds the message: partial, so a new message (NULL)
            # writes no entry; the claim reads its rows back by token, the reclaim of
            # abandoned rows compares the lease.
            models.Index(
                fields=["claim_token"],
                condition=models.Q(claim_token__isnull=False),
                name="notif_outbox_claim",
            ),
            models.Index(
                fields=["lease_until"],
                condition=models.Q(lease_until__isnull=False),
                name="notif_outbox_lease",
            ),
        ]

    def __str__(self) -> str:
        # Shown in admin titles, breadcrumbs and links: the number masked.
        from govhall.core.masking import mask_phone

        return f"{self.template} → {mask_phone(self.to)}"

    @property
    def segments(self) -> int:
        return sms_segments(self.body)


class SmsBudgetAlert(models.Model):
    """A center reached its hourly SMS budget for a template: further messages wait, and
    the center's managers see this alert (admin and the phone-call screen) until one of
    them acknowledges it. One row per center, template and hour."""

    center = models.ForeignKey(
        "org.Center",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="中心",
    )
    template = models.CharField("模板", max_length=64)
    hour = models.DateTimeField("时段（整点起）")
    budget = models.PositiveIntegerField("预算（条/小时）")
    held = models.PositiveIntegerField("排队等待条数", default=0)
    created_at = models.DateTimeField("首次触发时间")
    acknowledged_at = models.DateTimeField("确认时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "org.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="确认人",
    )

    class Meta:
        verbose_name = "短信预算预警"
        verbose_name_plural = "短信预算预警"
        ordering = ["-hour"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "template", "hour"], name="notif_budget_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} · {self.hour:%Y-%m-%d %H}时"


class SmsOptOut(models.Model):
    """A phone that asked for no reminders; legal notices are still sent (never suppressed)."""

    phone = models.CharField("手机号码", max_length=20, unique=True)
    created_at = models.DateTimeField("退订时间")
    source = models.CharField("来源", max_length=100, blank=True)

    class Meta:
        verbose_name = "退订提醒的号码"
        verbose_name_plural = "退订提醒的号码"

    def __str__(self) -> str:
        from govhall.core.masking import mask_phone

        return mask_phone(self.phone)


class PhoneCallTask(models.Model):
    """Staff call a person who has no mobile phone, or whose SMS failed for good."""

    class Reason(models.TextChoices):
        NO_MOBILE = "no_mobile", "无手机号码"
        SMS_FAILED = "sms_failed", "短信发送失败"
        REQUESTED = "requested", "工作人员电话答复"

    class Status(models.TextChoices):
        OPEN = "open", "待拨打"
        DONE = "done", "已完成"

    class Outcome(models.TextChoices):
        REACHED = "reached", "已接通告知"
        NO_ANSWER = "no_answer", "无人接听"
        WRONG_NUMBER = "wrong_number", "号码错误"

    # A task with no answer stays open for another try, up to this many calls.
    MAX_CALLS = 3

    message = models.OneToOneField(
        OutboxMessage, on_delete=models.PROTECT, related_name="call_task", verbose_name="消息"
    )
    center = models.ForeignKey(
        "org.Center",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="中心",
    )
    phone = models.CharField("联系电话", max_length=32, blank=True)
    reason = models.CharField("原因", max_length=16, choices=Reason.choices)
    script = models.TextField("电话话术")
    status = models.CharField(
        "状态", max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    outcome = models.CharField("结果", max_length=16, choices=Outcome.choices, blank=True)
    note = models.TextField("备注", blank=True)
    calls = models.PositiveIntegerField("已拨打次数", default=0)
    created_at = models.DateTimeField("创建时间")
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    done_by = models.ForeignKey(
        "org.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="处理人",
    )

    class Meta:
        verbose_name = "电话通知任务"
        verbose_name_plural = "电话通知任务"
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.message.template} · {self.get_status_display()}"


class SentSms(models.Model):
    """The `database` gateway: keeps what would have been sent (tests, benchmarks, demo).
    One row per message id: a repeat only counts in `requests`. (Real providers do not
    deduplicate; the dispatcher never resends blindly, see dispatch.py.)"""

    message_id = models.UUIDField("消息编号", unique=True)
    to = models.CharField("号码", max_length=32)
    template = models.CharField("模板", max_length=64)
    params = models.JSONField("参数", default=dict)
    signature = models.CharField("签名", max_length=40, blank=True)
    body = models.TextField("正文")
    sent_at = models.DateTimeField("发送时间")
    requests = models.PositiveIntegerField("收到请求次数", default=1)

    class Meta:
        verbose_name = "已发短信（数据库通道）"
        verbose_name_plural = "已发短信（数据库通道）"
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        # Shown in admin titles, breadcrumbs and links: the number masked.
        from govhall.core.masking import mask_phone

        return f"{self.template} → {mask_phone(self.to)}"


def local_time(value: str, default: dt.time) -> dt.time:
    try:
        hour, minute = value.split(":")
        return dt.time(int(hour), int(minute))
    except (ValueError, AttributeError):
        return default
