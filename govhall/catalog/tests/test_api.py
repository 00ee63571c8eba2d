import io

import pypdf
import pytest
from django.test import Client

from govhall.catalog.models import ServiceItem
from govhall.core.testing import pdf_qr_texts, pdf_text


@pytest.fixture
def client():
    return Client()


@pytest.mark.django_db
def test_items_search_business_license(client, demo):
    r = client.get("/api/v1/items", {"q": "营业执照"})
    assert r.status_code == 200
    body = r.json()
    names = [i["name"] for i in body["results"]]
    assert body["count"] == len(names) >= 5
    assert names[0] == "企业设立登记（营业执照）"
    first = body["results"][0]
    assert first["department"] == {"code": "SCJG", "name": "青松县市场监督管理局"}
    assert first["url"].endswith("/items/SCJG-001/")
    assert set(first) >= {
        "code",
        "kind",
        "promised_limit_days",
        "is_immediate",
        "online_available",
        "appointment_available",
    }


@pytest.mark.django_db
def test_items_filters_and_pagination(client, demo):
    r = client.get("/api/v1/items", {"center": "HL-239901", "department": "BDC"})
    assert r.status_code == 200
    assert r.json()["count"] == 4
    assert {i["department"]["code"] for i in r.json()["results"]} == {"BDC"}
    r = client.get("/api/v1/items", {"page_size": 10, "page": 4})
    assert r.json()["count"] == ServiceItem.objects.count() == 33
    assert len(r.json()["results"]) == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params,field",
    [
        ({"page": 0}, "page"),
        ({"page": "abc"}, "page"),
        ({"page_size": 500}, "page_size"),
        ({"center": "NOPE"}, "center"),
        ({"department": "NOPE"}, "department"),
        ({"q": "营" * 101}, "q"),
    ],
)
def test_items_bad_params_are_422_naming_the_field(client, demo, params, field):
    r = client.get("/api/v1/items", params)
    assert r.status_code == 422
    assert r["Content-Type"] == "application/problem+json"
    assert field in [e["field"] for e in r.json()["errors"]]


@pytest.mark.django_db
def test_item_detail_full_guide(client, demo):
    r = client.get("/api/v1/items/SCJG-001")
    assert r.status_code == 200
    g = r.json()
    assert g["name"] == "企业设立登记（营业执照）"
    assert "市场主体登记管理条例" in g["basis"]
    assert g["legal_limit_days"] == 15 and g["promised_limit_days"] == 1
    assert g["acceptance_limit_days"] == 1
    assert g["fees"] == {"required": False, "amount": "0.00", "basis": ""}
    assert g["where"]["handled_here"] is True
    assert g["where"]["window_kind_label"] == "无差别综合窗口"
    assert g["version"] == 1 and g["published_at"]
    mats = g["materials"]
    assert mats[0]["name"] == "公司登记（备案）申请书"
    assert {"id", "required", "form", "copies", "original_required", "notes"} <= set(mats[0])
    assert any(not m["required"] for m in mats)


@pytest.mark.django_db
def test_item_detail_outside_and_fees(client, demo):
    g = client.get("/api/v1/items/MZJ-001").json()
    assert g["where"]["handled_here"] is False
    assert "婚姻登记处" in g["where"]["outside_place"]
    assert g["where"]["outside_path"] and g["where"]["following_steps"]
    bdc = client.get("/api/v1/items/BDC-001").json()
    assert bdc["fees"]["required"] is True
    assert bdc["fees"]["amount"] in ("80.00", 80.0, "80")
    assert "2559" in bdc["fees"]["basis"]


@pytest.mark.django_db
def test_unknown_item_is_404_problem(client, demo):
    for url in ("/api/v1/items/NOPE-999", "/api/v1/items/NOPE-999/notice.pdf"):
        r = client.get(url)
        assert r.status_code == 404
        assert r["Content-Type"] == "application/problem+json"
        assert "NOPE-999" in r.json()["detail"]


@pytest.mark.django_db
def test_notice_pdf_holds_name_and_every_required_material(client, demo):
    for code in ("SCJG-001", "BDC-002", "MZJ-001"):
        item = ServiceItem.objects.get(code=code)
        r = client.get(f"/api/v1/items/{code}/notice.pdf")
        assert r.status_code == 200
        assert r["Content-Type"] == "application/pdf"
        assert r.content.startswith(b"%PDF")
        text = pdf_text(r.content).replace("\n", "")
        assert item.name in text
        assert "一次性告知单" in text and "青松县政务服务中心" in text
        for m in item.published.materials.filter(required=True):
            assert m.name in text, m.name
    text = pdf_text(client.get("/api/v1/items/MZJ-001/notice.pdf").content).replace("\n", "")
    assert "本事项不在本中心办理" in text
    # The page route serves the same document.
    page = client.get("/items/SCJG-001/notice.pdf")
    assert page.status_code == 200 and page.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_notice_pdf_has_qr_back_to_guide(client, demo, settings):
    settings.SITE_URL = "http://hall.example"
    data = client.get("/api/v1/items/SCJG-001/notice.pdf").content
    # Every page's header carries the code back to the item's guide.
    pages = len(pypdf.PdfReader(io.BytesIO(data)).pages)
    assert pdf_qr_texts(data) == ["http://hall.example/items/SCJG-001/"] * pages


@pytest.mark.django_db
def test_openapi_lists_catalog_and_documents(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for p in (
        "/api/v1/items",
        "/api/v1/items/{code}",
        "/api/v1/items/{code}/notice.pdf",
        "/api/v1/documents/{token}",
    ):
        assert p in paths
