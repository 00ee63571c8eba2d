"""The queue's ordering rule, over random lines (hypothesis): the order in which a window
calls (selectors.window_next, one call after another) equals the documented rule
(docs/queueing.md "Who is called next"), written out here independently:

1. rank 0 (priority group or appointment) across all the window's skills;
2. then the window's primary category and the tickets transferred to this window;
3. then its other skills;

each by original issue time, then id. Tickets of categories the window does not serve,
or sent to another window, are never called by it."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govhall.queueing import selectors
from govhall.queueing.models import Channel, Ticket, TicketEvent, WindowSkill
from govhall.queueing.tests.conftest import WORKDAY, at, make_queue

pytestmark = pytest.mark.django_db

# One ticket: (category letter, rank, minute of issue, sent to: None / "w1" / "w2").
TICKETS = st.lists(
    st.tuples(
        st.sampled_from("ABC"),
        st.sampled_from([0, 1]),
        st.integers(min_value=0, max_value=30),
        st.sampled_from([None, None, None, "w1", "w2"]),
    ),
    max_size=14,
)
# The window's skills: a non-empty subset of A, B, C and which of them is primary.
SKILLS = st.lists(st.sampled_from("ABC"), min_size=1, max_size=3, unique=True).flatmap(
    lambda letters: st.tuples(st.just(letters), st.sampled_from(letters))
)


def documented_order(tickets: list[Ticket], window_pk: int, skills: set[int], primary: int):
    def serves(t: Ticket) -> bool:
        if t.target_window_id is not None:
            return t.target_window_id == window_pk
        return t.category_id in skills

    def key(t: Ticket) -> tuple:
        if t.rank == 0:
            tier = 0
        elif t.target_window_id == window_pk or t.category_id == primary:
            tier = 1
        else:
            tier = 2
        return (tier, t.original_issued_at, t.pk)

    return [t.pk for t in sorted(filter(serves, tickets), key=key)]


@pytest.fixture
def q(db):
    return make_queue("ORD-1")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tickets=TICKETS, skills=SKILLS)
def test_window_calls_in_the_documented_order(q, tickets, skills):
    letters, primary_letter = skills
    TicketEvent.objects.all().delete()
    Ticket.objects.all().delete()
    WindowSkill.objects.filter(window=q.w1).delete()
    for order, letter in enumerate(letters):
        WindowSkill.objects.create(
            window=q.w1,
            category=q.cats[letter],
            is_primary=letter == primary_letter,
            order=order,
        )
    windows = {"w1": q.w1, "w2": q.w2}
    rows = [
        Ticket.objects.create(
            center=q.center,
            category=q.cats[letter],
            number=f"{letter}{i:03d}",
            day=WORKDAY,
            seq=i,
            rank=rank,
            channel=Channel.KIOSK,
            target_window=windows[target] if target else None,
            issued_at=at(9, minute),
            original_issued_at=at(9, minute),
        )
        for i, (letter, rank, minute, target) in enumerate(tickets, start=1)
    ]
    expected = documented_order(
        rows,
        q.w1.pk,
        {q.cats[letter].pk for letter in letters},
        q.cats[primary_letter].pk,
    )
    called = []
    while (ticket := selectors.window_next(q.w1, WORKDAY)) is not None:
        called.append(ticket.pk)
        Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.CALLED)
        assert len(called) <= len(rows)
    assert called == expected


def test_the_other_days_lines_are_not_called(q):
    Ticket.objects.create(
        center=q.center,
        category=q.cats["A"],
        number="A001",
        day=WORKDAY - dt.timedelta(days=1),
        seq=1,
        channel=Channel.KIOSK,
        issued_at=at(9),
        original_issued_at=at(9),
    )
    assert selectors.window_next(q.w1, WORKDAY) is None
