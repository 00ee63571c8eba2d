import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.forms import PasswordChangeForm

from govhall.org.models import User
from govhall.org.testing import TEST_PASSWORD, make_user

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
# A Friday morning; the lock ends at 10:15.
T0 = dt.datetime(2026, 2, 13, 10, 0, tzinfo=SH)
LOGIN = "/staff/login/"


def _login(client, username, password, ip="10.0.0.8"):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, follow=False
    )


def _errors(response) -> list[str]:
    return list(response.context["form"].non_field_errors())


def test_five_wrong_passwords_lock_and_the_message_says_until_when(client):
    make_user("clerk1")
    with time_machine.travel(T0, tick=False):
        for attempt in range(1, 5):
            response = _login(client, "clerk1", "wrong")
            assert response.status_code == 200
            assert "用户名或密码不正确" in _errors(response)[0]
            assert User.objects.get(username="clerk1").failed_logins == attempt
        response = _login(client, "clerk1", "wrong")
        assert _errors(response) == ["账号已锁定，请于10:15后再试。"]
        user = User.objects.get(username="clerk1")
        assert user.locked_until == T0 + dt.timedelta(minutes=15)
        assert "账号已锁定，请于10:15后再试" in response.content.decode()


def test_right_password_refused_while_locked_then_accepted_after_15_minutes(client):
    make_user("clerk1")
    with time_machine.travel(T0, tick=False):
        for _ in range(5):
            _login(client, "clerk1", "wrong")
    with time_machine.travel(T0 + dt.timedelta(minutes=14, seconds=59), tick=False):
        response = _login(client, "clerk1", TEST_PASSWORD)
        assert response.status_code == 200
        assert _errors(response) == ["账号已锁定，请于10:15后再试。"]
        assert "_auth_user_id" not in client.session
        # Attempts during the lock do not extend it.
        assert User.objects.get(username="clerk1").locked_until == T0 + dt.timedelta(minutes=15)
    with time_machine.travel(T0 + dt.timedelta(minutes=15), tick=False):
        response = _login(client, "clerk1", TEST_PASSWORD)
        assert response.status_code == 302
        assert response["Location"] == settings.LOGIN_REDIRECT_URL
        user = User.objects.get(username="clerk1")
        assert user.locked_until is None and user.failed_logins == 0


def test_failures_are_per_account_not_per_ip(client):
    make_user("clerk1")
    make_user("clerk2")
    with time_machine.travel(T0, tick=False):
        for _ in range(5):
            _login(client, "clerk1", "wrong", ip="10.0.0.1")
        # Same IP (the hall shares one), other account: unaffected.
        response = _login(client, "clerk2", TEST_PASSWORD, ip="10.0.0.1")
        assert response.status_code == 302
        client.post("/staff/logout/")
        # Locked account stays locked from any other IP.
        response = _login(client, "clerk1", TEST_PASSWORD, ip="10.9.9.9")
        assert response.status_code == 200
        assert User.objects.get(username="clerk2").failed_logins == 0


def test_success_resets_the_counter(client):
    make_user("clerk1")
    with time_machine.travel(T0, tick=False):
        for _ in range(4):
            _login(client, "clerk1", "wrong")
        assert User.objects.get(username="clerk1").failed_logins == 4
        assert _login(client, "clerk1", TEST_PASSWORD).status_code == 302
        assert User.objects.get(username="clerk1").failed_logins == 0
        client.post("/staff/logout/")
        for _ in range(4):
            _login(client, "clerk1", "wrong")
        # Four after a success: still not locked (the count started again).
        assert _login(client, "clerk1", TEST_PASSWORD).status_code == 302


def test_unknown_username_does_not_fail(client):
    with time_machine.travel(T0, tick=False):
        for _ in range(6):
            response = _login(client, "nobody", "wrong")
            assert "用户名或密码不正确" in _errors(response)[0]


def test_idle_session_is_logged_out(client):
    make_user("clerk1")
    idle = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    with time_machine.travel(T0, tick=False):
        assert _login(client, "clerk1", TEST_PASSWORD).status_code == 302
        assert client.get("/staff/").status_code == 200
    # Activity renews the session (SESSION_SAVE_EVERY_REQUEST): two gaps just under the limit.
    with time_machine.travel(T0 + idle - dt.timedelta(minutes=1), tick=False):
        assert client.get("/staff/").status_code == 200
    with time_machine.travel(T0 + 2 * idle - dt.timedelta(minutes=2), tick=False):
        assert client.get("/staff/").status_code == 200
    # Idle longer than SESSION_COOKIE_AGE: back to the login page.
    with time_machine.travel(T0 + 3 * idle, tick=False):
        response = client.get("/staff/")
        assert response.status_code == 302
        assert response["Location"].startswith(settings.LOGIN_URL)


def test_password_change_form_refuses_weak_password():
    user = make_user("clerk1")
    for weak in ["12345678901", "password123", "abcdefghijk", "Short1!"]:
        form = PasswordChangeForm(
            user, {"old_password": TEST_PASSWORD, "new_password1": weak, "new_password2": weak}
        )
        assert not form.is_valid(), weak
        assert "new_password2" in form.errors
    strong = "Qs-Window#2026"
    form = PasswordChangeForm(
        user, {"old_password": TEST_PASSWORD, "new_password1": strong, "new_password2": strong}
    )
    assert form.is_valid(), form.errors


def test_password_change_page_changes_and_audits(client):
    from govhall.core.models import AuditEntry

    user = make_user("clerk1")
    client.force_login(user)
    response = client.post(
        "/staff/password/",
        {"old_password": TEST_PASSWORD, "new_password1": "abc", "new_password2": "abc"},
    )
    assert response.status_code == 200
    assert "密码" in response.content.decode()
    strong = "Qs-Window#2026"
    response = client.post(
        "/staff/password/",
        {"old_password": TEST_PASSWORD, "new_password1": strong, "new_password2": strong},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(strong)
    assert AuditEntry.objects.filter(action="govhall.org.user.password_changed").count() == 1


def test_logout_is_post_only(client):
    client.force_login(make_user("clerk1"))
    assert client.get("/staff/logout/").status_code == 405
    response = client.post("/staff/logout/")
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 302
