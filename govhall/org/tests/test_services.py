import datetime as dt

import pytest
from django.utils import timezone

from govhall.core.errors import Forbidden, InvalidInput
from govhall.core.models import AuditEntry
from govhall.org import services
from govhall.org.models import Role, RoleAssignment
from govhall.org.testing import make_user

pytestmark = pytest.mark.django_db


def test_user_unlock_clears_lock_and_is_audited(tree):
    now = timezone.now()
    user = make_user("clerk1", (Role.CLERK, tree["a"]))
    user.locked_until = now + dt.timedelta(minutes=10)
    user.failed_logins = 3
    user.save()
    actor = make_user("root", superuser=True)
    services.user_unlock(user=user, actor=actor, now=now)
    user.refresh_from_db()
    assert user.locked_until is None and user.failed_logins == 0
    entry = AuditEntry.objects.get(action="govhall.org.user.unlocked")
    assert entry.actor == actor and entry.data == {"was_locked": True}


def test_a_manager_lifts_a_delay_in_their_center_only(tree):
    now = timezone.now()
    clerk_a = make_user("clerk-a", (Role.CLERK, tree["a"]))
    type(clerk_a).objects.filter(pk=clerk_a.pk).update(
        locked_until=now + dt.timedelta(seconds=60), failed_logins=9
    )
    clerk_a.refresh_from_db()
    manager_b = make_user("manager-b", (Role.MANAGER, tree["b"]))
    with pytest.raises(Forbidden):
        services.user_unlock(user=clerk_a, actor=manager_b, now=now)
    manager_a = make_user("manager-a", (Role.MANAGER, tree["a"]))
    services.user_unlock(user=clerk_a, actor=manager_a, now=now)
    clerk_a.refresh_from_db()
    assert (clerk_a.failed_logins, clerk_a.locked_until) == (0, None)
    entry = AuditEntry.objects.get(action="govhall.org.user.unlocked")
    assert (entry.actor_id, entry.data) == (manager_a.pk, {"was_locked": True})


def test_role_assign_rules_and_audit(tree):
    root = make_user("root", superuser=True)
    user = make_user("someone")
    with pytest.raises(InvalidInput) as exc:
        services.role_assign(user=user, role=Role.APPROVER, center=tree["a"], actor=root)
    assert exc.value.errors[0]["field"] == "department"
    with pytest.raises(InvalidInput):
        services.role_assign(
            user=user, role=Role.APPROVER, center=tree["a"], department=tree["b_scjg"], actor=root
        )
    with pytest.raises(InvalidInput):
        services.role_assign(user=user, role="emperor", center=tree["a"], actor=root)
    services.role_assign(user=user, role=Role.MANAGER, center=tree["a"], actor=root)
    services.role_assign(user=user, role=Role.MANAGER, center=tree["a"], actor=root)
    assert RoleAssignment.objects.filter(user=user).count() == 1
    assert AuditEntry.objects.filter(action="govhall.org.role.assigned").count() == 1
    user.refresh_from_db()
    assert user.is_staff  # managers use the admin site


def test_local_admin_assigns_only_in_own_centers(tree):
    local_admin = make_user("admin-a", (Role.ADMIN, tree["a"]))
    user = make_user("someone")
    services.role_assign(user=user, role=Role.CLERK, center=tree["a"], actor=local_admin)
    with pytest.raises(Forbidden):
        services.role_assign(user=user, role=Role.CLERK, center=tree["b"], actor=local_admin)
    clerk = make_user("clerk-a", (Role.CLERK, tree["a"]))
    with pytest.raises(Forbidden):
        services.role_assign(user=user, role=Role.GUIDE, center=tree["a"], actor=clerk)


def test_role_revoke_is_audited(tree):
    root = make_user("root", superuser=True)
    user = make_user("clerk-a", (Role.CLERK, tree["a"]))
    assignment = RoleAssignment.objects.get(user=user)
    services.role_revoke(assignment=assignment, actor=root)
    assert not RoleAssignment.objects.filter(user=user).exists()
    entry = AuditEntry.objects.get(action="govhall.org.role.revoked")
    assert entry.data["role"] == Role.CLERK and entry.data["center"] == "A"
