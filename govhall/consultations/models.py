"""Consultations (咨询, 6.1.1, 6.1.2, 6.5 of the standard): the consultation ledger with the
first receiver's responsibility (首问负责), transfers, replies by SMS, phone, letter or
online, overdue alerts; the wayfinding places of a center (6.4.2) and the phrase library of
Appendix A (5.4).

A consultation's promised reply date is a stored date counted through core.workdays from
the day it was received, flagged provisional when it touches a year the calendar lacks.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from govhall.core.masking import mask_name, mask_phone
from govhall.core.models import WorkflowEvent


class Channel(models.TextChoices):
    DESK = "desk", "窗口/咨询台"
    PHONE = "phone", "电话"
    ONLINE = "online", "网上"
    LETTER = "letter", "信函"


class Kind(models.TextChoices):
    QUESTION = "question", "咨询"
    RESCUE = "rescue", "求助/紧急情况"
    # A complaint received at the desk (6.1.1 首问负责); evaluations opens a rectification
    # for it (9.5) through `selectors.desk_complaints`.
    COMPLAINT = "complaint", "投诉"


class ReplyChannel(models.TextChoices):
    DESK = "desk", "当面答复"
    SMS = "sms", "短信答复"
    CALL = "call", "电话答复"
    LETTER = "letter", "书面答复（答复函）"
    ONLINE = "online", "网上答复"


class Status(models.TextChoices):
    RECORDED = "recorded", "已登记"
    ANSWERED = "answered", "已当场答复"
    PENDING = "pending", "待答复（已入台账）"
    TRANSFERRED = "transferred", "已转办"
    REPLIED = "replied", "已答复（待首问责任人办结）"
    CLOSED = "closed", "已办结"


OPEN_STATUSES = (Status.PENDING, Status.TRANSFERRED)


class CenterSettings(models.Model):
    """Per-center defaults of the consultation ledger."""

    center = models.OneToOneField(
        "org.Center", on_delete=models.CASCADE, related_name="+", verbose_name="中心"
    )
    reply_days = models.PositiveSmallIntegerField("承诺答复时限（工作日）", default=3)
    second_level_days = models.PositiveSmallIntegerField("逾期升级提醒（逾期工作日数）", default=2)
    floor_plan = models.ImageField("平面示意图", upload_to="consultations/plans/", blank=True)
    floor_plan_note = models.CharField("平面图说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "咨询与导视设置"
        verbose_name_plural = "咨询与导视设置"

    def __str__(self) -> str:
        return f"{self.center}：{self.reply_days}个工作日"


class Consultation(models.Model):
    Status = Status

    # The one transition table (DESIGN.md rule 3); govhall.core.workflow checks it.
    TRANSITIONS: dict[str, set[str]] = {
        Status.RECORDED: {Status.ANSWERED, Status.PENDING},
        Status.PENDING: {Status.TRANSFERRED, Status.REPLIED},
        Status.TRANSFERRED: {Status.TRANSFERRED, Status.REPLIED},
        Status.REPLIED: {Status.CLOSED},
        Status.ANSWERED: set(),
        Status.CLOSED: set(),
    }

    center = models.ForeignKey(
        "org.Center", on_delete=models.PROTECT, related_name="consultations", verbose_name="中心"
    )
    number = models.CharField("登记编号", max_length=40, unique=True)
    lookup_code = models.CharField("查询码", max_length=12, unique=True)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.QUESTION)
    channel = models.CharField("咨询渠道", max_length=16, choices=Channel.choices)
    status = models.CharField("状态", max_length=16, choices=Status.choices, db_index=True)
    question = models.TextField("咨询内容")
    item = models.ForeignKey(
        "catalog.ServiceItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="相关事项",
    )
    name = models.CharField("咨询人", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    received_at = models.DateTimeField("登记时间", db_index=True)
    # 首问责任人: the first receiver stays the owner through every transfer.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="首问责任人",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="当前承办人",
    )
    department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="承办部门",
    )
    reply_due = models.DateField("承诺答复日", null=True, blank=True, db_index=True)
    reply_due_provisional = models.BooleanField("答复日为暂定", default=False)
    overdue_level = models.PositiveSmallIntegerField("逾期提醒级别", default=0)
    answer = models.TextField("答复内容", blank=True)
    reply_channel = models.CharField(
        "答复方式", max_length=16, choices=ReplyChannel.choices, blank=True
    )
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="答复人",
    )
    call_task_id = models.PositiveIntegerField("电话答复任务", null=True, blank=True)
    letter_id = models.PositiveIntegerField("答复函文书", null=True, blank=True)
    # 6.5.3 c): what was done for a rescue or emergency request and whom it was passed to.
    action_taken = models.TextField("已采取措施", blank=True)
    passed_to = models.CharField("移交对象", max_length=200, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "咨询登记"
        verbose_name_plural = "咨询台账"
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["center", "status", "reply_due"], name="consult_ledger")]

    def __str__(self) -> str:
        return self.number

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name) if self.name else ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.reply_due is not None and self.reply_due < today

    @property
    def answered_at_once(self) -> bool:
        return self.status == Status.ANSWERED


class ConsultationEvent(WorkflowEvent):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="events", verbose_name="咨询"
    )
    action = models.CharField("动作", max_length=32)
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="转给人员",
    )
    to_department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="转给部门",
    )

    class Meta:
        verbose_name = "咨询记录"
        verbose_name_plural = "咨询记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.consultation_id} {self.action}"


class OverdueAlert(models.Model):
    """One alert per consultation, level and recipient: the job may run any number of
    times (the unique constraint makes the second run a no-op)."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="alerts", verbose_name="咨询"
    )
    level = models.PositiveSmallIntegerField("级别")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="提醒对象",
    )
    created_at = models.DateTimeField("提醒时间")
    seen_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "逾期提醒"
        verbose_name_plural = "逾期提醒"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "level", "recipient"], name="consult_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultation} 第{self.level}级"


