"""Issuing documents and signed links to them.

Other apps call:

    document_create(*, kind, center, issuer_short_name, title, render=None, pdf_bytes=None,
                    related=None, actor, now=None) -> Document
    document_reserve(*, kind, center, issuer_short_name, title, render, related, actor,
                     now=None) -> Document                   # PDF drawn after commit
    document_link(document, *, days=None, now=None) -> str        # absolute, signed, expiring
    document_from_token(token, *, now=None) -> Document           # raises LinkExpired/NotFound
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from govhall.core.audit import log_action
from govhall.core.counters import next_serial
from govhall.core.errors import DomainError, InvalidInput, NotFound
from govhall.core.workflow import resolve_now
from govhall.core.writer import after_release, writing
from govhall.documents.models import (
    KIND_CODES,
    Document,
    DocumentCounter,
    DocumentKind,
    StoredFile,
    document_upload_to,
    format_number,
    stored_file_upload_to,
)
from govhall.documents.renderers import renderer_for
from govhall.org.models import Center

LINK_SALT = "govhall.documents.link"


class LinkExpired(DomainError):
    status = 410
    code = "link_expired"


def _related_key(related: models.Model | tuple[str, str | int] | None) -> tuple[str, str]:
    if related is None:
        return "", ""
    if isinstance(related, models.Model):
        return related._meta.label_lower, str(related.pk)
    kind, pk = related
    return str(kind), str(pk)


def _new_document(
    *,
    kind: str,
    center: Center,
    issuer_short_name: str,
    title: str,
    related: models.Model | tuple[str, str | int] | None,
    actor,
    now: dt.datetime,
) -> Document:
    """Checks, the next number, and the unsaved row (its file still to come)."""
    if kind not in KIND_CODES:
        raise InvalidInput("未知的文书类型。", field="kind")
    if not issuer_short_name.strip():
        raise InvalidInput("机关简称不能为空。", field="issuer_short_name")
    year = timezone.localtime(now).year
    # Gapless: the counter row stays locked until the caller commits.
    serial = next_serial(DocumentCounter, issuer_short_name=issuer_short_name, kind=kind, year=year)
    related_type, related_id = _related_key(related)
    return Document(
        kind=kind,
        number=format_number(issuer_short_name, kind, year, serial),
        issuer_short_name=issuer_short_name,
        year=year,
        serial=serial,
        title=title[:200],
        center=center,
        related_type=related_type,
        related_id=related_id,
        sha256="",
        size=0,
        created_at=now,
        created_by=actor if getattr(actor, "pk", None) else None,
    )


def _checked(data: bytes | None) -> bytes:
    if not data or not data.startswith(b"%PDF"):
        raise InvalidInput("文书内容不是 PDF。", field="render")
    return data


def _put_file(doc: Document, data: bytes) -> None:
    """Fill sha256, size and the content-addressed file (written once per content)."""
    doc.sha256 = hashlib.sha256(data).hexdigest()
    doc.size = len(data)
    path = document_upload_to(doc, "")
    if default_storage.exists(path):
        doc.file.name = path  # identical bytes are already stored
    else:
        doc.file.save(path, ContentFile(data), save=False)


def _audit_created(doc: Document, actor, now: dt.datetime) -> None:
    log_action(
        actor=actor,
        action="govhall.documents.document.created",
        obj=doc,
        data={
            "number": doc.number,
            "kind": doc.kind,
            "sha256": doc.sha256,
            "related": doc.related_type,
        },
        now=now,
    )


@transaction.atomic
def document_create(
    *,
    kind: str,
    center: Center,
    issuer_short_name: str,
    title: str,
    render: Callable[[str], bytes] | None = None,
    pdf_bytes: bytes | None = None,
    related: models.Model | tuple[str, str | int] | None = None,
    actor=None,
    now: dt.datetime | None = None,
) -> Document:
    """Allocate the next number, render (render(number) -> PDF bytes) and store the document,
    all in the caller's transaction (the counter row stays locked during the render).

    Pass either `render` (called with the allocated number, so the number can be printed on
    the document) or ready `pdf_bytes` (which then cannot show the number).
    """
    now = resolve_now(now)
    if (render is None) == (pdf_bytes is None):
        raise InvalidInput("render 与 pdf_bytes 须且只须提供一个。", field="render")
    doc = _new_document(
        kind=kind,
        center=center,
        issuer_short_name=issuer_short_name,
        title=title,
        related=related,
        actor=actor,
        now=now,
    )
    _put_file(doc, _checked(render(doc.number) if render is not None else pdf_bytes))
    doc.save()
    _audit_created(doc, actor, now)
    return doc


@transaction.atomic
def document_reserve(
    *,
    kind: str,
    center: Center,
    issuer_short_name: str,
    title: str,
    render: Callable[[str], bytes],
    related: models.Model,
    actor=None,
    now: dt.datetime | None = None,
) -> Document:
    """The number and the row now, in the caller's transaction; the PDF (render(number))
    right after the outermost transaction commits, still in the caller's request, so the
    counter lock (SQLite: the write lock) is not held for the render. Until then `sha256`
    is empty. The kind needs a registered renderer (`renderers.register_renderer`): it
    draws the document again if the render after commit never happens."""
    now = resolve_now(now)
    if renderer_for(kind) is None:
        raise InvalidInput("该文书类型未登记补绘函数，不能预留编号。", field="kind")
    doc = _new_document(
        kind=kind,
        center=center,
        issuer_short_name=issuer_short_name,
        title=title,
        related=related,
        actor=actor,
        now=now,
    )
    doc.save()
    _audit_created(doc, actor, now)
    # robust: a failed render must not fail the committed request; the document then
    # waits for its first read or the render_pending job.
    # After the commit and, on SQLite, after the caller's writer lock (`writing()`) is
    # released, so the render holds no lock.
    transaction.on_commit(
        lambda: after_release(lambda: _store(doc, lambda: render(doc.number))), robust=True
    )
    return doc


def _store(doc: Document, draw: Callable[[], bytes]) -> Document:
    """Draw outside any transaction, then attach the file unless another process did
    meanwhile (the conditional UPDATE decides; the loser's file is identical or unused)."""
    data = _checked(draw())
    _put_file(doc, data)
    with writing(), transaction.atomic():
        stored = Document.objects.filter(pk=doc.pk, sha256="").update(
            sha256=doc.sha256, size=doc.size, file=doc.file.name
        )
    if not stored:
        doc.refresh_from_db(fields=["sha256", "size", "file"])
    return doc


def document_render_pending(*, document: Document) -> Document:
    """A reserved document whose file is missing, drawn again by its kind's renderer."""
    if document.sha256:
        return document
    document.refresh_from_db(fields=["sha256", "size", "file"])
    if document.sha256:
        return document
    renderer = renderer_for(document.kind)
    if renderer is None:
        raise NotFound("文书文件尚未生成。")
    return _store(document, lambda: renderer(document))


def document_token(document: Document, *, days: int | None = None, now=None) -> str:
    now = resolve_now(now)
    days = settings.DOCUMENT_LINK_DAYS if days is None else days
    expires = int((now + dt.timedelta(days=days)).timestamp())
    return signing.dumps({"d": document.pk, "x": expires}, salt=LINK_SALT, compress=False)


def document_link(document: Document, *, days: int | None = None, now=None) -> str:
    """Absolute signed URL (the SMS link) valid for `days` calendar days
    (default settings.DOCUMENT_LINK_DAYS)."""
    token = document_token(document, days=days, now=now)
    return settings.SITE_URL + reverse("documents:download", args=[token])


def document_from_token(token: str, *, now: dt.datetime | None = None) -> Document:
    """The document behind a link. Tampered or unknown → NotFound; out of date → LinkExpired."""
    try:
        payload = signing.loads(token, salt=LINK_SALT)
        doc_id, expires = int(payload["d"]), int(payload["x"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise NotFound("链接无效或已被篡改。", code="bad_link") from exc
    now = resolve_now(now)
    if now.timestamp() > expires:
        raise LinkExpired("链接已过期，请到中心窗口或联系中心重新获取。")
    doc = Document.objects.filter(pk=doc_id).first()
    if doc is None:
        raise NotFound("文书不存在。")
    return doc


# Magic numbers of the upload types accepted (the declared type is not trusted).
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff_content_type(data: bytes) -> str | None:
    """The type the bytes really are (PDF, JPEG or PNG), or None."""
    for magic, content_type in _SIGNATURES:
        if data.startswith(magic):
            return content_type
    return None


def stored_file_save(
    *,
    center: Center,
    data: bytes,
    filename: str,
    actor=None,
    now: dt.datetime | None = None,
    max_bytes: int | None = None,
    field: str = "file",
) -> StoredFile:
    """Store an uploaded file once by SHA-256, after checking its size (settings
    UPLOAD_MAX_BYTES, default 10 MB) and its real type (PDF, JPEG or PNG by content)."""
    now = resolve_now(now)
    limit = max_bytes if max_bytes is not None else settings.UPLOAD_MAX_BYTES
    if not data:
        raise InvalidInput("上传的文件为空。", field=field)
    if len(data) > limit:
        raise InvalidInput(
            f"文件过大（{len(data) // 1024} KB），单个文件不得超过 {limit // 1024 // 1024} MB。",
            field=field,
            code="file_too_large",
        )
    content_type = sniff_content_type(data)
    if content_type is None:
        raise InvalidInput(
            "文件类型不支持，只接受 PDF、JPG、PNG 文件。", field=field, code="file_type"
        )
    stored = StoredFile(
        center=center,
        original_name=(filename or "upload")[:200],
        content_type=content_type,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        created_at=now,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    path = stored_file_upload_to(stored, "")
    if default_storage.exists(path):
        stored.file.name = path
    else:
        stored.file.save(path, ContentFile(data), save=False)
    stored.save()
    return stored


__all__ = [
    "DocumentKind",
    "LinkExpired",
    "document_create",
    "document_from_token",
    "document_link",
    "document_render_pending",
    "document_reserve",
    "document_token",
    "stored_file_save",
]
