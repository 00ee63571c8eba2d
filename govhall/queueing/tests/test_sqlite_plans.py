"""The query plans SQLite makes for the queue's busiest statements.

SQLite keeps no statistics here, so between two indexes that both fit it may take the
worse one: it once read "does this window hold a ticket?" through (window, day), that is,
every ticket the window had served. PostgreSQL's plans of the same statements are checked
in test_postgres_plans.py."""

import re

import pytest
from django.conf import settings
from django.db import connection

from govhall.queueing import selectors, services
from govhall.queueing.tests.conftest import at

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not settings.IS_SQLITE, reason="SQLite backend only"),
]

# queueing_ticket under its own name or the statements' aliases of it
TICKET_SCAN = re.compile(r"SCAN (queueing_ticket|[tqc])\b")


class _Recorder:
    """An execute wrapper (Django's public hook) keeping each statement with its
    parameters: the plan is made with them bound, as SQLite makes it at run time (a
    parameter does not prove a partial index's condition; a value written into the SQL
    would)."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, tuple]] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)


def _plans(statements: list[tuple[str, tuple]]) -> list[tuple[str, list[str]]]:
    """(statement, its plan lines) for every recorded statement that reads the tickets."""
    found = []
    for sql, params in statements:
        if '"queueing_ticket"' not in sql or not sql.lstrip().startswith(("SELECT", "UPDATE")):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            found.append((sql, [row[3] for row in cursor.fetchall()]))
    return found


def test_hot_statements_read_no_history(q):
    """Every statement of issue, call-next, 办结并叫下一位, finish and the windows' state
    reads only what it needs: no scan of the tickets, and a window's or center's tickets
    only per day."""

    def issue(minute: int) -> None:
        services.ticket_issue(center=q.center, category=q.cats["A"], now=at(9, minute))

    services.window_open(window=q.w1, actor=q.clerk1, now=at(9))
    for minute in range(3):
        issue(minute)
    recorder = _Recorder()
    with connection.execute_wrapper(recorder):
        issue(4)
        ticket = services.window_call_next(window=q.w1, actor=q.clerk1, now=at(9, 5))
        _, ticket = services.window_finish_and_call_next(
            window=q.w1, ticket_id=ticket.pk, actor=q.clerk1, now=at(9, 6)
        )
        services.ticket_finish(ticket=ticket, actor=q.clerk1, now=at(9, 7))
        selectors.windows_state(q.center)  # the managers' dashboard, the console
    plans = _plans(recorder.statements)
    # The line's head and position go through the line index, with every column bound.
    assert any(
        "ticket_line_idx (category_id=? AND day=? AND status=?)" in line
        for _, p in plans
        for line in p
    ), plans
    # "Does this window hold a ticket?" and the windows' current numbers: today's only.
    assert any("ticket_window_day_idx" in line for _, p in plans for line in p), plans
    for sql, plan in plans:
        for line in plan:
            assert not TICKET_SCAN.match(line), (sql, plan)
            if "ticket_window_day_idx" in line or "ticket_center_day_idx" in line:
                assert "day=?" in line, (sql, plan)
