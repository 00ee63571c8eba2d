import pytest
from django.utils import timezone

from govhall.core.models import AuditEntry
from govhall.org.models import Role, User
from govhall.org.testing import TEST_PASSWORD, make_user
from govhall.org.workbench import Screen, register_screen, screens_for, unregister_screen

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk_screen():
    register_screen(
        Screen(
            key="test.console",
            title="测试叫号台",
            url_name="org:password_change",
            roles={Role.CLERK},
            description="测试用",
            group="窗口业务",
        )
    )
    yield
    unregister_screen("test.console")


def test_workbench_requires_login(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_workbench_lists_screens_of_the_users_roles(client, tree, clerk_screen):
    clerk = make_user("clerk-a", (Role.CLERK, tree["a"]), display_name="王丽娟")
    client.force_login(clerk)
    html = client.get("/staff/").content.decode()
    assert "王丽娟" in html and "综合窗口人员 · 甲县中心" in html
    assert "测试叫号台" in html and "窗口业务" in html
    assert "人员与窗口" not in html
    assert "退出登录" in html


def test_workbench_manager_sees_people_screen(client, tree):
    manager = make_user("manager-a", (Role.MANAGER, tree["a"]))
    client.force_login(manager)
    html = client.get("/staff/").content.decode()
    assert "人员与窗口" in html and "/admin/org/user/" in html


def test_workbench_without_screens_says_so(client, tree, clerk_screen, monkeypatch):
    # Other apps register guide screens; this test is about a role that has none.
    from govhall.org import workbench

    monkeypatch.setattr(
        workbench, "_SCREENS", {k: v for k, v in workbench._SCREENS.items() if k == "test.console"}
    )
    guide = make_user("guide-a", (Role.GUIDE, tree["a"]))
    client.force_login(guide)
    assert [s.key for s in screens_for({Role.GUIDE})] == []
    html = client.get("/staff/").content.decode()
    assert "暂无可用功能" in html


def test_superuser_sees_every_screen(client, clerk_screen):
    keys = {s.key for s in screens_for(set(), is_admin=True)}
    assert {"test.console", "org.people", "org.centers"} <= keys


def test_admin_unlock_action(client, tree):
    root = make_user("root", superuser=True)
    locked = make_user("clerk-a", (Role.CLERK, tree["a"]))
    User.objects.filter(pk=locked.pk).update(
        locked_until=timezone.now() + timezone.timedelta(minutes=10), failed_logins=0
    )
    client.force_login(root)
    listing = client.get("/admin/org/user/?locked=yes").content.decode()
    assert "clerk-a" in listing and "已锁定至" in listing
    response = client.post(
        "/admin/org/user/", {"action": "unlock_accounts", "_selected_action": [locked.pk]}
    )
    assert response.status_code == 302
    locked.refresh_from_db()
    assert locked.locked_until is None
    assert AuditEntry.objects.filter(action="govhall.org.user.unlocked").count() == 1


def test_admin_pages_render(client, tree):
    from govhall.org import demo

    demo.load(__import__("io").StringIO())
    client.force_login(User.objects.get(username="admin"))
    for url in [
        "/admin/org/user/",
        "/admin/org/center/",
        "/admin/org/department/",
        "/admin/org/zone/",
        "/admin/org/window/",
        "/admin/org/center/?q=青松",
        f"/admin/org/user/{User.objects.get(username='clerk1').pk}/change/",
        f"/admin/org/center/{tree['a'].pk}/change/",
    ]:
        assert client.get(url).status_code == 200, url


def test_manager_reads_admin_scoped_to_own_center(client, tree):
    manager = make_user("manager-a", (Role.MANAGER, tree["a"]), is_staff=True)
    make_user("clerk-a", (Role.CLERK, tree["a"]))
    make_user("clerk-b", (Role.CLERK, tree["b"]))
    client.force_login(manager)
    listing = client.get("/admin/org/user/").content.decode()
    assert "clerk-a" in listing and "clerk-b" not in listing
    centers = client.get("/admin/org/center/").content.decode()
    assert "甲县中心" in centers and "乙县中心" not in centers
    # Managers read; only admins (role or superuser) change.
    clerk_a = User.objects.get(username="clerk-a")
    response = client.post(f"/admin/org/user/{clerk_a.pk}/change/", {"username": "x"})
    assert response.status_code == 403


def test_admin_inline_role_change_goes_through_services(client, tree):
    local_admin = make_user("admin-a", (Role.ADMIN, tree["a"]), is_staff=True)
    target = make_user("newbie", (Role.GUIDE, tree["a"]))
    client.force_login(local_admin)
    url = f"/admin/org/user/{target.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        {
            "home_window": "",
            "roles-TOTAL_FORMS": "2",
            "roles-INITIAL_FORMS": "1",
            "roles-MIN_NUM_FORMS": "0",
            "roles-MAX_NUM_FORMS": "1000",
            "roles-0-id": str(target.roles.get().pk),
            "roles-0-user": str(target.pk),
            "roles-0-role": Role.GUIDE,
            "roles-0-center": str(tree["a"].pk),
            "roles-0-department": "",
            "roles-1-user": str(target.pk),
            "roles-1-role": Role.APPROVER,
            "roles-1-center": str(tree["a"].pk),
            "roles-1-department": "",
        }
    )
    data.pop("photo", None)
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = client.post(url, data)
    # Approver without department: the form says so, nothing saved.
    assert response.status_code == 200
    assert "审批人员须指定所属部门" in response.content.decode()
    data["roles-1-department"] = str(tree["a_scjg"].pk)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(target.roles.values_list("role", flat=True)) == {Role.GUIDE, Role.APPROVER}
    assert AuditEntry.objects.filter(action="govhall.org.role.assigned").count() == 1


