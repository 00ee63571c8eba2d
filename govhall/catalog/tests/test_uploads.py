"""27.11: blank forms and samples are pdf / doc(x) / xls(x) / ofd by content, within a
size limit, and are downloaded as attachments, never shown inline."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from govhall.catalog.models import Material
from govhall.catalog.testing import make_item
from govhall.core.errors import InvalidInput
from govhall.org.testing import make_center, make_department

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OLE = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504
HTML = b"<html><script>alert(document.cookie)</script></html>"


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name in names:
            z.writestr(name, "<x/>")
    return buffer.getvalue()


DOCX = _zip("[Content_Types].xml", "word/document.xml")
XLSX = _zip("[Content_Types].xml", "xl/workbook.xml")
OFD = _zip("OFD.xml", "Doc_0/Document.xml")


def _material(**files) -> Material:
    center = make_center()
    item = make_item(center, make_department(center), materials=[{"name": "申请书"}])
    material = item.published.materials.get()
    for field, (name, content) in files.items():
        setattr(material, field, SimpleUploadedFile(name, content))
    return material


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("申请表.pdf", PDF),
        ("申请表.doc", OLE),
        ("申请表.xls", OLE),
        ("申请表.docx", DOCX),
        ("申请表.xlsx", XLSX),
        ("申请表.ofd", OFD),
    ],
)
def test_allowed_kinds_pass(name, content):
    _material(blank_form=(name, content)).full_clean()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("申请表.pdf", HTML),  # a web page named .pdf
        ("申请表.html", HTML),
        ("申请表.svg", b"<svg onload=alert(1)></svg>"),
        ("申请表.docx", XLSX),  # a workbook named .docx
        ("申请表.xlsx", _zip("evil.html")),  # a zip that is no workbook
        ("申请表.exe", b"MZ\x90\x00"),
    ],
)
def test_other_content_is_refused(name, content):
    with pytest.raises(ValidationError) as exc:
        _material(sample=(name, content)).full_clean()
    assert "sample" in exc.value.message_dict


def test_size_limit(settings):
    settings.CATALOG_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as exc:
        _material(blank_form=("大.pdf", PDF + b"0" * 1024)).full_clean()
    assert exc.value.message_dict["blank_form"] == ["文件不得超过 1 KB。"]


def test_the_service_refuses_a_web_page_as_a_blank_form():
    center = make_center()
    with pytest.raises(InvalidInput) as exc:
        make_item(
            center,
            make_department(center),
            materials=[{"name": "申请书", "blank_form": SimpleUploadedFile("a.pdf", HTML)}],
        )
    assert exc.value.errors[0]["field"] == "materials"


def test_files_are_served_as_attachments(client):
    center = make_center()
    item = make_item(
        center,
        make_department(center),
        materials=[{"name": "申请书", "blank_form": SimpleUploadedFile("申请表.pdf", PDF)}],
    )
    material = item.published.materials.get()
    response = client.get(f"/materials/{material.pk}/blank_form/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    assert client.get(f"/materials/{material.pk}/sample/").status_code == 404
    page = client.get(f"/items/{item.code}/").content.decode()
    assert f'href="/materials/{material.pk}/blank_form/"' in page
