"""Special groups (6.7.3): accompaniment and home/bedside service requests, the center's
aids and their loans, green-channel items. Imported at the bottom of models.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from govhall.core.masking import mask_address, mask_name, mask_phone
from govhall.core.models import WorkflowEvent

__all__ = [
    "Aid",
    "AidLoan",
    "GreenChannelItem",
    "SpecialGroup",
    "SpecialRequest",
    "SpecialRequestEvent",
]


class SpecialGroup(models.TextChoices):
    ELDERLY = "elderly", "老年人"
    DISABLED = "disabled", "残疾人"
    PREGNANT = "pregnant", "孕妇"
    ILL = "ill", "伤病人员"
    MILITARY = "military", "军人/退役军人"
    OTHER = "other", "其他行动不便人员"


class SpecialRequest(models.Model):
    """A request for 陪同办理 (a staff member accompanies the person through the hall) or
    上门服务 / 床旁服务 (staff go to the home or hospital bed): requested → scheduled →
    done, or cancelled."""

    class Kind(models.TextChoices):
        ACCOMPANY = "accompany", "陪同办理"
        HOME = "home", "上门服务"
        BEDSIDE = "bedside", "床旁服务"

    class Status(models.TextChoices):
        REQUESTED = "requested", "已申请"
        SCHEDULED = "scheduled", "已安排"
        DONE = "done", "已完成"
        CANCELLED = "cancelled", "已取消"

    TRANSITIONS: dict[str, set[str]] = {
        Status.REQUESTED: {Status.SCHEDULED, Status.CANCELLED},
        Status.SCHEDULED: {Status.DONE, Status.CANCELLED},
        Status.DONE: set(),
        Status.CANCELLED: set(),
    }

    center = models.ForeignKey(
        "org.Center", on_delete=models.PROTECT, related_name="+", verbose_name="中心"
    )
    number = models.CharField("编号", max_length=32, unique=True)
    kind = models.CharField("服务类型", max_length=16, choices=Kind.choices)
    group = models.CharField("服务对象类别", max_length=16, choices=SpecialGroup.choices)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.REQUESTED
    )
    name = models.CharField("服务对象姓名", max_length=100)
    phone = models.CharField("联系电话", max_length=20)
    address = models.CharField("服务地点（上门/床旁）", max_length=200, blank=True)
    item = models.ForeignKey(
        "catalog.ServiceItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="办理事项",
    )
    description = models.TextField("需求说明", blank=True)
    preferred_at = models.DateTimeField("希望时间", null=True, blank=True)
    requested_at = models.DateTimeField("申请时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="登记人",
    )
    scheduled_at = models.DateTimeField("安排时间", null=True, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="服务人员",
    )
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    visit_note = models.TextField("服务记录（做了什么）", blank=True)
    items_handled = models.CharField("办理事项记录", max_length=500, blank=True)
    applicant_signed = models.BooleanField("服务对象已签字确认", default=False)
    cancel_reason = models.CharField("取消原因", max_length=500, blank=True)

    class Meta:
        verbose_name = "特殊群体服务申请"
        verbose_name_plural = "特殊群体服务申请"
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["center", "status"], name="specialreq_center_status")]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_address(self) -> str:
        return mask_address(self.address) if self.address else ""


class SpecialRequestEvent(WorkflowEvent):
    request = models.ForeignKey(
        SpecialRequest, on_delete=models.CASCADE, related_name="events", verbose_name="申请"
    )
    action = models.CharField("动作", max_length=32)

    class Meta:
        verbose_name = "特殊群体服务记录"
        verbose_name_plural = "特殊群体服务记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


class Aid(models.Model):
    """An aid the center keeps for people who need it (wheelchair, reading glasses…)."""

    class Kind(models.TextChoices):
        WHEELCHAIR = "wheelchair", "轮椅"
        READING_GLASSES = "reading_glasses", "老花镜"
        MAGNIFIER = "magnifier", "放大镜"
        SIGN_LANGUAGE = "sign_language", "手语服务设备"
        HEARING_LOOP = "hearing_loop", "助听感应环路"
        CRUTCHES = "crutches", "拐杖"
        STROLLER = "stroller", "婴儿车"
        OTHER = "other", "其他"

    center = models.ForeignKey(
        "org.Center", on_delete=models.PROTECT, related_name="+", verbose_name="中心"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    label = models.CharField("名称/编号", max_length=60)
    location = models.CharField("存放位置", max_length=120)
    lendable = models.BooleanField("可借用", default=True)
    is_active = models.BooleanField("启用", default=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "便民辅助设施"
        verbose_name_plural = "便民辅助设施"
        ordering = ["center", "kind", "label"]
        constraints = [models.UniqueConstraint(fields=["center", "label"], name="aid_center_label")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.label}"


class AidLoan(models.Model):
    """One loan of an aid. At most one open loan per aid (a database constraint)."""

    aid = models.ForeignKey(
        Aid, on_delete=models.PROTECT, related_name="loans", verbose_name="设施"
    )
    center = models.ForeignKey(
        "org.Center", on_delete=models.PROTECT, related_name="+", verbose_name="中心"
    )
    borrower_name = models.CharField("借用人", max_length=100)
    borrower_phone = models.CharField("借用人电话", max_length=20, blank=True)
    lent_at = models.DateTimeField("借出时间")
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="借出经办人",
    )
    returned_at = models.DateTimeField("归还时间", null=True, blank=True)
    returned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="归还经办人",
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "辅助设施借用"
        verbose_name_plural = "辅助设施借用"
        ordering = ["-lent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["aid"],
                condition=models.Q(returned_at__isnull=True),
                name="aidloan_one_open_per_aid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.aid} → {self.masked_name}"

    @property
    def masked_name(self) -> str:
        return mask_name(self.borrower_name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.borrower_phone)


class GreenChannelItem(models.Model):
    """A catalog item the center handles through its green channel for special groups."""

    center = models.ForeignKey(
        "org.Center", on_delete=models.CASCADE, related_name="+", verbose_name="中心"
    )
    item = models.ForeignKey(
        "catalog.ServiceItem", on_delete=models.CASCADE, related_name="+", verbose_name="事项"
    )
    groups = models.JSONField("适用人群", default=list, blank=True)
    measures = models.CharField(
        "便利措施", max_length=200, help_text="例如：优先受理、容缺受理、陪同办理、上门办理"
    )
    published = models.BooleanField("在门户公布", default=True)

    class Meta:
        verbose_name = "绿色通道事项"
        verbose_name_plural = "绿色通道事项"
        ordering = ["center", "item"]
        constraints = [
            models.UniqueConstraint(fields=["center", "item"], name="greenchannel_center_item")
        ]

    def __str__(self) -> str:
        return f"{self.item} 绿色通道"

    def groups_text(self) -> str:
        labels = dict(SpecialGroup.choices)
        return "、".join(labels.get(g, g) for g in self.groups) or "特殊群体"
