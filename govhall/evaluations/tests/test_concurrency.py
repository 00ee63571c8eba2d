"""Real threads, real PostgreSQL transactions: ten simultaneous submissions of the same
signed link make one rating (and one rectification); two invitation workers send once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client

from govhall.core.errors import Conflict
from govhall.evaluations import services, tokens
from govhall.evaluations.models import Invitation, Rating, Rectification
from govhall.evaluations.tests.conftest import WORKDAY, finish_ticket
from govhall.notifications.models import OutboxMessage

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run(n: int, target) -> list:
    barrier = threading.Barrier(n)
    results: list = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            outcome = target(i)
        except Exception as exc:  # recorded, and the assertions name it
            outcome = exc
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return results


def test_ten_simultaneous_submissions_of_one_token_make_one_rating(h, time_machine):
    time_machine.move_to(WORKDAY, tick=False)
    ticket = finish_ticket(h)
    token = tokens.make_token("ticket", ticket.pk, now=WORKDAY, days=15)

    def submit(i: int) -> int:
        response = Client().post(
            "/api/v1/evaluations",
            {"token": token, "channel": "sms" if i % 2 else "device", "level": 1 + i % 5},
            content_type="application/json",
        )
        return response.status_code

    codes = run(10, submit)
    assert sorted(codes) == [201] + [409] * 9, codes
    assert Rating.objects.filter(matter_key=f"ticket:{ticket.pk}").count() == 1
    rating = Rating.objects.get()
    assert Rectification.objects.count() == (1 if rating.is_bad else 0)


def test_ten_simultaneous_service_calls_one_rating(h):
    ticket = finish_ticket(h)

    def submit(i: int):
        return services.rating_submit(
            kind="ticket", matter_id=ticket.pk, channel="online", level=1, now=WORKDAY
        )

    results = run(10, submit)
    assert sum(isinstance(r, Rating) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 9, results
    assert Rectification.objects.count() == 1


def test_two_invitation_workers_send_once(h):
    for _ in range(3):
        finish_ticket(h)
    later = WORKDAY + dt.timedelta(minutes=5)
    results = run(2, lambda i: services.invitations_send(now=later))
    assert all(isinstance(r, int) for r in results) and sum(results) == 3, results
    assert Invitation.objects.count() == 3
    assert OutboxMessage.objects.filter(template="evaluation_invite").count() == 3
