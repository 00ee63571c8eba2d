import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govhall.org.models import Department, Role, RoleAssignment, User, Window
from govhall.org.selectors import invalidate_scope, scope_for
from govhall.org.testing import make_user, make_window

pytestmark = pytest.mark.django_db


def test_clerk_of_county_a_does_not_see_county_b(tree):
    clerk = make_user("clerk-a", (Role.CLERK, tree["a"]))
    make_window(tree["a"], "1")
    make_window(tree["b"], "1")
    scope = scope_for(clerk)
    assert scope.sees_center(tree["a"].id)
    assert not scope.sees_center(tree["b"].id)
    assert not scope.sees_center(tree["city"].id)
    windows = scope.filter(Window.objects.all())
    assert {w.center_id for w in windows} == {tree["a"].id}
    assert scope.has_role(Role.CLERK, tree["a"].id)
    assert not scope.has_role(Role.CLERK, tree["b"].id)
    assert not scope.is_admin


def test_city_manager_sees_its_counties_not_the_province(tree):
    manager = make_user("manager-c", (Role.MANAGER, tree["city"]))
    scope = scope_for(manager)
    for key in ("city", "a", "b"):
        assert scope.sees_center(tree[key].id), key
        assert scope.has_role(Role.MANAGER, tree[key].id), key
    assert not scope.sees_center(tree["province"].id)
    assert set(scope.centers()) == {tree["city"], tree["a"], tree["b"]}


def test_approver_sees_only_their_department_rows(tree):
    approver = make_user("approver-a", (Role.APPROVER, tree["a"], tree["a_scjg"]))
    scope = scope_for(approver)
    assert scope.department_bound
    rows = scope.filter(Department.objects.all(), center_field="center", department_field="id")
    assert list(rows) == [tree["a_scjg"]]
    # The same department code in another county is not theirs.
    assert tree["b_scjg"] not in rows
    # Window rows through their department field.
    w_scjg = make_window(tree["a"], "7", Window.Kind.DOMAIN, department=tree["a_scjg"])
    make_window(tree["a"], "8", Window.Kind.DOMAIN, department=tree["a_rsj"])
    make_window(tree["a"], "1")
    visible = scope.filter(Window.objects.all(), department_field="department")
    assert list(visible) == [w_scjg]


def test_approver_who_is_also_clerk_elsewhere_is_bound_only_where_approver(tree):
    user = make_user("mixed", (Role.APPROVER, tree["a"], tree["a_scjg"]), (Role.CLERK, tree["b"]))
    make_window(tree["a"], "7", Window.Kind.DOMAIN, department=tree["a_scjg"])
    make_window(tree["a"], "8", Window.Kind.DOMAIN, department=tree["a_rsj"])
    make_window(tree["b"], "1")
    make_window(tree["b"], "2", Window.Kind.DOMAIN, department=tree["b_scjg"])
    visible = scope_for(user).filter(Window.objects.all(), department_field="department")
    assert {(w.center_id, w.number) for w in visible} == {
        (tree["a"].id, "7"),
        (tree["b"].id, "1"),
        (tree["b"].id, "2"),
    }


def test_superuser_sees_everything_admin_role_only_own_centers(tree):
    root = make_user("root", superuser=True)
    assert scope_for(root).is_admin
    assert scope_for(root).sees_center(tree["province"].id)
    every = {make_window(tree["a"], "1").pk, make_window(tree["b"], "1").pk}
    assert {w.pk for w in scope_for(root).filter(Window.objects.all())} == every
    assert {
        w.pk for w in scope_for(root).filter(Window.objects.all(), department_field="department")
    } == every
    local_admin = make_user("admin-a", (Role.ADMIN, tree["a"]))
    scope = scope_for(local_admin)
    assert not scope.is_admin
    assert scope.administers(tree["a"].id)
    assert not scope.administers(tree["b"].id)
    assert not scope.sees_center(tree["b"].id)


def test_anonymous_and_roleless_users_see_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    make_window(tree["a"], "1")
    assert not scope_for(AnonymousUser()).filter(Window.objects.all()).exists()
    assert not scope_for(None).sees_center(tree["a"].id)
    nobody = make_user("nobody")
    assert not scope_for(nobody).filter(Window.objects.all()).exists()
    assert not scope_for(nobody).filter(Window.objects.all(), department_field="department")


def test_inactive_user_sees_nothing(tree):
    user = make_user("gone", (Role.CLERK, tree["a"]), is_active=False)
    assert not scope_for(user).sees_center(tree["a"].id)


def test_scope_is_memoised_per_user_object(tree):
    clerk = make_user("clerk-a", (Role.CLERK, tree["a"]))
    first = scope_for(clerk)
    with CaptureQueriesContext(connection) as queries:
        assert scope_for(clerk) is first
    assert len(queries) == 0
    # A fresh object (the next request) shares it for SCOPE_CACHE_SECONDS, without queries.
    again = User.objects.get(pk=clerk.pk)
    with CaptureQueriesContext(connection) as queries:
        assert scope_for(again) == first
    assert len(queries) == 0


