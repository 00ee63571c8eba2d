"""Idempotency-Key: replays, refusals and races (core.idempotency). The scope per caller
is tested in test_ratelimit.py with the anonymous channels."""

import threading

import pytest
from django.db import connections
from django.test import Client

from govhall.core.models import AuditEntry, CalendarYear, IdempotencyRecord
from govhall.core.tests.test_api import (
    Y,
    calendar_editor,
    fields_of,
    post_json,
    problem_of,
    token_for,
    year_body,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    """Calendar admin with an API token (tokens are never for superusers)."""
    return calendar_editor("core_admin")


# --- Idempotency-Key ---------------------------------------------------------------------


def test_idempotency_same_key_same_body_replays(client, admin_user):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for('core_admin')}"}
    first = post_json(
        client, "/api/v1/calendar/years", year_body(), HTTP_IDEMPOTENCY_KEY="k1", **auth
    )
    again = post_json(
        client, "/api/v1/calendar/years", year_body(), HTTP_IDEMPOTENCY_KEY="k1", **auth
    )
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert AuditEntry.objects.filter(action="govhall.core.calendar.year_entered").count() == 1
    assert IdempotencyRecord.objects.count() == 1

    other = post_json(
        client,
        "/api/v1/calendar/years",
        year_body(notes="另一份"),
        HTTP_IDEMPOTENCY_KEY="k1",
        **auth,
    )
    body = problem_of(other, 422)
    assert fields_of(body) == ["Idempotency-Key"]
    assert CalendarYear.objects.get(year=Y).notes == year_body()["notes"]


def test_idempotency_failed_request_leaves_no_record(client, admin_user):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for('core_admin')}"}
    bad = post_json(
        client, "/api/v1/calendar/years", year_body(year=1999), HTTP_IDEMPOTENCY_KEY="k2", **auth
    )
    problem_of(bad, 422)
    assert not IdempotencyRecord.objects.exists()
    good = post_json(
        client, "/api/v1/calendar/years", year_body(), HTTP_IDEMPOTENCY_KEY="k2", **auth
    )
    assert good.status_code == 201
    assert IdempotencyRecord.objects.filter(key="k2").count() == 1


def test_idempotency_keys_are_per_caller(client, admin_user):
    calendar_editor("core_admin2")
    one = {"HTTP_AUTHORIZATION": f"Bearer {token_for('core_admin')}"}
    two = {"HTTP_AUTHORIZATION": f"Bearer {token_for('core_admin2')}"}
    post_json(client, "/api/v1/calendar/years", year_body(), HTTP_IDEMPOTENCY_KEY="k3", **one)
    response = post_json(
        client, "/api/v1/calendar/years", year_body(notes="B"), HTTP_IDEMPOTENCY_KEY="k3", **two
    )
    assert response.status_code == 201  # the other caller's key space is separate
    problem_of(
        post_json(
            client, "/api/v1/calendar/years", year_body(), HTTP_IDEMPOTENCY_KEY="x" * 201, **one
        ),
        422,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_idempotency_two_threads_same_key_make_one_change():
    calendar_editor("core_admin")
    key = token_for("core_admin")
    barrier = threading.Barrier(4)
    responses, errors = [], []

    def send() -> None:
        try:
            barrier.wait()
            response = post_json(
                Client(),
                "/api/v1/calendar/years",
                year_body(),
                HTTP_AUTHORIZATION=f"Bearer {key}",
                HTTP_IDEMPOTENCY_KEY="race",
            )
            responses.append(response)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [r.status_code for r in responses] == [201] * 4
    assert len({r.content for r in responses}) == 1
    assert sum(r.get("Idempotent-Replayed") == "true" for r in responses) == 3
    assert AuditEntry.objects.filter(action="govhall.core.calendar.year_entered").count() == 1
