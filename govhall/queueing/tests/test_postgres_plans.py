"""The plans PostgreSQL runs the queue's busiest statements with.

A plan once read the ticket a window finishes through (window, day) and filtered every
ticket the window had ever had — 8,100 of them in the load bench, 1.6 ms of a 2 ms
statement, growing all year. This test lets window 1 serve tickets after the statistics
were taken, then runs each statement that issue, call-next, 办结并叫下一位 and finish sent
with EXPLAIN ANALYZE and fails on any scan of the tickets that reads rows only to throw
them away."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from govhall.queueing import selectors, services
from govhall.queueing.models import Channel, Ticket
from govhall.queueing.tests.conftest import WORKDAY, at

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="PostgreSQL only"),
]

EARLIER = 5000  # tickets of earlier days never served at a window: the table statistics see
LINE_C = 200  # and this morning's line at window 3
SERVED = 60  # tickets window 1 finishes after that, before the statements are looked at
WAITING = 40
# A scan may skip the odd row (the ticket being finished, when asking whether the window
# holds another one); history shows up as dozens.
MOST_ROWS_SKIPPED = 3
# The ticket table itself (not queueing_ticketcounter, queueing_ticketevent…).
TICKET_SCAN = re.compile(r" on queueing_ticket\b(?!\w)")
TICKET_SEQ_SCAN = re.compile(r"Seq Scan on queueing_ticket\b")


def _plan(sql: str) -> list[str]:
    """EXPLAIN ANALYZE of a statement as it was sent (values in it); its writes rolled back."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE) {sql}")
        plan = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)
    return plan


def _wasteful_ticket_scans(plan: list[str]) -> list[str]:
    """Scans of queueing_ticket that filtered out more than a few rows, or read it all."""
    found = []
    node = ""
    for line in plan:
        if "->" in line or not node:  # a plan node (the first line is the top one)
            node = line
        if TICKET_SEQ_SCAN.search(line):
            found.append(line.strip())
        removed = re.search(r"Rows Removed by Filter: (\d+)", line)
        if removed and TICKET_SCAN.search(node) and int(removed[1]) > MOST_ROWS_SKIPPED:
            found.append(f"{node.strip()} — {line.strip()}")
    return found


def _cancelled_or_waiting(q, seq: int, day: dt.date, issued: dt.datetime, status: str) -> Ticket:
    return Ticket(
        center=q.center,
        category=q.cats["C"],
        number=services.ticket_number("C", seq),
        day=day,
        seq=seq,
        channel=Channel.KIOSK,
        status=status,
        issued_at=issued,
        original_issued_at=issued,
    )


def _tickets_never_at_a_window(q) -> None:
    """Rows of earlier days that no window served (cancelled when their day closed), a
    line of people at window 3, and statistics taken now: a busy table whose statistics
    know nothing yet of tickets at windows — as in a new center's first days, or the load
    bench, where the bad plan was found (prepared on a connection's first call, kept for
    the connection's life)."""
    tickets = []
    for seq in range(1, EARLIER + 1):
        day = WORKDAY - dt.timedelta(days=1 + seq % 20)
        tickets.append(_cancelled_or_waiting(q, seq, day, at(9, day=day), Ticket.Status.CANCELLED))
    for seq in range(1, LINE_C + 1):
        tickets.append(_cancelled_or_waiting(q, seq, WORKDAY, at(8, 30), Ticket.Status.WAITING))
    Ticket.objects.bulk_create(tickets, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def test_queue_statements_read_no_history(q):
    _tickets_never_at_a_window(q)
    services.window_open(window=q.w1, actor=q.clerk1, now=at(8, 30))
    for i in range(SERVED):
        minute = at(8, 31) + dt.timedelta(seconds=15 * i)
        services.ticket_issue(center=q.center, category=q.cats["A"], now=minute)
        called = services.window_call_next(window=q.w1, actor=q.clerk1, now=minute)
        services.ticket_finish(ticket=called, actor=q.clerk1, now=minute)
    for i in range(WAITING):
        services.ticket_issue(center=q.center, category=q.cats["A"], now=at(9, i // 10))

    with CaptureQueriesContext(connection) as log:
        issued = services.ticket_issue(center=q.center, category=q.cats["A"], now=at(9, 10))
        selectors.ticket_ahead(issued)
        ticket = services.window_call_next(window=q.w1, actor=q.clerk1, now=at(9, 11))
        _, ticket = services.window_finish_and_call_next(
            window=q.w1, ticket_id=ticket.pk, actor=q.clerk1, now=at(9, 12)
        )
        services.ticket_finish(ticket=ticket, actor=q.clerk1, now=at(9, 13))

    reads = [
        query["sql"]
        for query in log.captured_queries
        if '"queueing_ticket"' in query["sql"]
        and query["sql"].lstrip().startswith(("SELECT", "UPDATE"))
    ]
    assert len(reads) >= 6, reads  # the line's heads, the claim, the finish, the line read…
    problems = []
    for sql in dict.fromkeys(reads):
        plan = _plan(sql)
        if _wasteful_ticket_scans(plan):
            problems.append("\n".join([sql, *plan]))
    assert not problems, "\n\n".join(problems)
