"""帮办 records (6.6.1) and 代办 (6.6.2): the proxy's application, its 委托书, the case taken
in through Cases, coordination notes and chases, termination, delivery and filing."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from govhall.core.masking import mask_name
from govhall.core.models import SerialCounter, WorkflowEvent

__all__ = [
    "HelpAction",
    "HelpOutcome",
    "HelpRecord",
    "ProxyCase",
    "ProxyCounter",
    "ProxyEvent",
    "ProxyNote",
    "ProxyStatus",
]


def _user(label: str, **extra) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=label,
        **extra,
    )


def _document(label: str) -> models.ForeignKey:
    return models.ForeignKey(
        "documents.Document",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=label,
    )


def _stored(label: str) -> models.ForeignKey:
    return models.ForeignKey(
        "documents.StoredFile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=label,
    )


class HelpAction(models.TextChoices):
    """6.6.1: 指导服务对象熟悉办理流程、梳理报审资料清单,协助填写各类表单,
    协调解决办理过程中的问题."""

    EXPLAINED = "explained", "指导熟悉办理流程"
    MATERIALS = "materials", "梳理报审资料清单"
    FORMS = "forms", "协助填写表单"
    COORDINATED = "coordinated", "协调解决问题"
    OTHER = "other", "其他帮办"


class HelpOutcome(models.TextChoices):
    SUBMITTED = "submitted", "已协助提交申请"
    READY = "ready", "材料已备齐，待办理"
    MORE_MATERIALS = "more_materials", "需补充材料"
    TO_PROXY = "to_proxy", "转为代办"
    RESOLVED = "resolved", "问题已解决"
    UNRESOLVED = "unresolved", "未能解决（已告知原因）"


class HelpRecord(models.Model):
    """One 帮办: who helped whom with which item, what was done, how long, the outcome."""

    center = models.ForeignKey(
        "org.Center", on_delete=models.PROTECT, related_name="+", verbose_name="中心"
    )
    staff = _user("帮办人员")
    at = models.DateTimeField("帮办时间", db_index=True)
    person_name = models.CharField("服务对象", max_length=100)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    item = models.ForeignKey(
        "catalog.ServiceItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="事项",
    )
    actions = models.JSONField("帮办内容", default=list)
    forms_filled = models.JSONField("协助填写的表单", default=list, blank=True)
    minutes = models.PositiveSmallIntegerField("用时（分钟）")
    outcome = models.CharField("结果", max_length=20, choices=HelpOutcome.choices)
    note = models.CharField("说明", max_length=500, blank=True)
    ticket = models.ForeignKey(
        "queueing.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="排队号",
    )
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="办件",
    )
    forms_document = _document("表单清单")

    class Meta:
        verbose_name = "帮办记录"
        verbose_name_plural = "帮办记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["center", "at"], name="help_center_at")]

    def __str__(self) -> str:
        return f"帮办 {self.pk} {mask_name(self.person_name)}"

    @property
    def masked_name(self) -> str:
        return mask_name(self.person_name)

    def action_labels(self) -> list[str]:
        labels = dict(HelpAction.choices)
        return [labels.get(a, a) for a in self.actions]


class ProxyStatus(models.TextChoices):
    APPLIED = "applied", "已申请（待签委托书）"
    AUTHORISED = "authorised", "已委托（待收件）"
    TAKEN_IN = "taken_in", "已收件办理中"
    CHASING = "chasing", "协调督办中"
    DELIVERED = "delivered", "已送达"
    CLOSED = "closed", "已办结（已邀评价）"
    TERMINATED = "terminated", "已终止"


class ProxyCounter(SerialCounter):
    """Last 代办 serial per center and year (`core.counters.next_serial`)."""

    center = models.ForeignKey("org.Center", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "代办编号计数器"
        verbose_name_plural = "代办编号计数器"
        constraints = [
            models.UniqueConstraint(fields=["center", "year"], name="proxy_counter_center_year")
        ]

    def __str__(self) -> str:
        return f"{self.center_id} {self.year}：{self.last_serial}"


class ProxyCase(models.Model):
    """A 代办 (6.6.2): from the application to delivery and the evaluation invitation, or
    termination with the materials returned."""

    Status = ProxyStatus

    class Delivery(models.TextChoices):
        HAND = "hand", "当面送达"
        MAIL = "mail", "邮寄送达"

    class Termination(models.TextChoices):
        NOT_COMPLETABLE = "not_completable", "业务不具备办结条件"
        WITHDRAWN = "withdrawn", "服务对象要求中止委托"

    OPEN = (Status.APPLIED, Status.AUTHORISED, Status.TAKEN_IN, Status.CHASING)
    TRANSITIONS: dict[str, set[str]] = {
        Status.APPLIED: {Status.AUTHORISED, Status.TERMINATED},
        Status.AUTHORISED: {Status.TAKEN_IN, Status.TERMINATED},
        Status.TAKEN_IN: {Status.CHASING, Status.DELIVERED, Status.TERMINATED},
        Status.CHASING: {Status.DELIVERED, Status.TERMINATED},
        Status.DELIVERED: {Status.CLOSED},
        Status.CLOSED: set(),
        Status.TERMINATED: set(),
    }

    number = models.CharField("代办编号", max_length=40, unique=True)
    center = models.ForeignKey(
        "org.Center", on_delete=models.PROTECT, related_name="+", verbose_name="中心"
    )
    item = models.ForeignKey(
        "catalog.ServiceItem", on_delete=models.PROTECT, related_name="+", verbose_name="事项"
    )
    status = models.CharField("状态", max_length=16, choices=ProxyStatus.choices)
    status_changed_at = models.DateTimeField("状态变更时间")
    proxy = _user("代办人员")
    applicant_name = models.CharField("申请人", max_length=100)
    id_type = models.CharField("证件类型", max_length=32)
    id_number = models.CharField("证件号码", max_length=32)
    phone = models.CharField("联系电话", max_length=20)
    address = models.CharField("联系地址", max_length=300, blank=True)
    contact = models.CharField("其他联系方式", max_length=200, blank=True)
    materials = models.JSONField("交来材料", default=list)
    delivery = models.CharField("送达方式", max_length=8, choices=Delivery.choices)
    delivery_address = models.CharField("邮寄地址", max_length=300, blank=True)
    applied_at = models.DateTimeField("申请时间")
    # 委托书 (6.6.2.1 完成委托手续): both signatures drawn on screen, PNG kept with SHA-256.
    proxy_id_number = models.CharField("受托代办员证件号码", max_length=32, blank=True)
    applicant_signature = _stored("申请人签名")
    applicant_signature_sha256 = models.CharField(max_length=64, blank=True)
    proxy_signature = _stored("代办员签名")
    proxy_signature_sha256 = models.CharField(max_length=64, blank=True)
    authorization = _document("委托书")
    authorised_at = models.DateTimeField("委托时间", null=True, blank=True)
    case = models.OneToOneField(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="办件",
    )
    taken_in_at = models.DateTimeField("收件时间", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    delivery_method = models.CharField(
        "实际送达方式", max_length=8, choices=Delivery.choices, blank=True
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    invited_at = models.DateTimeField("邀请评价时间", null=True, blank=True)
    terminated_at = models.DateTimeField("终止时间", null=True, blank=True)
    termination = models.CharField(
        "终止类型", max_length=20, choices=Termination.choices, blank=True
    )
    termination_reason = models.CharField("终止情况说明", max_length=500, blank=True)
    returned_materials = models.JSONField("退还材料", default=list, blank=True)
    return_signature = _stored("退还材料签收签名")
    return_signature_sha256 = models.CharField(max_length=64, blank=True)
    return_document = _document("材料退还清单")
    filed_at = models.DateTimeField("归档时间", null=True, blank=True)
    filed_by = _user("归档人")
    register_document = _document("代办登记表")

    class Meta:
        verbose_name = "代办"
        verbose_name_plural = "代办"
        ordering = ["-applied_at", "-id"]
        indexes = [
            models.Index(fields=["center", "status"], name="proxy_center_status"),
            models.Index(fields=["center", "applied_at"], name="proxy_center_applied"),
        ]

    def __str__(self) -> str:
        return f"代办 {self.number}"

    @property
    def masked_name(self) -> str:
        return mask_name(self.applicant_name)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


EVENT_LABELS = {
    "applied": "登记代办申请",
    "authorised": "签署委托书",
    "taken_in": "收件",
    "intake_incomplete": "材料不全未收件",
    "noted": "协调记录",
    "chased": "督办",
    "fee_guided": "引导自行缴费",
    "delivered": "送达",
    "closed": "邀请评价，办结",
    "terminated": "终止代办",
    "filed": "归档",
}


class ProxyEvent(WorkflowEvent):
    proxy_case = models.ForeignKey(ProxyCase, on_delete=models.CASCADE, related_name="events")

    class Meta:
        verbose_name = "代办记录"
        verbose_name_plural = "代办记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.proxy_case_id} {self.action}"

    @property
    def action_label(self) -> str:
        return EVENT_LABELS.get(self.action, self.action)


class ProxyNote(models.Model):
    """A coordination note or a chase of the department, with the department's answer
    (6.6.2.2 a: 协调督促相关部门在规定时限或承诺时限内办结)."""

    class Kind(models.TextChoices):
        NOTE = "note", "协调记录"
        CHASE = "chase", "督办催办"

    class Method(models.TextChoices):
        PHONE = "phone", "电话"
        VISIT = "visit", "当面"
        SYSTEM = "system", "系统/函件"

    proxy_case = models.ForeignKey(ProxyCase, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    at = models.DateTimeField("时间")
    by = _user("记录人")
    department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="部门",
    )
    method = models.CharField("方式", max_length=8, choices=Method.choices, blank=True)
    contact = models.CharField("部门联系人", max_length=100, blank=True)
    content = models.CharField("内容", max_length=500)
    answer = models.CharField("部门答复", max_length=500, blank=True)
    promised_on = models.DateField("部门答复办结日期", null=True, blank=True)

    class Meta:
        verbose_name = "代办协调督办记录"
        verbose_name_plural = "代办协调督办记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"
