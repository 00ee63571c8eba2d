import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from govhall.catalog.excel import export_workbook
from govhall.catalog.models import GuideVersion, ServiceItem
from govhall.core.models import AuditEntry
from govhall.org.testing import TEST_PASSWORD, make_user


@pytest.fixture
def admin_client(demo):
    make_user("root", superuser=True)
    client = Client()
    assert client.login(username="root", password=TEST_PASSWORD)
    return client


@pytest.mark.django_db
def test_published_guide_is_read_only_in_admin(admin_client):
    guide = ServiceItem.objects.get(code="SCJG-006").published
    html = admin_client.get(f"/admin/catalog/guideversion/{guide.pk}/change/").content.decode()
    assert 'name="promised_limit_days"' not in html
    assert 'name="materials-0-name"' not in html
    admin_client.post(f"/admin/catalog/guideversion/{guide.pk}/change/", {"promised_limit_days": 1})
    guide.refresh_from_db()
    assert guide.promised_limit_days == 5


@pytest.mark.django_db
def test_admin_actions_new_draft_edit_and_publish(admin_client):
    item = ServiceItem.objects.get(code="SCJG-006")
    r = admin_client.post(
        "/admin/catalog/serviceitem/",
        {"action": "new_draft", "_selected_action": [item.pk]},
    )
    assert r.status_code == 302
    draft = item.versions.get(status=GuideVersion.Status.DRAFT)
    html = admin_client.get(f"/admin/catalog/guideversion/{draft.pk}/change/").content.decode()
    assert 'name="promised_limit_days"' in html
    r = admin_client.post(
        "/admin/catalog/guideversion/",
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    item.refresh_from_db()
    assert item.published == draft and draft.version == 2
    assert AuditEntry.objects.filter(action="govhall.catalog.guide.published").exists()


@pytest.mark.django_db
def test_admin_import_reports_bad_rows(admin_client):
    wb = load_workbook(io.BytesIO(export_workbook()))
    wb["事项"].cell(row=5, column=13).value = "很快"  # 承诺时限
    out = io.BytesIO()
    wb.save(out)
    upload = SimpleUploadedFile("c.xlsx", out.getvalue())
    r = admin_client.post("/admin/catalog/serviceitem/import/", {"file": upload})
    html = r.content.decode()
    assert "事项 第5行：承诺时限应为整数" in html
    r = admin_client.get("/admin/catalog/serviceitem/export/")
    assert r.status_code == 200 and r.content[:2] == b"PK"
