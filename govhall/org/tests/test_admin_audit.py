"""27.8: admin edits of configuration land in the audit chain (not only django_admin_log)."""

import pytest

from govhall.core.models import AuditEntry
from govhall.org.models import Role, Window
from govhall.org.testing import make_user

pytestmark = pytest.mark.django_db


def _form_data(page) -> dict:
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if hasattr(value, "pk"):
            value = value.pk
        if hasattr(value, "strftime") and not hasattr(value, "year"):
            value = value.strftime("%H:%M:%S")
        data[name] = value
    return data


def test_center_admin_edits_of_centers_and_windows_are_audited(client, tree):
    admin_a = make_user("admin-a", (Role.ADMIN, tree["a"]), is_staff=True)
    client.force_login(admin_a)
    url = f"/admin/org/center/{tree['a'].pk}/change/"
    data = _form_data(client.get(url))
    data["public_notice"] = "本周六照常办公"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="govhall.org.center.admin_changed")
    assert (entry.actor_id, entry.object_id) == (admin_a.pk, str(tree["a"].pk))
    assert entry.data == {"fields": {"public_notice": "本周六照常办公"}}

    response = client.post(
        "/admin/org/window/add/",
        {"center": tree["a"].pk, "number": "9", "name": "", "kind": "general", "is_active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    window = Window.objects.get(number="9")
    entry = AuditEntry.objects.get(action="govhall.org.window.admin_added")
    assert entry.object_id == str(window.pk)
    assert entry.data["fields"]["number"] == "9"

    assert client.post(f"/admin/org/window/{window.pk}/delete/", {"post": "yes"}).status_code == 403
    client.force_login(make_user("root", superuser=True))  # deletions: superusers only
    response = client.post(f"/admin/org/window/{window.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="govhall.org.window.admin_deleted").count() == 1


def test_queue_config_and_closures_are_audited(client, tree):
    from govhall.queueing.models import QueueConfig

    root = make_user("root", superuser=True)
    client.force_login(root)
    config = QueueConfig.objects.create(center=tree["a"])
    url = f"/admin/queueing/queueconfig/{config.pk}/change/"
    data = _form_data(client.get(url))
    data["recall_limit"] = 4
    assert client.post(url, data).status_code == 302
    entry = AuditEntry.objects.get(action="govhall.queueing.queueconfig.admin_changed")
    assert entry.data == {"fields": {"recall_limit": "4"}}
    response = client.post(
        "/admin/appointments/centerclosure/add/",
        {
            "center": tree["a"].pk,
            "start_date": "2026-04-01",
            "end_date": "2026-04-02",
            "reason": "设备检修",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    # Entering a closure goes through appointments' closure_enter, which audits it.
    entry = AuditEntry.objects.get(action="govhall.appointments.closure.entered")
    assert entry.data["reason"] == "设备检修"
    assert entry.actor_id == root.pk
