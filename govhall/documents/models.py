"""Issued documents (文书): numbered, stored once with their SHA-256, reachable by signed link."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models

from govhall.core.models import SerialCounter
from govhall.org.models import Center


class DocumentKind(models.TextChoices):
    RECEIPT = "receipt", "收件凭证"
    ACCEPTANCE_NOTICE = "acceptance_notice", "受理通知书"
    REJECTION_NOTICE = "rejection_notice", "不予受理通知书"
    CORRECTION_NOTICE = "correction_notice", "补正通知书"
    ONE_TIME_NOTICE = "one_time_notice", "一次性告知单"
    APPOINTMENT_CONFIRMATION = "appointment_confirmation", "预约确认单"
    PICKUP_NOTICE = "pickup_notice", "领取通知书"
    HANDOVER_VOUCHER = "handover_voucher", "交接凭证"
    APPROVAL_DECISION = "approval_decision", "准予许可决定书"
    DENIAL_DECISION = "denial_decision", "不予许可决定书"
    EXTENSION_NOTICE = "extension_notice", "延期办理告知书"
    SPECIAL_PROCEDURE_NOTICE = "special_procedure_notice", "特别程序告知书"
    CORRECTION_RECEIPT = "correction_receipt", "补正材料收件凭证"
    PICKUP_RECEIPT = "pickup_receipt", "领取签收单"
    MAIL_VOUCHER = "mail_voucher", "邮寄送达凭证"
    MATERIAL_HANDOVER = "material_handover", "材料交接单"
    OTHER = "other", "其他文书"


# The "type" part of a document number (机关简称 + 类型字 + 〔年份〕 + 序号 + 号).
KIND_CODES: dict[str, str] = {
    DocumentKind.RECEIPT: "收",
    DocumentKind.ACCEPTANCE_NOTICE: "受",
    DocumentKind.REJECTION_NOTICE: "不受",
    DocumentKind.CORRECTION_NOTICE: "补",
    DocumentKind.ONE_TIME_NOTICE: "告",
    DocumentKind.APPOINTMENT_CONFIRMATION: "约",
    DocumentKind.PICKUP_NOTICE: "领",
    DocumentKind.HANDOVER_VOUCHER: "交",
    DocumentKind.APPROVAL_DECISION: "许",
    DocumentKind.DENIAL_DECISION: "不许",
    DocumentKind.EXTENSION_NOTICE: "延",
    DocumentKind.SPECIAL_PROCEDURE_NOTICE: "特",
    DocumentKind.CORRECTION_RECEIPT: "补收",
    DocumentKind.PICKUP_RECEIPT: "签",
    DocumentKind.MAIL_VOUCHER: "寄",
    DocumentKind.MATERIAL_HANDOVER: "材交",
    DocumentKind.OTHER: "文",
}


def format_number(issuer_short_name: str, kind: str, year: int, serial: int) -> str:
    return f"{issuer_short_name}{KIND_CODES[kind]}〔{year}〕{serial}号"


class DocumentCounter(SerialCounter):
    """Last serial issued per (issuer, kind, year) (`core.counters.next_serial`)."""

    issuer_short_name = models.CharField("机关简称", max_length=40)
    kind = models.CharField("文书类型", max_length=32, choices=DocumentKind.choices)

    class Meta:
        verbose_name = "文书编号计数器"
        verbose_name_plural = "文书编号计数器"
        constraints = [
            models.UniqueConstraint(
                fields=["issuer_short_name", "kind", "year"], name="document_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.issuer_short_name} {self.get_kind_display()} {self.year}：{self.last_serial}"


def document_upload_to(instance: Document, filename: str) -> str:
    # Content-addressed: the same bytes are stored once.
    return f"documents/{instance.sha256[:2]}/{instance.sha256}.pdf"


class Document(models.Model):
    kind = models.CharField("文书类型", max_length=32, choices=DocumentKind.choices)
    number = models.CharField("文书编号", max_length=80, unique=True)
    issuer_short_name = models.CharField("机关简称", max_length=40)
    year = models.PositiveSmallIntegerField("年度")
    serial = models.PositiveIntegerField("序号")
    title = models.CharField("标题", max_length=200)
    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="documents", verbose_name="中心"
    )
    related_type = models.CharField("关联对象类型", max_length=100, blank=True)
    related_id = models.CharField("关联对象编号", max_length=64, blank=True)
    # Empty (sha256 "", size 0) while a reserved document waits for its PDF.
    file = models.FileField("文件", upload_to=document_upload_to, max_length=200, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveIntegerField("字节数", default=0)
    created_at = models.DateTimeField("生成时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="生成人",
    )

    class Meta:
        verbose_name = "文书"
        verbose_name_plural = "文书"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer_short_name", "kind", "year", "serial"], name="document_serial"
            )
        ]
        indexes = [
            models.Index(fields=["related_type", "related_id"]),
            # The render_pending job's scan: only the few documents still without a file.
            models.Index(fields=["id"], condition=models.Q(sha256=""), name="document_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.number}）"

    @property
    def pending(self) -> bool:
        """Reserved (numbered) but its PDF not drawn yet (documents.services.document_reserve)."""
        return not self.sha256

    def read_bytes(self) -> bytes:
        if self.pending:
            # Drawn on first read when the render after commit never happened.
            from govhall.documents.services import document_render_pending

            document_render_pending(document=self)
        with self.file.open("rb") as fh:
            return fh.read()

    def verify(self) -> bool:
        """True when the stored file still hashes to the recorded SHA-256."""
        try:
            return hashlib.sha256(self.read_bytes()).hexdigest() == self.sha256
        except FileNotFoundError:
            return False


def stored_file_upload_to(instance: StoredFile, filename: str) -> str:
    # Content-addressed and outside any public path (MEDIA is not served in production).
    return f"uploads/{instance.sha256[:2]}/{instance.sha256}.{instance.extension}"


class StoredFile(models.Model):
    """A file a citizen or clerk uploaded (application materials): stored once by SHA-256,
    never on a public path; reached through the owning app's scoped views."""

    EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}

    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="stored_files", verbose_name="中心"
    )
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=64)
    file = models.FileField("文件", upload_to=stored_file_upload_to, max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.PositiveIntegerField("字节数")
    created_at = models.DateTimeField("上传时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="上传人",
    )

    class Meta:
        verbose_name = "上传文件"
        verbose_name_plural = "上传文件"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name}（{self.size} 字节）"

    @property
    def extension(self) -> str:
        return self.EXTENSIONS.get(self.content_type, "bin")

    def read_bytes(self) -> bytes:
        with self.file.open("rb") as fh:
            return fh.read()
