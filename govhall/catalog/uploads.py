"""Files a center publishes with a guide (blank forms, samples): pdf, doc/docx, xls/xlsx,
ofd — recognised by their content, not their name — up to CATALOG_UPLOAD_MAX_BYTES, and
always downloaded as attachments (views.material_file), so an uploaded page or script
never runs in the portal's origin."""

from __future__ import annotations

import os
import zipfile
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError

# The extension names the kind; the content must be that kind.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ofd": "application/ofd",
}
OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")  # Compound File Binary (doc, xls)
ZIP = b"PK\x03\x04"
# An OOXML package names its main part: word/ for documents, xl/ for workbooks.
OOXML_PART = {"docx": "word/", "xlsx": "xl/"}


def _zip_names(f: IO[bytes]) -> list[str]:
    try:
        with zipfile.ZipFile(f) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return []


def detected_kind(f: IO[bytes], extension: str) -> bool:
    """Whether the content of `f` is a file of kind `extension`."""
    f.seek(0)
    head = f.read(8)
    f.seek(0)
    if extension == "pdf":
        return head.startswith(b"%PDF-")
    if extension in ("doc", "xls"):
        return head == OLE2
    if not head.startswith(ZIP):
        return False
    names = _zip_names(f)
    f.seek(0)
    if extension == "ofd":
        return "OFD.xml" in names
    part = OOXML_PART.get(extension)
    return (
        part is not None
        and "[Content_Types].xml" in names
        and any(n.startswith(part) for n in names)
    )


def validate_publishable_file(value) -> None:
    """Model-field validator of Material.blank_form / sample."""
    if not value or isinstance(value, str):
        return  # nothing uploaded; a name is a file already stored (copied drafts)
    extension = os.path.splitext(value.name)[1].lower().lstrip(".")
    if extension not in CONTENT_TYPES:
        raise ValidationError(
            "只接受 PDF、Word（doc/docx）、Excel（xls/xlsx）或 OFD 文件。", code="file_type"
        )
    limit = settings.CATALOG_UPLOAD_MAX_BYTES
    if value.size > limit:
        raise ValidationError(f"文件不得超过 {limit // 1024} KB。", code="file_size")
    f = value.file if hasattr(value, "file") else value
    if not detected_kind(f, extension):
        raise ValidationError(
            f"文件内容不是 .{extension} 格式（按内容识别，而非文件名）。", code="file_content"
        )
