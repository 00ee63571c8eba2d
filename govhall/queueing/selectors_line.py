"""The ordering rule of the queue (docs/queueing.md "Who is called next") and the line
reads of every call: the heads of a window's lines and the "three ahead" position.

The two hot reads are constant SELECT texts (`raw()` and a cursor read; writes stay ORM):
building and compiling the same ORM query on every call cost more than the index probe
it sends (cProfile of 办结并叫下一位: the lines' heads were 43 % of the call's CPU, the SQL
0.19 ms of it)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Q, QuerySet

from govhall.core.caching import ProcessCache
from govhall.org.models import Window
from govhall.queueing.models import Ticket, WindowSkill

# A category's line: priority group and appointment tickets (rank 0) first, then everyone
# else (rank 1), each by original issue time (kept across transfers), then by id. It is the
# order of the ticket_line_idx index, so a line's head is one index probe.
LINE_ORDER = ("rank", "original_issued_at", "id")
_ORDER_SQL = 'ORDER BY "rank", "original_issued_at", "id"'

# The head of a skill's line (ticket_line_idx) and of the tickets transferred to a window
# (ticket_target_line_idx), all columns: the call writes and answers with the row.
_SKILL_HEAD = (
    'SELECT * FROM "queueing_ticket" WHERE "category_id" = %s AND "day" = %s '
    'AND "status" = \'waiting\' AND "target_window_id" IS NULL ' + _ORDER_SQL + " LIMIT 1"
)
_TRANSFERRED_HEAD = (
    'SELECT * FROM "queueing_ticket" WHERE "target_window_id" = %s AND "day" = %s '
    'AND "status" = \'waiting\' AND "center_id" = %s ' + _ORDER_SQL + " LIMIT 1"
)
# PostgreSQL's claim: a row another window's transaction holds is passed over.
_CLAIM = " FOR UPDATE SKIP LOCKED"
# The waiting ticket with a number of people ahead of it in the category's line.
_POSITION = (
    'SELECT "id", "phone", "near_sms_sent" FROM "queueing_ticket" WHERE "category_id" = %s '
    'AND "day" = %s AND "status" = \'waiting\' ' + _ORDER_SQL + " LIMIT 1 OFFSET %s"
)

# Which lines a window serves, from its skills: rows that change only in the admin, read
# on every call, so each process keeps them a few seconds (cleared at once in the process
# that saves a skill).
_skills = ProcessCache("queue-window-skills", seconds=5.0, clear_on=(WindowSkill,))


def window_skills(window_id: int) -> tuple[tuple[int, bool], ...]:
    """(category id, is primary) of each category the window serves."""
    return _skills.get(
        window_id,
        lambda: tuple(
            WindowSkill.objects.filter(window_id=window_id).values_list("category_id", "is_primary")
        ),
    )


def window_order_key(ticket: Ticket, window_id: int, primary: frozenset[int]) -> tuple:
    """THE ordering rule of a window's candidates, smallest first:
    1. rank 0 (priority group or appointment) across all the window's skills, by time;
    2. then the primary category's tickets and those transferred to this window, by time;
    3. then the other skills' tickets, by time.
    'Time' is the original issue time (kept across transfers); ties go to the lower id."""
    if ticket.rank == 0:
        tier = 0
    elif ticket.target_window_id == window_id or ticket.category_id in primary:
        tier = 1
    else:
        tier = 2
    return (tier, ticket.original_issued_at, ticket.pk)


def window_candidates(window: Window, day: dt.date) -> QuerySet[Ticket]:
    """Every waiting ticket the window may call (unordered: window_next picks by the rule)."""
    skills = [category_id for category_id, _primary in window_skills(window.pk)]
    return Ticket.objects.filter(
        Q(category_id__in=skills, target_window__isnull=True) | Q(target_window_id=window.pk),
        center_id=window.center_id,
        day=day,
        status=Ticket.Status.WAITING,
    )


def window_next(window: Window, day: dt.date, *, claim: bool = False) -> Ticket | None:
    """The ticket the window calls next by window_order_key, or None when nobody waits.

    Each line the window calls from (one per skill, and the tickets transferred to it) is
    in LINE_ORDER, which agrees with the rule within a line (rank 0 before the rest), so
    the best candidate is the best of the lines' heads: each head is one index probe
    however long the line.

    `claim` (PostgreSQL): each head is taken `FOR UPDATE SKIP LOCKED`, so windows calling
    at the same instant get different tickets instead of waiting for each other; the rows
    stay locked until the caller's transaction ends (a window with several skills holds
    the heads it did not choose that long too: another window calling meanwhile takes the
    next in those lines). On SQLite the caller's transaction holds the write lock already."""
    lock = _CLAIM if claim else ""
    skills = window_skills(window.pk)
    heads = []
    for category_id, _primary in skills:
        heads.extend(Ticket.objects.raw(_SKILL_HEAD + lock, [category_id, day]))
    heads.extend(Ticket.objects.raw(_TRANSFERRED_HEAD + lock, [window.pk, day, window.center_id]))
    if not heads:
        return None
    primary = frozenset(c for c, is_primary in skills if is_primary)
    return min(heads, key=lambda t: window_order_key(t, window.pk, primary))


def line_position(category_id: int, day: dt.date, position: int) -> tuple | None:
    """(id, phone, near_sms_sent) of the waiting ticket with `position` people ahead of it
    in the category's line."""
    with connection.cursor() as cursor:
        cursor.execute(_POSITION, [category_id, day, position])
        return cursor.fetchone()