def test_admin_adds_a_user_with_the_standard_password_form(client):
    root = make_user("root", superuser=True)
    client.force_login(root)
    page = client.get("/admin/org/user/add/")
    assert page.status_code == 200
    response = client.post(
        "/admin/org/user/add/",
        {
            "username": "newclerk",
            "display_name": "新同事",
            "usable_password": "true",
            "password1": "123",
            "password2": "123",
        },
    )
    assert response.status_code == 200  # weak password refused
    assert not User.objects.filter(username="newclerk").exists()
    response = client.post(
        "/admin/org/user/add/",
        {
            "username": "newclerk",
            "display_name": "新同事",
            "usable_password": "true",
            "password1": "Qs-Window#2026",
            "password2": "Qs-Window#2026",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="newclerk").check_password("Qs-Window#2026")


def test_admin_login_answers_alike_for_wrong_passwords_unknown_names_and_non_staff(client):
    make_user("root", superuser=True)
    make_user("clerk1")  # right password, but not staff
    attempts = [("root", "wrong"), ("nobody", "wrong"), ("clerk1", TEST_PASSWORD)]
    for username, password in attempts:
        response = client.post(
            "/admin/login/?next=/admin/", {"username": username, "password": password}
        )
        assert list(response.context["form"].non_field_errors()) == [
            "用户名或密码不正确，或连续输错后须稍候再试。"
        ]


def test_local_admin_adds_user_then_assigns_role_in_own_center(client, tree):
    local_admin = make_user("admin-a", (Role.ADMIN, tree["a"]), is_staff=True)
    client.force_login(local_admin)
    response = client.post(
        "/admin/org/user/add/",
        {
            "username": "newclerk",
            "display_name": "新同事",
            "usable_password": "true",
            "password1": "Qs-Window#2026",
            "password2": "Qs-Window#2026",
        },
    )
    assert response.status_code == 302
    new = User.objects.get(username="newclerk")
    assert client.get(response["Location"]).status_code == 200
    page = client.get(f"/admin/org/user/{new.pk}/change/")
    centers = page.context["inline_admin_formsets"][0].formset.forms[0].fields["center"]
    assert set(centers.queryset) == {tree["a"]}
    assert not new.is_staff
