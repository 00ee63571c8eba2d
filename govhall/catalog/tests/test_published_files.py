"""25.1 (6.2.1 b, 6.5.3 b): published files are served with DEBUG off, as under `make run`;
generated documents and anything not published are never reachable by a /media/ path."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from govhall.catalog.models import GuideVersion, Material
from govhall.catalog.testing import make_item
from govhall.documents.models import DocumentKind
from govhall.documents.services import document_create
from govhall.org.testing import make_center, make_department, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
XLSX = b"PK\x03\x04 blank form"


@pytest.fixture
def published(db, settings):
    settings.DEBUG = False  # what scripts/run.sh exports
    center = make_center("HL-PF", "青松县政务服务中心")
    clerk = make_user("pf-clerk", ("clerk", center), display_name="王丽娟")
    clerk.photo.save("wang.png", ContentFile(PNG), save=True)
    hidden = make_user("pf-hidden", ("clerk", center), display_name="李四", is_public=False)
    hidden.photo.save("li.png", ContentFile(PNG), save=True)
    form = default_storage.save("catalog/forms/shenqingshu.xlsx", ContentFile(XLSX))
    item = make_item(
        center,
        make_department(center),
        "PF-1",
        "食品经营许可",
        materials=[{"name": "申请书", "blank_form": form}],
    )
    material = Material.objects.get(guide=item.published)
    return center, clerk, hidden, material


def test_staff_photo_and_blank_form_are_served_in_production(published):
    center, clerk, _, material = published
    client = Client()
    directory = client.get(f"/staff-directory/?center={center.code}").content.decode()
    assert f'src="{clerk.photo.url}"' in directory
    photo = client.get(clerk.photo.url)
    assert photo.status_code == 200 and b"".join(photo.streaming_content) == PNG
    assert photo["Cache-Control"] == "public, max-age=3600"
    guide = client.get("/items/PF-1/").content.decode()
    form_url = f"/materials/{material.pk}/blank_form/"
    assert f'href="{form_url}"' in guide
    form = client.get(form_url)
    assert form.status_code == 200 and b"".join(form.streaming_content) == XLSX
    assert form["Content-Disposition"].startswith("attachment;")
    # The stored path itself is not a second way to the form.
    assert client.get(material.blank_form.url).status_code == 404


def test_unpublished_and_generated_files_are_not_served(published, settings):
    center, _, hidden, material = published
    client = Client()
    assert client.get(hidden.photo.url).status_code == 404  # not in the directory
    doc = document_create(
        kind=DocumentKind.ACCEPTANCE_NOTICE,
        center=center,
        issuer_short_name="青松市监",
        title="受理通知书",
        pdf_bytes=b"%PDF-1.4 names a person",
    )
    assert doc.file.name.startswith("documents/")
    assert client.get(f"/media/{doc.file.name}").status_code == 404
    assert client.get("/media/../secret_key").status_code == 404
    assert client.get("/media/staff/").status_code == 404
    draft = GuideVersion.objects.create(
        item=material.guide.item, version=99, status=GuideVersion.Status.DRAFT
    )
    path = default_storage.save("catalog/forms/draft.xlsx", ContentFile(XLSX))
    hidden_form = Material.objects.create(guide=draft, name="草稿表格", blank_form=path)
    assert client.get(hidden_form.blank_form.url).status_code == 404
    assert client.get(f"/materials/{hidden_form.pk}/blank_form/").status_code == 404
    assert client.post(material.blank_form.url).status_code == 405
