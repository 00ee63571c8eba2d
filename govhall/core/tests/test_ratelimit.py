"""Rate limits of the anonymous channels (core.ratelimit), idempotency scope per caller,
and hall devices signed in with their token (core.devices). Time is moved, never waited."""

import datetime as dt
import json

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from govhall.core.devices import COOKIE
from govhall.core.models import IdempotencyRecord
from govhall.core.tests.test_api import fields_of, problem_of, token_for
from govhall.org.testing import make_user
from govhall.queueing.models import Ticket
from govhall.queueing.tests.conftest import WORKDAY_10, make_queue

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue():
    return make_queue("RL-1")


@pytest.fixture
def limited(settings):
    settings.RATE_LIMIT_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "ticket": ("10/60", "300/60")}
    cache.clear()
    yield settings
    cache.clear()


def issue(client, center="RL-1", **extra):
    body = json.dumps({"center": center, "category": "A", "channel": "mobile"})
    return client.post("/api/v1/tickets", body, content_type="application/json", **extra)


def accepted_in_ten_seconds(client, **extra) -> int:
    """Anonymous tickets one client gets accepted in 10 s: a request every 20 ms."""
    accepted = 0
    with time_machine.travel(WORKDAY_10, tick=False) as clock:
        for _ in range(500):
            accepted += issue(client, **extra).status_code == 201
            clock.shift(dt.timedelta(milliseconds=20))
    return accepted


def test_one_anonymous_client_gets_ten_tickets_in_ten_seconds_not_five_hundred(
    client, queue, limited
):
    assert accepted_in_ten_seconds(client) == 10
    assert Ticket.objects.count() == 10


def test_without_limits_one_client_got_every_ticket_it_asked_for(client, queue, settings):
    settings.RATE_LIMIT_ENABLED = False  # the landed behaviour: the figure "before"
    assert accepted_in_ten_seconds(client) == 500


def test_over_the_limit_is_429_problem_json_with_retry_after_in_chinese(client, queue, limited):
    with time_machine.travel(WORKDAY_10 + dt.timedelta(seconds=15), tick=False) as clock:
        for _ in range(10):
            assert issue(client).status_code == 201
        response = issue(client)
        body = problem_of(response, 429)
        assert body["code"] == "rate_limited"
        assert response["Retry-After"] == "45"
        assert "45 秒后重试" in body["detail"]
        clock.shift(dt.timedelta(seconds=45))
        assert issue(client).status_code == 201


def test_the_limit_is_per_client_and_per_center(client, queue, limited):
    limited.RATE_LIMITS = {**limited.RATE_LIMITS, "ticket": ("10/60", "15/60")}
    with time_machine.travel(WORKDAY_10, tick=False):
        for _ in range(10):
            assert issue(client, REMOTE_ADDR="10.0.0.1").status_code == 201
        problem_of(issue(client, REMOTE_ADDR="10.0.0.1"), 429)
        for _ in range(5):
            assert issue(client, REMOTE_ADDR="10.0.0.2").status_code == 201
        # The center's 15 a minute are used up: a third client is refused too.
        problem_of(issue(client, REMOTE_ADDR="10.0.0.3"), 429)
    assert Ticket.objects.count() == 15


def test_behind_a_proxy_the_forwarded_client_is_counted(client, queue, limited):
    limited.FORWARDED_PROXY_COUNT = 1
    with time_machine.travel(WORKDAY_10, tick=False):
        for _ in range(10):
            assert issue(client, HTTP_X_FORWARDED_FOR="1.2.3.4").status_code == 201
        problem_of(issue(client, HTTP_X_FORWARDED_FOR="1.2.3.4"), 429)
        assert issue(client, HTTP_X_FORWARDED_FOR="5.6.7.8").status_code == 201


