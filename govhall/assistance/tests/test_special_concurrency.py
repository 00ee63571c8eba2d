"""Real threads, real PostgreSQL transactions: two staff lending the same wheelchair at once
→ one loan, one 409; two staff scheduling the same request at once → one move, the other
a reschedule after it (never two "scheduled" events from "requested")."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from govhall.assistance import services
from govhall.assistance.models import AidLoan
from govhall.core.errors import Conflict
from govhall.org.testing import make_user

from .special_fixtures import *  # noqa: F403
from .special_fixtures import NOW

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


def test_two_loans_of_one_aid_at_once_one_wins(center, guide, proxy, wheelchair):
    actors = [guide, proxy]
    results = run(
        2,
        lambda i: services.aid_lend(
            aid=wheelchair, borrower_name=f"借用人{i}", actor=actors[i], now=NOW
        ),
    )
    loans = [r for r in results if isinstance(r, AidLoan)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(loans) == 1 and len(conflicts) == 1, results
    assert AidLoan.objects.filter(aid=wheelchair, returned_at__isnull=True).count() == 1


def test_many_loans_of_one_aid_at_once_one_wins(center, wheelchair):
    staff = [make_user(f"sp-guide-{i}", ("guide", center)) for i in range(4)]
    results = run(
        4,
        lambda i: services.aid_lend(
            aid=wheelchair, borrower_name=f"借用人{i}", actor=staff[i], now=NOW
        ),
    )
    assert sum(isinstance(r, AidLoan) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 3, results
    assert AidLoan.objects.count() == 1


def test_two_schedules_at_once_one_move(center, guide, proxy):
    import datetime as dt

    req = services.special_request_create(
        center=center,
        kind="accompany",
        group="elderly",
        name="王桂兰",
        phone="13812345678",
        actor=guide,
        now=NOW,
    )
    actors = [guide, proxy]
    results = run(
        2,
        lambda i: services.special_request_schedule(
            request=req,
            scheduled_at=NOW + dt.timedelta(hours=i + 1),
            staff=proxy,
            actor=actors[i],
            now=NOW,
        ),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(req.events.values_list("action", flat=True)) == [
        "requested",
        "rescheduled",
        "scheduled",
    ]
