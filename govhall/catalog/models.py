"""Service items (事项) and their guides (办事指南).

A guide is published as versions: a published GuideVersion never changes (cases and
bookings point at the exact version they were handled under); editing makes a new draft,
and publishing it supersedes the previous one.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from govhall.catalog.uploads import validate_publishable_file
from govhall.core.errors import Conflict
from govhall.org.models import Center, Department, Window, Zone


class GuideFrozen(Conflict):
    code = "guide_frozen"


FROZEN_MESSAGE = "已发布的办事指南版本不可修改，请新建草稿后编辑并发布。"


class ItemKind(models.TextChoices):
    LICENSE = "license", "行政许可"
    CONFIRMATION = "confirmation", "行政确认"
    PAYMENT = "payment", "行政给付"
    RULING = "ruling", "行政裁决"
    OTHER_POWER = "other_power", "其他行政权力"
    PUBLIC_SERVICE = "public_service", "公共服务"


class ServiceItem(models.Model):
    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="items", verbose_name="所属中心"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="items", verbose_name="实施部门"
    )
    code = models.CharField("事项编码", max_length=64, unique=True)
    name = models.CharField("事项名称", max_length=200)
    kind = models.CharField("事项类型", max_length=20, choices=ItemKind.choices)
    keywords = models.CharField("搜索关键词（空格分隔）", max_length=500, blank=True)
    is_active = models.BooleanField("启用", default=True)
    published = models.OneToOneField(
        "GuideVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="当前公开版本",
    )
    search_text = models.TextField("检索分词", blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "政务服务事项"
        verbose_name_plural = "政务服务事项"
        ordering = ["department", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class GuideVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"
        SUPERSEDED = "superseded", "已被新版本替代"

    class ResultType(models.TextChoices):
        LICENSE = "license", "证照"
        APPROVAL_DOC = "approval_doc", "批准文书"
        RECORD = "record", "备案/登记结果"
        OTHER = "other", "其他"

    item = models.ForeignKey(
        ServiceItem, on_delete=models.CASCADE, related_name="versions", verbose_name="事项"
    )
    version = models.PositiveIntegerField("版本号")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="发布人",
    )

    basis = models.TextField("设定依据", blank=True)
    conditions = models.TextField("受理条件", blank=True)
    procedure = models.TextField("办理流程", blank=True)
    acceptance_limit_days = models.PositiveSmallIntegerField("受理审查时限（工作日）", default=5)
    legal_limit_days = models.PositiveSmallIntegerField("法定办结时限（工作日）", default=20)
    promised_limit_days = models.PositiveSmallIntegerField("承诺办结时限（工作日）", default=10)
    is_immediate = models.BooleanField("即办件", default=False)
    correction_limit_days = models.PositiveSmallIntegerField(
        "补正期限（工作日，由事项设定）", default=10
    )
    fee_required = models.BooleanField("是否收费", default=False)
    fee_amount = models.DecimalField(
        "收费金额（元）", max_digits=10, decimal_places=2, default=Decimal("0")
    )
    fee_basis = models.TextField("收费依据", blank=True)

    handled_here = models.BooleanField("在本中心办理", default=True)
    window_kind = models.CharField(
        "办理窗口类型", max_length=16, choices=Window.Kind.choices, default=Window.Kind.GENERAL
    )
    zone = models.ForeignKey(
        Zone,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="办理区域",
    )
    outside_place = models.CharField("不在本中心办理时的办理地点", max_length=200, blank=True)
    outside_path = models.TextField("办理路径", blank=True)
    outside_address = models.CharField("中心外办理地址", max_length=200, blank=True)
    outside_hours = models.CharField("中心外办理时间", max_length=200, blank=True)
    outside_phone = models.CharField("中心外办理咨询电话", max_length=40, blank=True)
    preceding_steps = models.TextField("前序环节", blank=True)
    following_steps = models.TextField("后续环节", blank=True)
    # 6.1.2: the preceding and following steps as items of the catalog, linked on the guide.
    preceding_items = models.ManyToManyField(
        "ServiceItem", blank=True, related_name="+", verbose_name="前序事项"
    )
    following_items = models.ManyToManyField(
        "ServiceItem", blank=True, related_name="+", verbose_name="后续事项"
    )

    online_available = models.BooleanField("可网上办理", default=False)
    online_url = models.CharField("网上办理地址", max_length=300, blank=True)
    self_service_available = models.BooleanField("可自助终端办理", default=False)
    appointment_available = models.BooleanField("可预约", default=True)
    mail_delivery_available = models.BooleanField("可邮寄送达", default=True)
    max_visits = models.PositiveSmallIntegerField("到现场次数（最多跑几次）", default=1)

    result_type = models.CharField(
        "结果类型", max_length=16, choices=ResultType.choices, default=ResultType.LICENSE
    )
    result_name = models.CharField("结果名称", max_length=200, blank=True)
    consultation_phone = models.CharField("咨询电话", max_length=40, blank=True)
    complaint_phone = models.CharField("投诉电话", max_length=40, blank=True)
    created_at = models.DateTimeField("创建时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="创建人",
    )

    class Meta:
        verbose_name = "办事指南版本"
        verbose_name_plural = "办事指南版本"
        ordering = ["item", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="guide_item_version"),
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(status="draft"), name="guide_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.name} 第{self.version}版（{self.get_status_display()}）"

    def save(self, *args, **kwargs) -> None:
        # A published version never changes; the only write allowed on a frozen row is
        # the status moving from published to superseded when a newer version is published.
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).first()
            if stored is not None and stored.is_frozen:
                changed = [
                    f.attname
                    for f in self._meta.concrete_fields
                    if getattr(stored, f.attname) != getattr(self, f.attname)
                ]
                superseding = (
                    changed == ["status"]
                    and stored.status == self.Status.PUBLISHED
                    and self.status == self.Status.SUPERSEDED
                )
                if changed and not superseding:
                    raise GuideFrozen(FROZEN_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if type(self).objects.filter(pk=self.pk).exclude(status=self.Status.DRAFT).exists():
            raise GuideFrozen(FROZEN_MESSAGE)
        return super().delete(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def handling_place(self) -> str:
        if not self.handled_here:
            return self.outside_place or "见办理路径"
        place = self.get_window_kind_display()
        return f"{place}（{self.zone}）" if self.zone_id else place


class Material(models.Model):
    class Form(models.TextChoices):
        PAPER = "paper", "纸质"
        ELECTRONIC = "electronic", "电子"
        BOTH = "both", "纸质或电子"

    guide = models.ForeignKey(
        GuideVersion, on_delete=models.CASCADE, related_name="materials", verbose_name="指南版本"
    )
    position = models.PositiveSmallIntegerField("序号", default=0)
    name = models.CharField("材料名称", max_length=200)
    required = models.BooleanField("必要", default=True)
    form = models.CharField("材料形式", max_length=16, choices=Form.choices, default=Form.BOTH)
    copies = models.PositiveSmallIntegerField("份数", default=1)
    original_required = models.BooleanField("需提供原件", default=False)
    source = models.CharField("来源渠道", max_length=100, blank=True)
    notes = models.TextField("填报须知/备注", blank=True)
    blank_form = models.FileField(
        "空白表格",
        upload_to="catalog/forms/",
        blank=True,
        validators=[validate_publishable_file],
    )
    sample = models.FileField(
        "示例样表",
        upload_to="catalog/samples/",
        blank=True,
        validators=[validate_publishable_file],
    )

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["guide", "position", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if self._guide_frozen():
            raise GuideFrozen(FROZEN_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._guide_frozen():
            raise GuideFrozen(FROZEN_MESSAGE)
        return super().delete(*args, **kwargs)

    def _guide_frozen(self) -> bool:
        return (
            GuideVersion.objects.filter(pk=self.guide_id)
            .exclude(status=GuideVersion.Status.DRAFT)
            .exists()
        )