class Place(models.Model):
    """A place in a center's hall (6.4.2): windows, restrooms, self-service area, waiting
    zones, accessible entrance, first aid."""

    class Kind(models.TextChoices):
        WINDOW = "window", "服务窗口"
        CONSULTATION = "consultation", "咨询台/导服台"
        WAITING = "waiting", "等候区"
        SELF_SERVICE = "self_service", "自助服务区"
        RESTROOM = "restroom", "卫生间"
        ACCESSIBLE = "accessible", "无障碍通道/入口"
        FIRST_AID = "first_aid", "急救药箱/医务点"
        OTHER = "other", "其他功能区"

    center = models.ForeignKey(
        "org.Center", on_delete=models.CASCADE, related_name="+", verbose_name="中心"
    )
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    name = models.CharField("名称", max_length=100)
    floor = models.CharField("楼层", max_length=20)
    zone = models.ForeignKey(
        "org.Zone",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="所在区域",
    )
    windows = models.CharField("窗口号（如 1-8）", max_length=100, blank=True)
    directions = models.CharField("怎么走", max_length=300)
    position = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "导视位置"
        verbose_name_plural = "导视位置"
        ordering = ["center", "floor", "position", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.floor}）"


class Phrase(models.Model):
    """A phrase of Appendix A, tagged with the moment it is said; placeholders {center},
    {window}, {item}, {materials}, {regulation} are filled from the context."""

    class Moment(models.TextChoices):
        GREETING = "greeting", "问候接待"
        ASK_MATERIALS = "ask_materials", "请出示材料"
        INCOMPLETE = "incomplete", "材料不全"
        CONFIRM = "confirm", "核对信息"
        FINISHED = "finished", "办结并邀请评价"
        PICKUP = "pickup", "领取结果"
        COMPLAINT = "complaint", "处理投诉"
        PHONE_GREETING = "phone_greeting", "接听电话"
        PHONE_TRANSFER = "phone_transfer", "电话转接"
        PHONE_CLOSE = "phone_close", "结束通话"
        OUTGOING_CALL = "outgoing_call", "拨出电话"
        GUIDE = "guide", "引导"
        GOODBYE = "goodbye", "送别"
        APOLOGY = "apology", "致歉"
        CANNOT_ANSWER = "cannot_answer", "不能当场答复"
        ELSEWHERE = "elsewhere", "非本中心事项"

    code = models.CharField("条款", max_length=16)
    moment = models.CharField("使用时机", max_length=24, choices=Moment.choices, db_index=True)
    text = models.TextField("用语")
    position = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "服务用语"
        verbose_name_plural = "服务用语（附录A）"
        ordering = ["moment", "position", "code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["code", "moment"], name="phrase_code_moment")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.get_moment_display()}"
