import pytest

from govhall.org.models import Role, Window
from govhall.org.testing import make_user, make_window

pytestmark = pytest.mark.django_db


def test_centers_lists_the_tree_with_parent_codes(client, tree):
    response = client.get("/api/v1/centers")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    by_code = {c["code"]: c for c in body["results"]}
    assert by_code["P"]["parent"] is None and by_code["P"]["level"] == "province"
    assert by_code["A"] == {
        "id": tree["a"].id,
        "code": "A",
        "name": "甲县中心",
        "level": "county",
        "parent": "C",
    }


def test_centers_pagination_and_bad_page_size(client, tree):
    body = client.get("/api/v1/centers?page=2&page_size=3").json()
    assert body["count"] == 4 and len(body["results"]) == 1
    response = client.get("/api/v1/centers?page_size=500")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "page_size"
    response = client.get("/api/v1/centers?page=abc")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "page"


def _staff(tree):
    window = make_window(tree["a"], "7", Window.Kind.DOMAIN, department=tree["a_scjg"])
    make_user(
        "clerk-a",
        (Role.CLERK, tree["a"]),
        display_name="王丽娟",
        badge_no="A-0201",
        post="综合窗口受理员",
        phone="13800138000",
        home_window=window,
    )
    make_user(
        "approver-a",
        (Role.APPROVER, tree["a"], tree["a_rsj"]),
        display_name="朱红霞",
        badge_no="RSJ-01",
        post="审批员",
    )
    make_user("hidden", (Role.CLERK, tree["a"]), display_name="不公示", is_public=False)
    make_user("board", (Role.DEVICE, tree["a"]), display_name="显示屏", is_device=True)
    make_user("clerk-b", (Role.CLERK, tree["b"]), display_name="乙县人")


def test_staff_directory_public_fields_only(client, tree):
    _staff(tree)
    response = client.get("/api/v1/staff?center=A")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    names = {r["name"]: r for r in body["results"]}
    assert set(names) == {"王丽娟", "朱红霞"}
    clerk = names["王丽娟"]
    assert clerk == {
        "name": "王丽娟",
        "photo_url": None,
        "badge_no": "A-0201",
        "post": "综合窗口受理员",
        "window": {"number": "7", "name": ""},
        "department": {"code": "SCJG", "name": "甲县市场监管局"},
    }
    assert names["朱红霞"]["department"]["code"] == "RSJ"
    assert names["朱红霞"]["window"] is None
    assert "13800138000" not in response.content.decode()
    assert "phone" not in clerk and "username" not in clerk


def test_staff_directory_without_center_and_paginated(client, tree):
    _staff(tree)
    body = client.get("/api/v1/staff?page_size=1&page=3").json()
    assert body["count"] == 3
    assert len(body["results"]) == 1


def test_staff_directory_photo_url(client, tree, settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = str(tmp_path)
    user = make_user("clerk-a", (Role.CLERK, tree["a"]), display_name="王丽娟")
    user.photo.save("wang.png", ContentFile(b"\x89PNG fake"), save=True)
    result = client.get("/api/v1/staff?center=A").json()["results"][0]
    assert result["photo_url"].startswith("http://testserver/media/staff/")


def test_staff_unknown_center_is_404_naming_center(client, tree):
    response = client.get("/api/v1/staff?center=NOPE")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"field": "center", "message": "未找到编码为“NOPE”的中心。"}
    ]
    response = client.get("/api/v1/staff?center=A&page_size=500")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "page_size"
    assert client.get("/api/v1/staff?page=0").json()["errors"][0]["field"] == "page"


def test_org_endpoints_are_in_openapi_under_chinese_tag(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["paths"]["/api/v1/centers"]["get"]["tags"] == ["组织机构"]
    assert spec["paths"]["/api/v1/staff"]["get"]["tags"] == ["组织机构"]


def test_staff_directory_ordered_by_window_number(client, tree):
    for number in ["10", "2", "1"]:
        window = make_window(tree["a"], number)
        make_user(f"clerk{number}", (Role.CLERK, tree["a"]), home_window=window)
    make_user("approver-a", (Role.APPROVER, tree["a"], tree["a_rsj"]), display_name="审批")
    results = client.get("/api/v1/staff?center=A").json()["results"]
    assert [r["window"]["number"] if r["window"] else None for r in results] == [
        "1",
        "2",
        "10",
        None,
    ]
