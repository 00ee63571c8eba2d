import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.forms import PasswordChangeForm
from django.utils import timezone

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


REFUSED = "用户名或密码不正确，或连续输错后须稍候再试。"


def _actions(prefix: str = "govhall.org.login") -> list[tuple[str, dict]]:
    from govhall.core.models import AuditEntry

    return [
        (e.action, e.data)
        for e in AuditEntry.objects.filter(action__startswith=prefix).order_by("pk")
    ]


def test_a_delay_grows_per_failure_and_attempts_during_it_are_not_counted(client):
    make_user("clerk1")
    with time_machine.travel(T0, tick=False):
        for attempt in range(1, 4):  # LOGIN_FREE_FAILURES: no delay yet
            assert _errors(_login(client, "clerk1", "wrong")) == [REFUSED]
            user = User.objects.get(username="clerk1")
            assert (user.failed_logins, user.locked_until) == (attempt, None)
        _login(client, "clerk1", "wrong")
        user = User.objects.get(username="clerk1")
        assert (user.failed_logins, user.locked_until) == (4, T0 + dt.timedelta(seconds=5))
        # During the delay even the right password is refused, with the same answer.
        assert _errors(_login(client, "clerk1", TEST_PASSWORD)) == [REFUSED]
        assert User.objects.get(username="clerk1").failed_logins == 4
    with time_machine.travel(T0 + dt.timedelta(seconds=5), tick=False):
        _login(client, "clerk1", "wrong")
        assert User.objects.get(username="clerk1").locked_until == T0 + dt.timedelta(seconds=15)
    assert [a for a, _ in _actions()] == [
        "govhall.org.login.failed",
        "govhall.org.login.failed",
        "govhall.org.login.failed",
        "govhall.org.login.failed",
        "govhall.org.login.delayed",
        "govhall.org.login.refused",
        "govhall.org.login.failed",
        "govhall.org.login.delayed",
    ]


def test_an_outsider_holds_an_account_back_one_minute_at_most(client):
    """27.5: the landed code locked clerk1 for 15 minutes after five wrong passwords from
    anywhere, repeatably. Now 50 wrong passwords cost the owner at most a minute."""
    make_user("clerk1")
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(50):
            _login(client, "clerk1", "wrong", ip="203.0.113.9")
            clock.shift(dt.timedelta(seconds=7))
        user = User.objects.get(username="clerk1")
        assert user.locked_until - timezone.now() <= dt.timedelta(seconds=60)
        clock.move_to(user.locked_until)
        response = _login(client, "clerk1", TEST_PASSWORD)
        assert response.status_code == 302
        user = User.objects.get(username="clerk1")
        assert (user.failed_logins, user.locked_until) == (0, None)


def test_unknown_names_get_the_same_answer_and_cost_one_hash(client, monkeypatch):
    from django.contrib.auth.hashers import MD5PasswordHasher

    make_user("clerk1")
    hashed = []
    original = MD5PasswordHasher.encode
    monkeypatch.setattr(
        MD5PasswordHasher, "encode", lambda self, *a: hashed.append(1) or original(self, *a)
    )
    with time_machine.travel(T0, tick=False):
        for _ in range(6):
            real = _login(client, "clerk1", "wrong")
            unknown = _login(client, "nobody", "wrong")
            assert _errors(real) == _errors(unknown) == [REFUSED]
    # Twelve attempts, twelve hashes: delayed and unknown names cost what a check costs.
    assert len(hashed) == 12
    assert User.objects.get(username="clerk1").failed_logins == 4


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
        # The delayed account stays delayed from any other IP.
        response = _login(client, "clerk1", TEST_PASSWORD, ip="10.9.9.9")
        assert response.status_code == 200
        assert User.objects.get(username="clerk2").failed_logins == 0


def test_success_resets_the_counter(client):
    make_user("clerk1")
    with time_machine.travel(T0, tick=False):
        for _ in range(3):
            _login(client, "clerk1", "wrong")
        assert User.objects.get(username="clerk1").failed_logins == 3
        assert _login(client, "clerk1", TEST_PASSWORD).status_code == 302
        assert User.objects.get(username="clerk1").failed_logins == 0
        client.post("/staff/logout/")
        for _ in range(3):
            _login(client, "clerk1", "wrong")
        # Three after a success: still no delay (the count started again).
        assert _login(client, "clerk1", TEST_PASSWORD).status_code == 302
    failed, ok = "govhall.org.login.failed", "govhall.org.login.succeeded"
    assert [a for a, _ in _actions("govhall.org.log")] == [
        *[failed] * 3,
        ok,
        "govhall.org.logout",
        *[failed] * 3,
        ok,
    ]


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
