import io

import pytest
from django.core.management import call_command

from govhall.org import demo
from govhall.org.models import Center, Department, Role, RoleAssignment, User, Window, Zone

pytestmark = pytest.mark.django_db

MODELS = [Center, Department, Zone, Window, User, RoleAssignment]


def _counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def test_demo_organisation_matches_demo_names():
    demo.load(io.StringIO())
    county = Center.objects.get(code="HL-239901")
    assert county.parent.code == "HL-239900" and county.parent.parent.code == "HL-230000"
    assert county.sms_signature == "青松县政务服务中心"
    assert "12345" in county.complaint_phone and county.opening_hours and county.public_notice
    assert Department.objects.filter(center=county).count() == 8
    assert set(Zone.objects.filter(center=county).values_list("code", flat=True)) == {
        "A",
        "B",
        "C",
        "SELF",
        "FUNC",
    }
    windows = Window.objects.filter(center=county)
    assert windows.count() == 14
    assert set(windows.values_list("kind", flat=True)) == set(Window.Kind.values)
    assert windows.get(number="7").department.code == "BDC"
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="clerk7").home_window.number == "7"
    approver = RoleAssignment.objects.get(user__username="approver-gaj")
    assert approver.role == Role.APPROVER and approver.department.code == "GAJ"
    for name in ("board1", "evaluator1"):
        device = User.objects.get(username=name)
        assert device.is_device and not device.is_public
        assert device.roles.get().role == Role.DEVICE
    # Every role of the Role choices is held by some demo account.
    assert set(RoleAssignment.objects.values_list("role", flat=True)) == set(Role.values)
    assert User.objects.get(username="clerk1").check_password(demo.DEFAULT_DEMO_PASSWORD)


def test_load_demo_twice_creates_nothing_new_and_keeps_changed_password(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "Demo-Pass#2026")
    call_command("load_demo", stdout=io.StringIO())
    first = _counts()
    clerk = User.objects.get(username="clerk1")
    assert clerk.check_password("Demo-Pass#2026")
    clerk.set_password("Changed-By#Admin1")
    clerk.save()
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert _counts() == first
    assert "未做改动" in out.getvalue()
    assert User.objects.get(username="clerk1").check_password("Changed-By#Admin1")


def test_demo_info_lists_urls_and_accounts_only_when_loaded(monkeypatch):
    out = io.StringIO()
    call_command("demo_info", "--port", "8123", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8123/staff/" in text and "http://127.0.0.1:8123/api/v1/docs" in text
    assert "clerk1" not in text and "Govhall@2026" not in text
    demo.load(io.StringIO())
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    out = io.StringIO()
    call_command("demo_info", "--port", "8123", stdout=out)
    text = out.getvalue()
    assert "Govhall@2026" in text
    for username in ["admin", "manager1", "clerk8", "approver-zjj", "board1", "evaluator1"]:
        assert username in text
    assert "青松县公安局（户政）" in text
