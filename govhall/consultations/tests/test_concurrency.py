"""Real threads, real PostgreSQL transactions: the overdue sweep run by two workers at once
alerts once per level; two staff replying to one consultation at once: one reply, one 409."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from govhall.consultations import services
from govhall.consultations.models import Consultation, OverdueAlert
from govhall.core.errors import InvalidTransition
from govhall.notifications.models import OutboxMessage

from .conftest import at, ledgered

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


def test_two_workers_alert_once_per_level(center, consultant, manager):
    for n in range(6):
        ledgered(center, consultant, now=at(2026, 3, 2, 9), question=f"问题{n}")
    results = run(2, lambda i: services.consultations_flag_overdue(now=at(2026, 3, 20, 9)))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 12  # 6 consultations x levels 1 and 2, whoever claimed them
    assert OverdueAlert.objects.count() == 6 * 2 * 2  # x owner and manager
    assert OutboxMessage.objects.filter(template="consultation_overdue").count() == 24
    assert set(Consultation.objects.values_list("overdue_level", flat=True)) == {2}
    assert services.consultations_flag_overdue(now=at(2026, 3, 20, 10)) == 0


def test_two_simultaneous_replies_one_wins(center, consultant, clerk):
    c = ledgered(center, consultant, now=at(2026, 3, 2, 9))
    actors = [consultant, clerk]
    results = run(
        2,
        lambda i: services.consultation_reply(
            consultation=Consultation.objects.get(pk=c.pk),
            answer=f"答复{i}",
            channel="sms",
            actor=actors[i],
        ),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], InvalidTransition), results
    assert OutboxMessage.objects.filter(template="consultation_reply").count() == 1
    assert Consultation.objects.get(pk=c.pk).replied_at is not None
