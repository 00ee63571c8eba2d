import pytest
from django.test import Client

from govhall.org.testing import make_user


@pytest.fixture
def client():
    return Client()


@pytest.mark.django_db
def test_home_shows_center_and_channels(client, demo):
    r = client.get("/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "青松县政务服务中心" in html
    assert "投诉与监督" in html and "办公时间" in html
    assert "/booking/" in html and "/staff-directory/" in html


@pytest.mark.django_db
def test_home_chooser_when_several_centers_publish(client, demo):
    from govhall.catalog.services import item_create
    from govhall.org.testing import make_center, make_department

    other = make_center("HL-X", "另一个县政务服务中心")
    item_create(
        center=other,
        department=make_department(other),
        code="X-1",
        name="测试事项",
        kind="license",
        publish=True,
        actor=None,
    )
    html = client.get("/").content.decode()
    assert "请选择政务服务中心" in html and "另一个县政务服务中心" in html
    assert "青松县政务服务中心" in client.get("/?center=HL-239901").content.decode()


@pytest.mark.django_db
def test_catalog_search_and_department_filter(client, demo):
    html = client.get("/items/", {"q": "营业执照"}).content.decode()
    assert "企业设立登记（营业执照）" in html and "社会保障卡申领" not in html
    html = client.get("/items/", {"department": "YBJ"}).content.decode()
    assert "异地就医备案" in html and "企业注销登记" not in html
    r = client.get("/items/", {"department": "NOPE", "page": "zzz"})
    assert r.status_code == 200 and "所选部门不存在" in r.content.decode()


@pytest.mark.django_db
def test_guide_page(client, demo):
    html = client.get("/items/MZJ-001/").content.decode()
    assert "本事项<strong>不在本中心办理</strong>" in html
    assert "婚姻登记处" in html and "notice.pdf" in html
    assert client.get("/items/NOPE/").status_code == 404


@pytest.mark.django_db
def test_staff_directory_has_no_phone_numbers(client, demo):
    from govhall.org.models import Center

    center = Center.objects.get(code="HL-239901")
    make_user(
        "clerk9",
        ("clerk", center),
        display_name="王小明",
        badge_no="QS-009",
        post="综合窗口",
        phone="13812345678",
    )
    html = client.get("/staff-directory/").content.decode()
    assert "王小明" in html and "QS-009" in html
    assert "13812345678" not in html and "138****5678" not in html


@pytest.mark.django_db
def test_touch_pages(client, demo):
    html = client.get("/touch/?idle=5").content.decode()
    assert 'data-idle="5"' in html and "/touch/d/SCJG/?idle=5" in html
    html = client.get("/touch/d/SCJG/?idle=5").content.decode()
    assert "/touch/i/SCJG-001/?idle=5" in html
    html = client.get("/touch/i/SCJG-001/").content.decode()
    assert 'data-idle="90"' in html and "data:image/svg+xml" in html
    assert client.get("/touch/d/NOPE/").status_code == 404
    assert 'data-idle="90"' in client.get("/touch/?idle=abc").content.decode()


@pytest.mark.django_db
def test_touch_links_keep_center_and_idle(client, demo):
    html = client.get("/touch/?center=HL-239901&idle=7").content.decode()
    assert "/touch/d/SCJG/?center=HL-239901&amp;idle=7" in html
    assert 'data-home="/touch/?center=HL-239901&amp;idle=7"' in html
