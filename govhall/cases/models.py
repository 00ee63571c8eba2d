"""Cases (办件, chapter 7 of the standard): intake at the comprehensive window, the
department's acceptance review, notices, corrections, deemed acceptance.

Every deadline is a stored date counted through core.workdays, with a flag when it touches a
calendar year the table lacks (provisional; recomputed when the year is entered).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from govhall.core.masking import mask_name
from govhall.core.models import SerialCounter, WorkflowEvent


class Channel(models.TextChoices):
    WINDOW = "window", "窗口收件"
    ONLINE = "online", "网上申请"
    MAIL = "mail", "邮寄申请"
    PROXY = "proxy", "帮代办"


class ApplicantKind(models.TextChoices):
    PERSON = "person", "自然人"
    ORGANIZATION = "organization", "法人或其他组织"


class Delivery(models.TextChoices):
    PICKUP = "pickup", "窗口领取"
    MAIL = "mail", "邮寄送达"


class Status(models.TextChoices):
    RECEIVED = "received", "已收件（待受理审查）"
    CORRECTION_REQUESTED = "correction_requested", "待补正"
    ACCEPTED = "accepted", "已受理"
    DEEMED_ACCEPTED = "deemed_accepted", "已受理（逾期视为受理）"
    REJECTED = "rejected", "不予受理"
    WITHDRAWN = "withdrawn", "已撤回"
    RETURNED = "returned", "已退件"
    APPROVED = "approved", "准予许可（待移交结果）"
    # Cases II (approval and output): see docs/cases.md and models_flow.py.
    APPROVING = "approving", "审批中"
    EXTENDED = "extended", "审批中（已延期）"
    SUSPENDED = "suspended", "特别程序（暂停计时）"
    DENIED = "denied", "不予许可"
    RESULT_HANDED = "result_handed", "结果已移交出件窗口"
    OUTPUT_RECEIVED = "output_received", "出件窗口已签收结果"
    PICKUP_NOTIFIED = "pickup_notified", "已通知领取"
    MAILED = "mailed", "已邮寄"
    CLOSED = "closed", "已办结"


class CaseCounter(SerialCounter):
    """Last case serial per center and year (`core.counters.next_serial`)."""

    center = models.ForeignKey("org.Center", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "办件编号计数器"
        verbose_name_plural = "办件编号计数器"
        constraints = [
            models.UniqueConstraint(fields=["center", "year"], name="case_counter_center_year")
        ]

    def __str__(self) -> str:
        return f"{self.center_id} {self.year}：{self.last_serial}"


class RemedyBodies(models.Model):
    """The bodies named in a department's refusals (行政许可法 §38): where to apply for
    administrative reconsideration and which court hears a suit."""

    department = models.OneToOneField(
        "org.Department", on_delete=models.CASCADE, related_name="+", verbose_name="部门"
    )
    reconsideration_body = models.CharField("行政复议机关", max_length=200)
    court = models.CharField("行政诉讼管辖法院", max_length=200)

    class Meta:
        verbose_name = "救济途径机关"
        verbose_name_plural = "救济途径机关"

    def __str__(self) -> str:
        return f"{self.department}：{self.reconsideration_body} / {self.court}"


class Case(models.Model):
    Status = Status

    # The one transition table (DESIGN.md rule 3); govhall.core.workflow checks it.
    TRANSITIONS: dict[str, set[str]] = {
        Status.RECEIVED: {
            Status.ACCEPTED,
            Status.REJECTED,
            Status.CORRECTION_REQUESTED,
            Status.DEEMED_ACCEPTED,
            Status.WITHDRAWN,
        },
        Status.CORRECTION_REQUESTED: {Status.RECEIVED, Status.RETURNED, Status.WITHDRAWN},
        Status.ACCEPTED: {Status.APPROVED, Status.APPROVING},
        Status.DEEMED_ACCEPTED: {Status.APPROVING},
        Status.REJECTED: set(),
        Status.WITHDRAWN: set(),
        Status.RETURNED: set(),
        # Cases II: approval (7.4), result handover (7.5.1), pickup or mail (7.5.2).
        Status.APPROVING: {Status.SUSPENDED, Status.EXTENDED, Status.APPROVED, Status.DENIED},
        Status.EXTENDED: {Status.SUSPENDED, Status.APPROVED, Status.DENIED},
        Status.SUSPENDED: {Status.APPROVING, Status.EXTENDED},
        Status.APPROVED: {Status.RESULT_HANDED},
        Status.DENIED: set(),
        Status.RESULT_HANDED: {Status.OUTPUT_RECEIVED, Status.APPROVED},
        Status.OUTPUT_RECEIVED: {Status.PICKUP_NOTIFIED, Status.MAILED},
        Status.PICKUP_NOTIFIED: {Status.CLOSED, Status.MAILED},
        Status.MAILED: {Status.CLOSED},
        Status.CLOSED: set(),
    }
    PENDING_REVIEW = (Status.RECEIVED,)

    # Indexes (each written on every status change of every case, so only the ones a query
    # uses): number unique without a LIKE index; center and department served by the
    # leading column of case_serial and case_department_status_center; acceptance_due by
    # case_status_due (every query on it also names the status).
    number = models.CharField("办件编号", max_length=64)
    center = models.ForeignKey(
        "org.Center",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name="中心",
        db_index=False,
    )
    year = models.PositiveSmallIntegerField("年度")
    serial = models.PositiveIntegerField("序号")
    item = models.ForeignKey(
        "catalog.ServiceItem", on_delete=models.PROTECT, related_name="cases", verbose_name="事项"
    )
    guide = models.ForeignKey(
        "catalog.GuideVersion",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name="办事指南版本",
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name="审批部门",
        db_index=False,
    )
    channel = models.CharField("申请渠道", max_length=16, choices=Channel.choices)
    status = models.CharField("状态", max_length=24, choices=Status.choices)
    status_changed_at = models.DateTimeField("状态变更时间")

    applicant_kind = models.CharField("申请人类型", max_length=16, choices=ApplicantKind.choices)
    applicant_name = models.CharField("申请人名称", max_length=200)
    id_type = models.CharField("证件类型", max_length=32)
    id_number = models.CharField("证件号码", max_length=32)
    legal_representative = models.CharField("法定代表人", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=20)
    address = models.CharField("联系地址", max_length=300, blank=True)
    agent_name = models.CharField("代理人姓名", max_length=100, blank=True)
    agent_id_type = models.CharField("代理人证件类型", max_length=32, blank=True)
    agent_id_number = models.CharField("代理人证件号码", max_length=32, blank=True)
    agent_authorization = models.CharField("委托书情况", max_length=300, blank=True)
    delivery = models.CharField(
        "送达方式", max_length=16, choices=Delivery.choices, default=Delivery.PICKUP
    )
    delivery_address = models.CharField("邮寄地址", max_length=300, blank=True)

    window = models.ForeignKey(
        "org.Window",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="收件窗口",
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="收件人员",
    )
    ticket = models.ForeignKey(
        "queueing.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="排队号",
    )
    mail_carrier = models.CharField("寄件快递公司", max_length=50, blank=True)
    mail_tracking_no = models.CharField("快递单号", max_length=64, blank=True)
    mail_contents = models.CharField("邮件内容物", max_length=500, blank=True)

    received_at = models.DateTimeField("收件时间")
    # The day the acceptance limit counts from: receipt, or the day the last correction
    # arrived (DESIGN.md legal defaults).
    review_start = models.DateField("受理审查起算日")
    acceptance_due = models.DateField("受理审查截止日")
    acceptance_due_provisional = models.BooleanField("受理截止日为暂定", default=False)
    # Promised due if the department says nothing in time (counted from review_start), so
    # the deemed-acceptance sweep is one UPDATE per batch.
    deemed_promised_due = models.DateField("视为受理时的承诺办结日")
    deemed_promised_provisional = models.BooleanField(default=False)
    correction_due = models.DateField("补正截止日", null=True, blank=True)
    correction_due_provisional = models.BooleanField("补正截止日为暂定", default=False)
    correction_items = models.JSONField("需补正内容", default=list, blank=True)
    corrections_count = models.PositiveSmallIntegerField("补正次数", default=0)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    promised_due = models.DateField("承诺办结日", null=True, blank=True)
    promised_due_provisional = models.BooleanField("承诺办结日为暂定", default=False)
    decided_at = models.DateTimeField("受理决定时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="受理决定人",
    )
    deemed = models.BooleanField("逾期视为受理（部门超时）", default=False)
    deemed_batch = models.CharField(max_length=32, blank=True, editable=False)
    reject_reason = models.TextField("不予受理理由", blank=True)
    reject_basis = models.TextField("不予受理依据", blank=True)
    closed_reason = models.CharField("撤回/退件说明", max_length=300, blank=True)
    returned_materials = models.CharField("退还材料", max_length=500, blank=True)
    returned_signed_by = models.CharField("退还材料签收人", max_length=100, blank=True)
    # Cases II: approval, result handover, output (stored deadlines via core.workdays).
    paper_handed_over_at = models.DateTimeField("纸质材料交接时间", null=True, blank=True)
    approval_started_on = models.DateField("开始审批日期", null=True, blank=True)
    handover_due = models.DateField("结果移交截止日", null=True, blank=True)
    handover_due_provisional = models.BooleanField("结果移交截止日为暂定", default=False)
    suspended_days = models.PositiveSmallIntegerField("特别程序不计时工作日", default=0)
    extended_days = models.PositiveSmallIntegerField("延期工作日", default=0)
    result_handed_at = models.DateTimeField("结果移交时间", null=True, blank=True)
    output_received_on = models.DateField("出件窗口签收日期", null=True, blank=True)
    pickup_notice_due = models.DateField("领取通知截止日", null=True, blank=True, db_index=True)
    pickup_notified_at = models.DateTimeField("领取通知时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结送达时间", null=True, blank=True)

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="case_number_unique"),
            models.UniqueConstraint(fields=["center", "year", "serial"], name="case_serial"),
            models.CheckConstraint(
                condition=~Q(delivery="mail") | ~Q(delivery_address=""),
                name="case_mail_needs_address",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "acceptance_due"], name="case_status_due"),
            # center last: the dashboard's counts per department and status, in a center's
            # scope, read this index alone
            models.Index(
                fields=["department", "status", "center"], name="case_department_status_center"
            ),
            models.Index(fields=["status", "handover_due"], name="case_status_handover"),
            models.Index(fields=["status", "promised_due"], name="case_status_promised"),
        ]

    def __str__(self) -> str:
        return f"办件 {self.number}"

    @property
    def masked_name(self) -> str:
        if self.applicant_kind == ApplicantKind.ORGANIZATION:
            return self.applicant_name
        return mask_name(self.applicant_name)

    @property
    def any_provisional(self) -> bool:
        return (
            self.acceptance_due_provisional
            or self.correction_due_provisional
            or self.promised_due_provisional
        )

    def review_overdue(self, today: dt.date) -> bool:
        """Still awaiting review after the close of its acceptance due day."""
        return self.status == Status.RECEIVED and self.acceptance_due < today

    def correction_overdue(self, today: dt.date) -> bool:
        return (
            self.status == Status.CORRECTION_REQUESTED
            and self.correction_due is not None
            and self.correction_due < today
        )


class CaseEvent(WorkflowEvent):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField("原状态", max_length=24, blank=True)
    to_status = models.CharField("新状态", max_length=24)

    class Meta:
        verbose_name = "办件记录"
        verbose_name_plural = "办件记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.action}"


class MaterialForm(models.TextChoices):
    PAPER = "paper", "纸质"
    ELECTRONIC = "electronic", "电子上传"
    LICENCE = "licence", "电子证照"


class CaseMaterial(models.Model):
    """One line of the checklist, from the guide version's materials. Supplied corrections
    add lines with the next submission number."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(
        "catalog.Material", on_delete=models.PROTECT, related_name="+", verbose_name="指南材料"
    )
    name = models.CharField("材料名称", max_length=200)
    required = models.BooleanField("必要", default=True)
    submission = models.PositiveSmallIntegerField("提交批次（0为首次）", default=0)
    provided = models.BooleanField("已提供", default=False)
    form = models.CharField("形式", max_length=16, choices=MaterialForm.choices, blank=True)
    licence_ref = models.CharField("电子证照编号", max_length=100, blank=True)
    original_checked = models.BooleanField("已核验原件", default=False)
    copies = models.PositiveSmallIntegerField("份数", default=0)
    defects = models.CharField("缺陷说明", max_length=300, blank=True)
    file = models.ForeignKey(
        "documents.StoredFile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="上传文件",
    )
    received_at = models.DateTimeField("接收时间")

    class Meta:
        verbose_name = "办件材料"
        verbose_name_plural = "办件材料"
        ordering = ["case", "submission", "id"]

    def __str__(self) -> str:
        return self.name