def test_devices_and_staff_share_the_hall_address_without_being_limited(client, queue, limited):
    device = make_user("rl-kiosk", ("device", queue.center), is_device=True)
    key = token_for(device.username)
    with time_machine.travel(WORKDAY_10, tick=False):
        for _ in range(12):
            assert issue(client, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 201
        # The kiosk page, signed in at /device/ with the same token.
        kiosk = Client()
        response = kiosk.post("/device/", {"token": key, "next": "/kiosk/?center=RL-1"})
        assert response.status_code == 302 and response["Location"] == "/kiosk/?center=RL-1"
        for _ in range(12):
            response = kiosk.post("/kiosk/issue/", {"center": "RL-1", "category": "A"})
            assert response.status_code == 302, response.content
        # An anonymous browser at the same address is limited: its 11th is a 429 page.
        browser = Client()
        for _ in range(10):
            assert browser.post("/kiosk/issue/", {"center": "RL-1", "category": "A"}).status_code
        page = browser.post("/kiosk/issue/", {"center": "RL-1", "category": "A"})
        assert page.status_code == 429 and "操作过于频繁" in page.content.decode()
        assert page["Retry-After"] == "60"
    assert Ticket.objects.filter(channel="kiosk").count() == 22


def test_a_bad_device_token_is_refused_and_signs_nothing_in(client, queue):
    clerk_key = token_for(queue.clerk1.username)  # a person's token is not a device's
    for token in ("undefined", clerk_key):
        response = client.post("/device/", {"token": token})
        assert response.status_code == 422
        assert "令牌无效" in response.content.decode()
        assert COOKIE not in response.cookies or not response.cookies[COOKIE].value


def test_booking_pages_answer_429_over_their_limits(client, queue, limited):
    limited.RATE_LIMITS = {**limited.RATE_LIMITS, "sms_code": ("2/600", None)}
    with time_machine.travel(WORKDAY_10, tick=False):
        codes = [client.post("/booking/sms-code/", {"phone": "13800000000"}) for _ in range(3)]
    assert codes[2].status_code == 429
    assert codes[2].json()["code"] == "rate_limited"
    assert codes[2]["Retry-After"] == "600"


# --- Idempotency-Key scope ------------------------------------------------------------------


def test_another_anonymous_client_never_gets_a_replay_of_my_ticket(client, queue):
    mine = issue(client, REMOTE_ADDR="10.0.0.1", HTTP_IDEMPOTENCY_KEY="same-key")
    again = issue(client, REMOTE_ADDR="10.0.0.1", HTTP_IDEMPOTENCY_KEY="same-key")
    assert again["Idempotent-Replayed"] == "true" and again.json() == mine.json()
    theirs = issue(client, REMOTE_ADDR="10.0.0.2", HTTP_IDEMPOTENCY_KEY="same-key")
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs
    assert theirs.json()["id"] != mine.json()["id"]
    assert theirs.json()["status_url"] != mine.json()["status_url"]
    assert Ticket.objects.count() == 2


def test_an_invalid_bearer_header_shares_no_scope(client, queue):
    bad = {"HTTP_AUTHORIZATION": "Bearer undefined", "HTTP_IDEMPOTENCY_KEY": "k"}
    first = issue(client, REMOTE_ADDR="10.0.0.1", **bad)
    second = issue(client, REMOTE_ADDR="10.0.0.2", **bad)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    scopes = set(IdempotencyRecord.objects.values_list("scope", flat=True))
    assert len(scopes) == 2 and all(s.startswith("anonymous:") for s in scopes)


def test_a_token_scope_is_the_checked_token_and_a_session_is_its_user(client, queue):
    key = token_for(queue.clerk1.username)
    issue(client, HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_IDEMPOTENCY_KEY="t")
    staff = Client()
    staff.force_login(queue.clerk1)
    issue(staff, HTTP_IDEMPOTENCY_KEY="t")
    scopes = sorted(IdempotencyRecord.objects.values_list("scope", flat=True))
    assert [s.split(":")[0] for s in scopes] == ["token", "user"]
    assert f"user:{queue.clerk1.pk}" in scopes


def test_an_idempotency_key_too_long_names_the_header(client, queue):
    body = problem_of(issue(client, HTTP_IDEMPOTENCY_KEY="x" * 201), 422)
    assert fields_of(body) == ["Idempotency-Key"]
