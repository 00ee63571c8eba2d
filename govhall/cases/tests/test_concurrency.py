"""Real threads, real PostgreSQL transactions: gapless case numbers under 8 clerks, one
decision out of two simultaneous ones, the deemed-acceptance sweep run by two workers."""

from __future__ import annotations

import threading

import pytest
import time_machine
from django.db import connection
from django.test import Client

from govhall.cases import services
from govhall.cases.models import Case, CaseEvent
from govhall.notifications.models import OutboxMessage
from govhall.org.testing import make_user

from .conftest import at, intake

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


def test_eight_clerks_get_unique_gapless_numbers(center, item, clerk):
    clerks = [clerk] + [make_user(f"clerk-{i}", ("clerk", center)) for i in range(7)]
    per_clerk = 3

    def take(i: int) -> list[str]:
        return [
            intake(center, item, clerks[i], i * 10 + k, now=at(2026, 3, 6, 10)).case.number
            for k in range(per_clerk)
        ]

    results = run(8, take)
    assert all(isinstance(r, list) for r in results), results
    numbers = sorted(n for r in results for n in r)
    assert numbers == [f"HL-C01-2026-{s:06d}" for s in range(1, 8 * per_clerk + 1)]
    assert Case.objects.count() == 24


def test_two_approvers_deciding_at_once_one_wins_the_other_409(
    center, item, department, clerk, approver
):
    second = make_user("approver-2", ("approver", center, department))
    case = intake(center, item, clerk, now=at(2026, 3, 6, 10)).case
    users = [approver, second]
    decisions = ["accept", "reject"]

    def decide(i: int):
        client = Client()
        client.force_login(users[i])
        response = client.post(
            f"/api/v1/cases/{case.number}/decision",
            {"decision": decisions[i], "reason": "不符合受理条件"},
            content_type="application/json",
        )
        return response.status_code, response.json()

    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        results = run(2, decide)
    codes = sorted(code for code, _ in results)
    assert codes == [200, 409], results
    loser = next(body for code, body in results if code == 409)
    assert loser["code"] == "invalid_transition"
    case.refresh_from_db()
    assert case.status in {"accepted", "rejected"}
    assert CaseEvent.objects.filter(case=case).exclude(action="received").count() == 1
    assert (
        OutboxMessage.objects.filter(template__in=["case_accepted", "case_rejected"]).count() == 1
    )


def test_deemed_sweep_by_two_workers_changes_and_tells_each_case_once(center, item, clerk):
    cases = [intake(center, item, clerk, n, now=at(2026, 3, 2, 9)).case for n in range(30)]
    later = at(2026, 3, 10, 0, 1)  # due 9 March has closed

    results = run(2, lambda i: services.cases_deem_accepted(now=later, batch_size=7))
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == len(cases)
    assert Case.objects.filter(status="deemed_accepted", deemed=True).count() == len(cases)
    assert CaseEvent.objects.filter(action="deemed_accepted").count() == len(cases)
    told = OutboxMessage.objects.filter(template="case_deemed_accepted")
    assert told.count() == len(cases)
    assert len(set(told.values_list("related_id", flat=True))) == len(cases)


def test_a_sweep_batch_locks_only_its_cases_not_their_item(center, item, clerk):
    """While a batch is open, the item its cases join to stays free: an intake of the same
    item (its foreign key takes a key-share lock on the item) does not wait for the sweep."""
    from django.db import DatabaseError, transaction

    from govhall.cases.services.deemed import _deem_batch
    from govhall.catalog.models import ServiceItem

    for n in range(3):
        intake(center, item, clerk, n, now=at(2026, 3, 2, 9))
    later = at(2026, 3, 10, 0, 1)
    claimed = threading.Event()
    release = threading.Event()

    def sweep(i: int):
        with transaction.atomic():
            moved = _deem_batch(later.date(), later, 10)
            claimed.set()
            release.wait(timeout=60)
        return moved

    def item_lock() -> str:
        claimed.wait(timeout=60)
        try:
            with transaction.atomic():
                ServiceItem.objects.select_for_update(nowait=True).get(pk=item.pk)
            return "free"
        except DatabaseError:
            return "locked"
        finally:
            release.set()
            connection.close()

    results: dict[str, object] = {}
    helper = threading.Thread(target=lambda: results.update(item=item_lock()))
    helper.start()
    results["sweep"] = run(1, sweep)[0]
    helper.join(timeout=120)
    assert results == {"item": "free", "sweep": (3, 3)}
