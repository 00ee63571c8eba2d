"""17.8: no dead 办件查询 link; 25.2: the home page publishes only the channels the center
entered, and says so to the admin (center page, system check) when none is entered."""

import pytest
from django.core import checks
from django.test import Client

from govhall.org.testing import make_user


@pytest.mark.django_db
def test_progress_link_leads_to_the_case_lookup(demo):
    """The portal's 办件查询 links lead to the cases app's public progress lookup."""
    client = Client()
    home = client.get("/").content.decode()
    assert home.count('href="/progress/"') == 2  # header 办件查询, home 办件进度查询
    page = client.get("/progress/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="case_no"' in html and 'name="phone_last4"' in html


@pytest.mark.django_db
def test_home_publishes_only_entered_channels(demo):
    client = Client()
    demo.complaint_phone = demo.supervision_channels = demo.public_notice = ""
    demo.save()
    html = client.get("/").content.decode()
    assert "投诉与监督" not in html and 'id="channels"' not in html
    assert "办不成事" not in html and "意见箱" not in html
    demo.supervision_channels = "中心二楼监督投诉台"
    demo.save()
    html = client.get("/").content.decode()
    assert 'id="channels"' in html and "中心二楼监督投诉台" in html
    assert "投诉监督电话" not in html


@pytest.mark.django_db
def test_missing_channels_are_warned_about(demo):
    demo.phone = demo.complaint_phone = demo.supervision_channels = ""
    demo.save()
    found = [m for m in checks.run_checks(databases=["default"]) if m.id == "govhall.W030"]
    assert [m.obj for m in found] == [demo]
    assert "门户首页不公布任何咨询投诉渠道" in found[0].msg
    admin = Client()
    admin.force_login(make_user("chan_admin", superuser=True, is_staff=True))
    html = admin.get(f"/admin/org/center/{demo.pk}/change/").content.decode()
    assert "未填写咨询电话、投诉监督电话或监督投诉渠道" in html
    demo.complaint_phone = "12345"
    demo.save()
    assert not [m for m in checks.run_checks(databases=["default"]) if m.id == "govhall.W030"]
    html = admin.get(f"/admin/org/center/{demo.pk}/change/").content.decode()
    assert "未填写咨询电话" not in html