class IntakeRefusal(models.Model):
    """An incomplete visit: no case received; the one-time list was printed (6.1.2)."""

    center = models.ForeignKey("org.Center", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey("catalog.ServiceItem", on_delete=models.PROTECT, related_name="+")
    guide = models.ForeignKey("catalog.GuideVersion", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField("申请渠道", max_length=16, choices=Channel.choices)
    at = models.DateTimeField("时间")
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="窗口人员",
    )
    window = models.ForeignKey(
        "org.Window", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket = models.ForeignKey(
        "queueing.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applicant_name = models.CharField("申请人", max_length=200)
    # SHA-256 of the ID number: repeat visits are counted without keeping the number.
    applicant_key = models.CharField("申请人标识", max_length=64, db_index=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    missing = models.JSONField("缺少或不合格的材料", default=list)
    document = models.ForeignKey(
        "documents.Document", null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "一次性告知（未收件）记录"
        verbose_name_plural = "一次性告知（未收件）记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.item} {self.at:%Y-%m-%d}"


# Cases II models (handover batches, suspensions, extensions, results, release, fees,
# alerts) live in their own module; imported here so Django registers them.
from govhall.cases.models_fees import *  # noqa: E402, F403
from govhall.cases.models_flow import *  # noqa: E402, F403
