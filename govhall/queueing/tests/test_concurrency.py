"""Real threads, on SQLite and PostgreSQL: call-next never hands one ticket to two windows,
and concurrent kiosks never get duplicate or missing numbers."""

import threading
from collections import Counter

import pytest
from django.conf import settings
from django.db import close_old_connections, connection

from govhall.org.testing import make_user, make_window
from govhall.queueing import services
from govhall.queueing.models import Ticket, TicketCounter, TicketEvent, WindowSkill
from govhall.queueing.tests.conftest import at, make_queue

pytestmark = [pytest.mark.django_db(transaction=True)]

THREADS = 8
# SQLite serialises every write: 240 a thread keeps its run short; PostgreSQL takes 300.
PER_THREAD = 300 if settings.IS_POSTGRES else 240


def run_threads(target, n):
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def wrapper(i):
        try:
            barrier.wait()
            target(i)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=wrapper, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]


def open_windows(q, category, prefix: str) -> tuple[list, list]:
    """THREADS windows serving `category`, each with its own clerk signed in."""
    windows, clerks = [], []
    for i in range(THREADS):
        w = make_window(q.center, f"{prefix}{i}")
        WindowSkill.objects.get_or_create(window=w, category=category, is_primary=True)
        clerk = make_user(f"{prefix.lower()}-clerk{i}", ("clerk", q.center))
        services.window_open(window=w, actor=clerk, now=at(9, 30))
        windows.append(w)
        clerks.append(clerk)
    return windows, clerks


def test_call_next_each_ticket_exactly_once():
    q = make_queue("QT-CC")
    total = THREADS * PER_THREAD
    category = q.cats["A"]
    for i in range(total):
        services.ticket_issue(
            center=q.center,
            category=category,
            now=at(9, 0),
            priority_group="elderly" if i % 10 == 0 else None,
        )
    windows, clerks = open_windows(q, category, "C")
    got: dict[int, list[int]] = {i: [] for i in range(THREADS)}

    def work(i):
        for _ in range(PER_THREAD):
            t = services.window_call_next(window=windows[i], actor=clerks[i], now=at(10))
            assert t is not None, "a waiting ticket was skipped"
            got[i].append(t.pk)
            services.ticket_finish(ticket=t, actor=clerks[i], now=at(10, 1))

    run_threads(work, THREADS)
    served = [pk for ids in got.values() for pk in ids]
    assert len(served) == total
    assert len(set(served)) == total, "a ticket was handed to two windows"
    assert not Ticket.objects.filter(status="waiting").exists()
    assert Ticket.objects.filter(status="done").count() == total
    counter = TicketCounter.objects.get(category=category)  # kept by triggers, under load
    assert (counter.waiting_first, counter.waiting_rest) == (0, 0)
    calls = Counter(TicketEvent.objects.filter(action="call").values_list("ticket_id", flat=True))
    assert set(calls.values()) == {1}
    # Every window got a share: the calls really ran side by side.
    assert all(len(ids) == PER_THREAD for ids in got.values())


def test_finish_and_call_next_each_ticket_exactly_once():
    """The one-key 办结并叫下一位 (one statement each on PostgreSQL), 8 windows at once."""
    q = make_queue("QT-FC")
    per_thread = 100
    total = THREADS * per_thread
    category = q.cats["A"]
    for _ in range(total):
        services.ticket_issue(center=q.center, category=category, now=at(9, 0))
    windows, clerks = open_windows(q, category, "F")
    got: dict[int, list[int]] = {i: [] for i in range(THREADS)}

    def work(i):
        held = services.window_call_next(window=windows[i], actor=clerks[i], now=at(10))
        while held is not None:
            got[i].append(held.pk)
            finished, held = services.window_finish_and_call_next(
                window=windows[i], ticket_id=held.pk, actor=clerks[i], now=at(10, 1)
            )
            assert finished.status == "done"

    run_threads(work, THREADS)
    served = [pk for ids in got.values() for pk in ids]
    assert len(served) == total and len(set(served)) == total
    assert Ticket.objects.filter(status="done").count() == total
    calls = Counter(TicketEvent.objects.filter(action="call").values_list("ticket_id", flat=True))
    finishes = Counter(
        TicketEvent.objects.filter(action="finish").values_list("ticket_id", flat=True)
    )
    assert set(calls.values()) == {1} and set(finishes.values()) == {1}
    assert len(calls) == total
    assert all(got.values()), "every window took part"


def test_concurrent_issue_numbers_unique_and_gapless():
    q = make_queue("QT-CI")
    per_thread = PER_THREAD

    places: dict[str, list[int]] = {"A": [], "B": []}

    def work(i):
        letter = "A" if i % 2 else "B"
        for _ in range(per_thread):
            ticket = services.ticket_issue(center=q.center, category=q.cats[letter], now=at(9, 0))
            places[letter].append(ticket.issued_ahead)

    run_threads(work, THREADS)
    total = THREADS // 2 * per_thread
    for letter in "AB":
        # Nobody is called: the k-th ticket of a line had k-1 people ahead, once each.
        assert sorted(places[letter]) == list(range(total))
        counter = TicketCounter.objects.get(category=q.cats[letter])
        assert (counter.last, counter.waiting_first, counter.waiting_rest) == (total, 0, total)
        seqs = sorted(Ticket.objects.filter(category=q.cats[letter]).values_list("seq", flat=True))
        assert seqs == list(range(1, total + 1))
        numbers = Ticket.objects.filter(category=q.cats[letter]).values_list("number", flat=True)
        assert len(set(numbers)) == len(seqs)