def test_shared_scopes_expire_and_follow_role_changes(tree, settings):
    clerk = make_user("clerk-a", (Role.CLERK, tree["a"]))
    first = scope_for(User.objects.get(pk=clerk.pk))
    # A role given in this process is seen by the next request at once (signal).
    RoleAssignment.objects.create(user=clerk, role=Role.CLERK, center=tree["b"])
    assert scope_for(User.objects.get(pk=clerk.pk)).sees_center(tree["b"].id)
    assert not first.sees_center(tree["b"].id)
    # A deactivated account loses its roles even while the shared scope is fresh.
    User.objects.filter(pk=clerk.pk).update(is_active=False)  # no signal on purpose
    assert not scope_for(User.objects.get(pk=clerk.pk)).roles
    # With the cache switched off every request builds its own.
    settings.SCOPE_CACHE_SECONDS = 0
    User.objects.filter(pk=clerk.pk).update(is_active=True)
    fresh = User.objects.get(pk=clerk.pk)
    with CaptureQueriesContext(connection) as queries:
        scope_for(fresh)
    assert len(queries) >= 1


def test_role_assign_invalidates_the_memo(tree):
    from govhall.org import services

    clerk = make_user("clerk-a", (Role.CLERK, tree["a"]))
    assert not scope_for(clerk).sees_center(tree["b"].id)
    services.role_assign(user=clerk, role=Role.CLERK, center=tree["b"], actor=None)
    assert scope_for(clerk).sees_center(tree["b"].id)
    invalidate_scope(clerk)
    assert scope_for(clerk).sees_center(tree["b"].id)


def test_sees_one_row_by_the_rule_of_filter(tree):
    """scope.sees(center, department) answers for one row what filter(...,
    department_field=...) answers for a queryset."""
    approver = scope_for(make_user("sees-approver", (Role.APPROVER, tree["a"], tree["a_scjg"])))
    assert approver.sees(tree["a"].id, tree["a_scjg"].id)
    assert not approver.sees(tree["a"].id, tree["a_rsj"].id)
    assert not approver.sees(tree["a"].id, None)  # a general window: not theirs
    assert not approver.sees(tree["a"].id)
    assert not approver.sees(tree["b"].id, tree["a_scjg"].id)  # their department, elsewhere
    assert not approver.sees(tree["b"].id, tree["b_scjg"].id)
    clerk = scope_for(make_user("sees-clerk", (Role.CLERK, tree["a"])))
    assert clerk.sees(tree["a"].id) and clerk.sees(tree["a"].id, tree["a_rsj"].id)
    assert not clerk.sees(tree["b"].id) and not clerk.sees(tree["b"].id, tree["b_scjg"].id)
    root = scope_for(make_user("sees-root", superuser=True))
    assert root.sees(tree["b"].id) and root.sees(tree["province"].id, None)
    nobody = scope_for(None)
    assert not nobody.sees(tree["a"].id) and not nobody.sees(tree["a"].id, tree["a_scjg"].id)


def test_has_any_role_at_a_center_and_anywhere(tree):
    scope = scope_for(make_user("any-role", (Role.GUIDE, tree["a"]), (Role.CLERK, tree["b"])))
    assert scope.has_any_role({Role.GUIDE, Role.MANAGER}, tree["a"].id)
    assert not scope.has_any_role({Role.CLERK, Role.MANAGER}, tree["a"].id)
    assert scope.has_any_role({Role.CLERK, Role.MANAGER}, tree["b"].id)
    assert scope.has_any_role({Role.CLERK})  # anywhere
    assert not scope.has_any_role({Role.MANAGER, Role.APPROVER})
    assert not scope.has_any_role(set())


def test_centers_with_role_names_only_the_centers_of_that_role(tree):
    """Work that belongs to a role (phone-call tasks, 7.x) is shown where the user holds
    that role — inherited down the tree — not everywhere the user holds any role."""
    user = make_user(
        "two-hats", (Role.MANAGER, tree["city"]), (Role.APPROVER, tree["a"], tree["a_scjg"])
    )
    scope = scope_for(user)
    assert scope.centers_with_role({Role.MANAGER}) == {tree["city"].id, tree["a"].id, tree["b"].id}
    assert scope.centers_with_role(frozenset({Role.APPROVER})) == {tree["a"].id}
    assert scope.centers_with_role({Role.CLERK}) == frozenset()
    assert scope.centers_with_role({Role.CLERK, Role.APPROVER}) == {tree["a"].id}
    assert scope.centers_with_role(set()) == frozenset()
