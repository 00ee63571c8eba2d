"""27.9: API tokens have a default and maximum lifetime, are never issued to or accepted
for superusers, device tokens reach only what a device does, expiry edits are audited."""

import datetime as dt
import json
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from govhall.core.models import ApiToken, AuditEntry
from govhall.org.models import Role
from govhall.org.testing import make_center, make_user

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def token_for(username, *args) -> str:
    out = StringIO()
    call_command("create_api_token", username, *args, stdout=out)
    return out.getvalue().strip()


def test_tokens_last_180_days_by_default_and_at_most(db):
    make_user("clerk1")
    with time_machine.travel(T0, tick=False):
        token_for("clerk1")
        token = ApiToken.objects.get()
        assert token.expires_at == T0 + dt.timedelta(days=180)
        with pytest.raises(CommandError):
            token_for("clerk1", "--days", "181")
    # A token stored without an end (before the limit existed) ends 180 days after creation.
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None)
    token.refresh_from_db()
    assert not token.is_expired(token.created_at + dt.timedelta(days=179))
    assert token.is_expired(token.created_at + dt.timedelta(days=180))


def test_no_tokens_for_superusers(client):
    make_user("root", superuser=True)
    with pytest.raises(CommandError):
        token_for("root")
    assert not ApiToken.objects.exists()
    # One made before the rule is refused at the door.
    key = "gh_made-before-the-rule-000000000000000"
    root = make_user("root")
    ApiToken.objects.create(user=root, prefix=key[:10], key_hash=ApiToken.hash_key(key))
    response = client.get("/api/v1/windows", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401


def test_a_board_token_cannot_check_in_or_read_staff_listings(client):
    center = make_center()
    make_user("board1", (Role.DEVICE, center), is_device=True)
    key = token_for("board1", "--scope", "display")
    assert ApiToken.objects.get().scopes == ["display"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    response = client.post("/api/v1/appointments/ANY/check-in", **auth)
    assert response.status_code == 401
    assert json.loads(response.content)["code"] == "unauthenticated"
    assert client.get("/api/v1/windows", **auth).status_code == 401
    # What it is for still works.
    assert client.get(f"/api/v1/display/{center.code}", **auth).status_code == 200


def test_device_scopes_are_checked_at_creation(db):
    make_user("kiosk1", is_device=True)
    with pytest.raises(CommandError):
        token_for("kiosk1", "--scope", "admin")
    token_for("kiosk1")
    assert ApiToken.objects.get().scopes == ["checkin", "display", "evaluate", "issue"]


def test_expiry_edits_are_audited_and_capped(client):
    root = make_user("root", superuser=True)
    make_user("clerk1")
    with time_machine.travel(T0, tick=False):
        token_for("clerk1", "--days", "30")
        token = ApiToken.objects.get()
        client.force_login(root)
        url = f"/admin/core/apitoken/{token.pk}/change/"
        later = timezone.localtime(T0 + dt.timedelta(days=400))
        data = {
            "label": "x",
            "expires_at_0": later.strftime("%Y-%m-%d"),
            "expires_at_1": later.strftime("%H:%M:%S"),
        }
        response = client.post(url, data)
        assert response.status_code == 200  # refused: beyond 180 days
        token.refresh_from_db()
        assert token.expires_at == T0 + dt.timedelta(days=30)
        sooner = timezone.localtime(T0 + dt.timedelta(days=10))
        data["expires_at_0"], data["expires_at_1"] = (
            sooner.strftime("%Y-%m-%d"),
            sooner.strftime("%H:%M:%S"),
        )
        assert client.post(url, data).status_code == 302
    token.refresh_from_db()
    assert token.expires_at == T0 + dt.timedelta(days=10)
    entry = AuditEntry.objects.get(action="govhall.core.api_token.expiry_changed")
    assert entry.actor_id == root.pk
    assert entry.data == {
        "prefix": token.prefix,
        "from": (T0 + dt.timedelta(days=30)).isoformat().replace("+00:00", "Z"),
        "to": (T0 + dt.timedelta(days=10)).isoformat().replace("+00:00", "Z"),
    }
