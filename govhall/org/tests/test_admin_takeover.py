"""27.1: a center admin cannot reach superusers or staff of other centers through the admin,
and changes of another user's password, activity, admin flags and phone are audited."""

import pytest

from govhall.core.models import AuditEntry
from govhall.org import services
from govhall.org.models import Role, RoleAssignment, User
from govhall.org.testing import make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Taken-Over#2026"


@pytest.fixture
def center_admin(client, tree):
    admin_a = make_user("admin-a", (Role.ADMIN, tree["a"]), is_staff=True)
    client.force_login(admin_a)
    return admin_a


def _change_data(client, user: User) -> dict:
    page = client.get(f"/admin/org/user/{user.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not None and k not in {"password", "photo", "date_joined", "last_login"}
    }
    formset = page.context["inline_admin_formsets"][0].formset
    data.update(
        {
            "home_window": "",
            "roles-TOTAL_FORMS": str(len(formset.forms)),
            "roles-INITIAL_FORMS": str(formset.initial_form_count()),
            "roles-MIN_NUM_FORMS": "0",
            "roles-MAX_NUM_FORMS": "1000",
        }
    )
    for i, f in enumerate(formset.forms):
        data[f"roles-{i}-user"] = str(user.pk)
        if f.instance.pk:
            data[f"roles-{i}-id"] = str(f.instance.pk)
            data[f"roles-{i}-role"] = f.instance.role
            data[f"roles-{i}-center"] = str(f.instance.center_id)
            data[f"roles-{i}-department"] = str(f.instance.department_id or "")
    return data


def test_center_admin_cannot_see_or_reset_a_superuser(client, center_admin, tree):
    # The superuser also holds a role in the admin's center: the landed admin showed it.
    root = make_user("root", (Role.MANAGER, tree["a"]), superuser=True)
    listing = client.get("/admin/org/user/").content.decode()
    assert "root" not in listing
    assert client.get(f"/admin/org/user/{root.pk}/change/").status_code == 302  # not found
    response = client.post(
        f"/admin/org/user/{root.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 404
    root.refresh_from_db()
    assert not root.check_password(NEW_PASSWORD)


def test_center_admin_cannot_reset_staff_holding_a_role_elsewhere(client, center_admin, tree):
    # A clerk at A who is also a manager at B: resetting them would take over B.
    both = make_user("both", (Role.CLERK, tree["a"]), (Role.MANAGER, tree["b"]))
    assert "both" not in client.get("/admin/org/user/").content.decode()
    response = client.post(
        f"/admin/org/user/{both.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 404
    both.refresh_from_db()
    assert not both.check_password(NEW_PASSWORD)


def test_password_reset_of_own_staff_is_audited(client, center_admin, tree):
    clerk = make_user("clerk-a", (Role.CLERK, tree["a"]))
    response = client.post(
        f"/admin/org/user/{clerk.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.get(action="govhall.org.user.account_changed")
    assert (entry.actor_id, entry.object_id) == (center_admin.pk, str(clerk.pk))
    assert entry.data == {"fields": ["password"]}


def test_deactivation_and_phone_change_are_audited(client, center_admin, tree):
    clerk = make_user("clerk-a", (Role.CLERK, tree["a"]), phone="13800000001")
    data = _change_data(client, clerk)
    data.pop("is_active")  # unticked
    data["phone"] = "13900000002"
    data["display_name"] = "窗口一"
    response = client.post(f"/admin/org/user/{clerk.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    clerk.refresh_from_db()
    assert (clerk.is_active, clerk.phone, clerk.display_name) == (False, "13900000002", "窗口一")
    entry = AuditEntry.objects.get(action="govhall.org.user.account_changed")
    assert entry.data == {"fields": ["is_active", "phone"], "is_active": False}
    edited = AuditEntry.objects.get(action="govhall.org.user.edited")
    assert edited.data == {"fields": ["display_name"]}


def test_service_refuses_changes_beyond_the_actors_centers(tree):
    admin_a = make_user("admin-a", (Role.ADMIN, tree["a"]), is_staff=True)
    root = make_user("root", superuser=True)
    both = make_user("both", (Role.CLERK, tree["a"]), (Role.MANAGER, tree["b"]))
    from govhall.core.errors import Forbidden

    for target in (root, both):
        with pytest.raises(Forbidden):
            services.user_account_change(user=target, password=NEW_PASSWORD, actor=admin_a)
    clerk = make_user("clerk-a", (Role.CLERK, tree["a"]))
    with pytest.raises(Forbidden):
        services.user_account_change(user=clerk, is_superuser=True, actor=admin_a)
    clerk.refresh_from_db()
    assert not clerk.is_superuser


def test_revoking_the_last_admin_site_role_clears_is_staff(tree):
    manager = make_user("manager-a", (Role.MANAGER, tree["a"]), (Role.CLERK, tree["a"]))
    services.role_assign(user=manager, role=Role.MANAGER, center=tree["a"], actor=None)
    manager.refresh_from_db()
    assert manager.is_staff
    services.role_revoke(
        assignment=RoleAssignment.objects.get(user=manager, role=Role.MANAGER), actor=None
    )
    manager.refresh_from_db()
    assert not manager.is_staff


def test_catalog_export_and_sms_stats_need_permission(client, tree):
    clerk = make_user("clerk-a", (Role.CLERK, tree["a"]), is_staff=True)
    client.force_login(clerk)
    assert client.get("/admin/catalog/serviceitem/export/").status_code == 403
    assert client.get("/admin/notifications/outboxmessage/stats/").status_code == 403
