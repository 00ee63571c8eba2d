"""The queue's busiest writes — issue, call-next, finish — in as few statements as possible.

Issuing a ticket writes the category's day counter, the ticket, its first event, its items
and its audit entry; a call or a finish writes the ticket, an event, the window session's
last activity, a possible end of a 空窗 incident and an audit entry. Through the ORM each is
six or more statements plus BEGIN and COMMIT, and on PostgreSQL the rows they lock (the
category's counter, the line's head) stay locked across all those round trips. Here:

- PostgreSQL: one statement each (data-modifying CTEs), run prepared. A statement is
  atomic on its own, so it needs no BEGIN/COMMIT of its own, and its row locks last only
  while the server runs it.
- SQLite: the same rows with plain statements on the raw connection (core/sqlite_backend/
  hot.py; SQLite allows no writes inside WITH), in a write transaction shared with other
  requests' queue writes (group commit); window work reads before it (see below).

Rows are the same as the step-by-step services write (tests run on both databases); the
services in govhall/queueing/services.py keep every rule and check, call these for the
usual case, and take their own path when these answer None.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

from govhall.core.audit import actor_columns, append_pending
from govhall.core.sqlite_backend import group_commit, hot
from govhall.queueing.models import (
    IdleIncident,
    Ticket,
    TicketCounter,
    TicketEvent,
    WindowSession,
    WindowSkill,
    local_day,
)

AUDIT_OBJECT_TYPE = Ticket._meta.label_lower
# The waiting status written into the statements that read the line, not passed as a
# parameter: only then may the planner use the partial index of waiting tickets
# (ticket_waiting_line_idx) in a prepared statement's generic plan, and on SQLite at all.
WAITING_SQL = f"'{Ticket.Status.WAITING}'"
# The statuses of a ticket at a window, written into the statements literally for the same
# reason: the partial index ticket_window_active_idx then answers "does this window hold a
# ticket?" with at most one entry.
ACTIVE_SQL = f"('{Ticket.Status.CALLED}', '{Ticket.Status.SERVING}')"
ACTIVE_INDEX = "ticket_window_active_idx"
# How much of a line call-next reads back: the "three ahead" text needs the 4th person
# after the call, and the called ticket may be among the first ones.
LINE_HEAD = 5


# The next number of a category and day, and how many wait in it (before the new ticket:
# the waiting counts are kept by triggers, migration 0003); the counter row stays locked
# until commit.
_COUNTER_NEXT = (
    f"INSERT INTO {TicketCounter._meta.db_table} (category_id, day, last, waiting_first, "
    "waiting_rest) VALUES (%(category)s, %(day)s, 1, 0, 0) ON CONFLICT (category_id, day) "
    f"DO UPDATE SET last = {TicketCounter._meta.db_table}.last + 1 "
    "RETURNING last, waiting_first, waiting_rest"
)


@dataclass(frozen=True)
class IssuedRow:
    id: int
    number: str
    seq: int
    # People ahead of the new ticket as it was issued: the ones waiting in its category
    # with its rank or a better one (it is the latest of its rank).
    ahead: int


def _ahead(rank: int, waiting_first: int, waiting_rest: int) -> int:
    return waiting_first if rank == 0 else waiting_first + waiting_rest


def ticket_number(letter: str, seq: int) -> str:
    """A001 … A999, then A1000: at least three digits, never truncated."""
    return f"{letter}{seq:03d}"


def fetchone(sql: str, params: dict[str, Any] | list[Any]) -> tuple | None:
    """One row of a hot read: prepared on PostgreSQL (see _fetchone_prepared)."""
    if settings.IS_POSTGRES:
        return _fetchone_prepared(sql, params)
    return hot.execute(sql, params).fetchone()


def _fetchone_prepared(sql: str, params: dict[str, Any] | list[Any]) -> tuple | None:
    """Run one of these statements as a prepared statement of the connection.

    Planning them costs the server more than running them (about 1.2 ms against 0.6 ms
    for call-next), and Django's cursors bind parameters on the client, which rules out
    prepared statements. This cursor binds on the server; psycopg prepares the statement
    on its first use on the connection and reuses it after. Only these statements use it
    (the ORM's stay as they are, so a connection pooler in transaction mode only needs
    prepared statements to be allowed for them). Parameters carry explicit casts where the
    server cannot infer their type."""
    import psycopg

    connection.ensure_connection()
    raw = connection.connection
    # Django's own cursors bind on the client and never prepare. (Planned once per
    # connection: settings.py sets plan_cache_mode=force_generic_plan for the session.)
    raw.prepare_threshold = 0
    with psycopg.Cursor(raw) as inner:
        cursor = (
            connection.make_debug_cursor(inner)
            if connection.queries_logged
            else connection.make_cursor(inner)
        )
        cursor.execute(sql, params)
        if connection.queries_logged and connection.queries_log[-1]["sql"] is None:
            # A prepared statement leaves the debug log without its text: give it one.
            connection.queries_log[-1]["sql"] = connection.ops.compose_sql(sql, params)
        return inner.fetchone()


_TICKET_PLACE_SQL = f"SELECT id, center_id, window_id FROM {Ticket._meta.db_table} WHERE id = %s"


def ticket_place(ticket_id: int) -> Ticket | None:
    """The ticket with only where it is (center, window) read, as
    Ticket.objects.only(...) would give it (other fields load if read): what the window
    actions need to find the ticket's window, at a fraction of the ORM's cost."""
    found = fetchone(_TICKET_PLACE_SQL, [ticket_id])
    if found is None:
        return None
    return Ticket.from_db(DEFAULT_DB_ALIAS, ["id", "center_id", "window_id"], found)


@functools.cache
def _issue_sql_postgres() -> str:
    ticket = Ticket._meta.db_table
    items = Ticket.items.through._meta.db_table
    event = TicketEvent._meta.db_table
    return (
        f"WITH c AS ({_COUNTER_NEXT}), "
        f"t AS (INSERT INTO {ticket} (center_id, category_id, number, day, seq, "
        "priority_group, is_appointment, appointment_code, rank, channel, phone, token, "
        "status, issued_at, original_issued_at, recall_count, near_sms_sent) "
        "SELECT %(center)s, %(category)s, %(letter)s || CASE WHEN c.last < 1000 "
        "THEN lpad(c.last::text, 3, '0') ELSE c.last::text END, %(day)s, c.last, "
        "%(group)s, %(is_appointment)s, %(appointment_code)s, %(rank)s, %(channel)s, "
        "%(phone)s, %(token)s, %(waiting)s, %(at)s, %(at)s, 0, false FROM c "
        "RETURNING id, number, seq), "
        f"e AS (INSERT INTO {event} (ticket_id, center_id, at, actor_id, from_status, "
        "to_status, action, window_id, reason) "
        "SELECT t.id, %(center)s, %(at)s, %(actor)s::bigint, '', %(waiting)s, 'issue', NULL, '' "
        "FROM t), "
        f"i AS (INSERT INTO {items} (ticket_id, serviceitem_id) "
        "SELECT t.id, %(item)s::bigint FROM t WHERE %(item)s::bigint IS NOT NULL), "
        "a AS (INSERT INTO core_auditentry (chain, seq, at, actor_id, actor_label, action, "
        "object_type, object_id, data, prev_hash, hash) "
        "SELECT %(chain)s, NULL, %(at)s, %(actor)s::bigint, %(actor_label)s, %(action)s, "
        "%(object_type)s, t.id::text, "
        "jsonb_build_object('number', t.number, 'status', %(waiting)s::text, "
        "'channel', %(channel)s::text), "
        "'', '' FROM t) "
        "SELECT t.id, t.number, t.seq, c.waiting_first, c.waiting_rest FROM t, c"
    )


def insert_issued(
    *,
    ticket: Ticket,
    letter: str,
    item_id: int | None,
    actor: Any,
    chain: str,
    action: str,
) -> IssuedRow:
    """Write an issued ticket (fields taken from the unsaved `ticket`), numbered with the
    next number of its category and day, with its event, item and audit entry."""
    actor_id, actor_label = actor_columns(actor)
    params = {
        "center": ticket.center_id,
        "category": ticket.category_id,
        "letter": letter,
        "day": connection.ops.adapt_datefield_value(ticket.day),
        "group": ticket.priority_group,
        "is_appointment": ticket.is_appointment,
        "appointment_code": ticket.appointment_code,
        "rank": ticket.rank,
        "channel": ticket.channel,
        "phone": ticket.phone,
        "token": ticket.token,
        "waiting": Ticket.Status.WAITING,
        "at": connection.ops.adapt_datetimefield_value(ticket.issued_at),
        "actor": actor_id,
        "actor_label": actor_label,
        "item": item_id,
        "chain": chain,
        "action": action,
        "object_type": AUDIT_OBJECT_TYPE,
    }
    if settings.IS_POSTGRES:
        row = _fetchone_prepared(_issue_sql_postgres(), params)
        return IssuedRow(
            id=row[0], number=row[1], seq=row[2], ahead=_ahead(ticket.rank, row[3], row[4])
        )
    return _insert_issued_sqlite(ticket, params, actor)


_INSERT_TICKET_SQL = (
    f"INSERT INTO {Ticket._meta.db_table} (center_id, category_id, number, day, seq, "
    "priority_group, is_appointment, appointment_code, rank, channel, phone, token, "
    "status, issued_at, original_issued_at, recall_count, near_sms_sent) "
    "VALUES (%(center)s, %(category)s, %(number)s, %(day)s, %(seq)s, %(group)s, "
    "%(is_appointment)s, %(appointment_code)s, %(rank)s, %(channel)s, %(phone)s, "
    "%(token)s, %(waiting)s, %(at)s, %(at)s, 0, 0) RETURNING id"
)
_INSERT_ISSUE_EVENT_SQL = (
    f"INSERT INTO {TicketEvent._meta.db_table} (ticket_id, center_id, at, actor_id, "
    "from_status, to_status, action, window_id, reason) "
    "VALUES (%s, %s, %s, %s, '', %s, 'issue', NULL, '')"
)
_INSERT_ITEM_SQL = (
    f"INSERT INTO {Ticket.items.through._meta.db_table} (ticket_id, serviceitem_id) VALUES (%s, %s)"
)


def _insert_issued_sqlite(ticket: Ticket, params: dict[str, Any], actor: Any) -> IssuedRow:
    seq, waiting_first, waiting_rest = hot.execute(_COUNTER_NEXT, params).fetchone()
    number = ticket_number(params["letter"], seq)
    ticket_id = int(
        hot.execute(_INSERT_TICKET_SQL, {**params, "number": number, "seq": seq}).fetchone()[0]
    )
    hot.execute(
        _INSERT_ISSUE_EVENT_SQL,
        [ticket_id, params["center"], params["at"], params["actor"], params["waiting"]],
    )
    if params["item"] is not None:
        hot.execute(_INSERT_ITEM_SQL, [ticket_id, params["item"]])
    append_pending(
        actor=actor,
        chain=params["chain"],
        now=ticket.issued_at,
        entries=[
            (
                params["action"],
                AUDIT_OBJECT_TYPE,
                ticket_id,
                {"number": number, "status": params["waiting"], "channel": params["channel"]},
            )
        ],
    )
    return IssuedRow(
        id=ticket_id,
        number=number,
        seq=seq,
        ahead=_ahead(ticket.rank, waiting_first, waiting_rest),
    )


# --- window work (PostgreSQL) ----------------------------------------------------------------
#
# call-next and finish by the staff member signed in at the window, each one statement. They
# answer None when their preconditions do not hold (no open session of this person, window
# paused or busy, nobody waiting, ticket in another state…): the service then takes its
# step-by-step path, which finds out which and says so, or handles the rarer cases (a
# manager acting at someone else's window).

TICKET_COLUMNS = [f.column for f in Ticket._meta.concrete_fields]
# What finish-and-call reads back of the finished ticket (its event and audit entry need
# these, the answer its id, number and status): the statement stays under psycopg's
# 4,096-character limit for caching its conversion (test_hot_statements_fit_the_cache).
# In the model's field order, as Model.from_db expects the values of a partial row.
FINISHED_COLUMNS = [
    c for c in TICKET_COLUMNS if c in {"id", "center_id", "window_id", "number", "status"}
]
TICKET_ATTNAMES = [f.attname for f in Ticket._meta.concrete_fields]


def _active_index_hint(postgres: bool) -> str:
    """How a statement reads "which ticket is at this window": SQLite has no statistics to
    tell the two indexes on window_id apart and took ticket_window_day_idx, reading every
    ticket the window ever served (51 served: 22.7 µs against 8.2 µs, growing with the
    window's history); named, it reads the at most one entry of the partial index.
    PostgreSQL picks it by itself."""
    return "" if postgres else f" INDEXED BY {ACTIVE_INDEX}"


def current_numbers(window_ids: list[int]) -> dict[int, str]:
    """The number of the ticket at each of these windows (called or serving), by window id:
    through the partial index of tickets at windows, not through a center's or window's
    tickets of every day."""
    if not window_ids:
        return {}
    index = _active_index_hint(postgres=settings.IS_POSTGRES)
    marks = ", ".join(["%s"] * len(window_ids))
    sql = (
        f"SELECT window_id, number FROM {Ticket._meta.db_table}{index} "
        f"WHERE status IN {ACTIVE_SQL} AND window_id IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, window_ids)
        return dict(cursor.fetchall())


@functools.cache
def claim_sql(postgres: bool, returning: str | None = None) -> str:
    """The statement of _claim_next: window_candidates' choice, written to read only the
    head of each of the window's categories on ticket_waiting_line_idx (one index probe per
    skill), however many people wait.

    Within one category the window's order (tier, time) follows the queue order
    (rank, time), so the best candidate is among the categories' heads and the head of
    the tickets transferred to this window; the heads are then ranked by the rule of
    window_candidates."""
    table = Ticket._meta.db_table
    if returning is None:
        returning = ", ".join(connection.ops.quote_name(c) for c in TICKET_COLUMNS)
    lock = " FOR UPDATE SKIP LOCKED" if postgres else ""
    active_index = _active_index_hint(postgres)
    head = (
        f"SELECT q.id FROM {table} q WHERE {{where}} AND q.day = %(day)s "
        f"AND q.status = {WAITING_SQL} ORDER BY q.rank, q.original_issued_at, q.id LIMIT 1{lock}"
    )
    of_category = head.format(where="q.category_id = k.category_id AND q.target_window_id IS NULL")
    heads = (
        f"SELECT ({of_category}) "
        "AS head, CASE WHEN k.is_primary THEN 1 ELSE 2 END AS tier "
        f"FROM {WindowSkill._meta.db_table} k WHERE k.window_id = %(w)s "
        f"UNION ALL SELECT ({head.format(where='q.target_window_id = %(w)s')}), 1"
    )
    choice = (
        f"SELECT t.id FROM {table} t JOIN ({heads}) h ON t.id = h.head "
        "ORDER BY CASE WHEN t.rank = 0 THEN 0 ELSE h.tier END, t.original_issued_at, t.id "
        "LIMIT 1"
    )
    return (
        f"UPDATE {table} SET status = %(called)s, window_id = %(w)s, staff_id = %(staff)s, "
        f"called_at = %(at)s WHERE id = ({choice}) "
        f"AND status = %(waiting)s AND NOT EXISTS (SELECT 1 FROM {table} c{active_index} "
        f"WHERE c.window_id = %(w)s AND c.status IN {ACTIVE_SQL}) "
        f"RETURNING {returning}"
    )


def _from_db(field: Any, value: Any) -> Any:
    """A raw column value as the ORM would give it (dates and times are text on SQLite)."""
    conn = connections[DEFAULT_DB_ALIAS]
    col, converters = _field_converters(conn.vendor, field)
    for converter in converters:
        value = converter(value, col, conn)
    return value


@functools.cache
def _field_converters(vendor: str, field: Any) -> tuple[Any, tuple]:
    # Looked up once per field: asking the backend for them on every row of every call
    # cost more than the statement that read the row.
    conn = connections[DEFAULT_DB_ALIAS]
    col = field.get_col(field.model._meta.db_table)
    found = conn.ops.get_db_converters(col) + field.get_db_converters(conn)
    return col, tuple(_utc_datetimes_in_one_step(conn, converter) for converter in found)


def _utc_datetimes_in_one_step(conn: Any, converter: Any) -> Any:
    """SQLite's datetime converter, for a database whose times are stored in UTC (the
    default), as one step: the sqlite3 module has already parsed the column into a naive
    datetime, and Django's converter then checked the type, the setting and the time zone
    on every value of every row (a ticket has five such columns)."""
    if (
        conn.vendor != "sqlite"
        or converter != conn.ops.convert_datetimefield_value
        or not settings.USE_TZ
        or conn.timezone is not dt.UTC
    ):
        return converter

    def utc_datetime(value: Any, expression: Any, connection: Any) -> Any:
        if value.__class__ is dt.datetime and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return converter(value, expression, connection)  # None, text, anything else

    return utc_datetime


def ticket_from_row(row: tuple | None) -> Ticket | None:
    """A Ticket from a raw row of TICKET_COLUMNS."""
    if row is None:
        return None
    conn = connections[DEFAULT_DB_ALIAS]  # the real wrapper, not the thread-local proxy
    values = list(row)
    for index, col, converters in _ticket_converters(conn.vendor):
        for converter in converters:
            values[index] = converter(values[index], col, conn)
    return _ticket_from_values(TICKET_ATTNAMES, values)


def _ticket_from_values(attnames: list[str], values: list | tuple) -> Ticket:
    """Ticket.from_db(…, attnames, values) for these attnames in the model's field order
    (the others deferred): what Model.__init__ leaves — each value in the instance's dict
    (a foreign key's id through its descriptor, which on a new instance only stores it) —
    without setting the fields one by one, unless something listens to the instances'
    creation."""
    if pre_init.has_listeners(Ticket) or post_init.has_listeners(Ticket):
        return Ticket.from_db(DEFAULT_DB_ALIAS, attnames, values)
    ticket = Ticket.__new__(Ticket)
    ticket.__dict__.update(zip(attnames, values, strict=True))
    state = ModelState()
    state.adding = False
    state.db = DEFAULT_DB_ALIAS
    ticket._state = state
    return ticket


@functools.cache
def _ticket_converters(vendor: str) -> list[tuple[int, Any, tuple]]:
    """(column index, column, converters) of the ticket's columns that have converters
    (8 of 25 on SQLite, none on PostgreSQL): the others are taken as read."""
    found = []
    for index, field in enumerate(Ticket._meta.concrete_fields):
        col, converters = _field_converters(vendor, field)
        if converters:
            found.append((index, col, converters))
    return found


@functools.cache
def _quoted_columns(prefix: str = "") -> str:
    return ", ".join(prefix + connection.ops.quote_name(c) for c in TICKET_COLUMNS)


def _touch_sql(row: str) -> str:
    """CTEs: staff activity on the session (when `row` has a row) ends a 'no activity'
    空窗 incident."""
    return (
        f", touched AS (UPDATE {WindowSession._meta.db_table} SET last_activity_at = %(at)s "
        f"WHERE id IN (SELECT id FROM s) AND EXISTS (SELECT 1 FROM {row})), "
        f"ended AS (UPDATE {IdleIncident._meta.db_table} "
        "SET ended_at = GREATEST(%(at)s, started_at), "
        "duration_seconds = floor(extract(epoch FROM GREATEST(%(at)s, started_at) - started_at)) "
        "WHERE window_id = %(w)s AND kind = %(no_activity)s AND ended_at IS NULL "
        f"AND EXISTS (SELECT 1 FROM {row}))"
    )


# (row source, verb, status parameter, extra data) of an audit entry written by a statement.
AUDIT_FINISH = ("done", "finish", "done", "'reason', ''")
AUDIT_CALL = ("claimed", "called", "called", "'window', %(window_number)s::text")


def _audit_sql(*entries: tuple[str, str, str, str]) -> str:
    """CTE `audited`: the audit entries of the tickets in these row sources, in order."""
    selects = [
        f"SELECT %(chain)s, NULL::bigint, %(at)s, %(staff)s::bigint, %(actor_label)s, "
        f"'govhall.queueing.ticket.{verb}', %(object_type)s, {row}.id::text, "
        f"jsonb_build_object('number', {row}.number, 'status', %({status})s::text, {extra}), "
        f"'', '' FROM {row}"
        for row, verb, status, extra in entries
    ]
    return (
        ", audited AS (INSERT INTO core_auditentry (chain, seq, at, actor_id, actor_label, "
        "action, object_type, object_id, data, prev_hash, hash) "
        + " UNION ALL ".join(selects)
        + ")"
    )


def _session_cte() -> str:
    return (
        f"WITH s AS (SELECT id FROM {WindowSession._meta.db_table} WHERE window_id = %(w)s "
        "AND staff_id = %(staff)s AND closed_at IS NULL AND state = %(open)s FOR UPDATE)"
    )


def _claimed_cte(after: str = "") -> str:
    """CTE `claimed` (the call) and its event. `after`: the CTE of a ticket this
    statement finishes first; the call then needs it done, and that ticket no longer
    counts as the window's current one."""
    claim = claim_sql(postgres=True, returning=_quoted_columns())
    if after:
        claim = claim.replace(
            "WHERE id = (", f"WHERE EXISTS (SELECT 1 FROM {after}) AND id = (", 1
        ).replace(
            f"c.status IN {ACTIVE_SQL})",
            f"c.status IN {ACTIVE_SQL} AND c.id <> %(ticket)s)",
            1,
        )
    else:
        claim = claim.replace("WHERE id = (", "WHERE EXISTS (SELECT 1 FROM s) AND id = (", 1)
    return (
        f", claimed AS ({claim}), "
        f"evented AS (INSERT INTO {TicketEvent._meta.db_table} (ticket_id, center_id, at, "
        "actor_id, from_status, to_status, action, window_id, reason) SELECT id, center_id, "
        "%(at)s, %(staff)s::bigint, %(waiting)s, %(called)s, 'call', %(w)s::bigint, '' "
        "FROM claimed)"
    )


# The head of the called ticket's category as it was before the call (a statement sees its
# starting snapshot), for the "three people ahead" text: no second query.
_LINE_HEAD_SQL = (
    "(SELECT coalesce(json_agg(json_build_array(n.id, n.phone, n.near_sms_sent, n.number) "
    "ORDER BY n.rank, n.original_issued_at, n.id), '[]') FROM (SELECT id, phone, "
    f"near_sms_sent, number, rank, original_issued_at FROM {Ticket._meta.db_table} "
    f"WHERE category_id = claimed.category_id AND day = %(day)s AND status = {WAITING_SQL} "
    "ORDER BY rank, original_issued_at, id LIMIT %(line_head)s) n)"
)


def _finished_cte(returning: str) -> str:
    """CTEs `before` and `done` (the finish, returning these columns) and its event.

    The ticket is locked by its id alone and checked after: with the window and status in
    the same WHERE, PostgreSQL's generic plan of the prepared statement read the ticket
    through ticket_window_day_idx and filtered every ticket the window had ever had (8,100
    rows, 1.6 ms of a 2 ms statement, growing all year; test_postgres_plans.py). The lock
    returns the row as it is once locked, so the check after it sees what the update will
    change (MATERIALIZED: the check is not pushed back into the locking read)."""
    ticket = Ticket._meta.db_table
    return (
        f", locked AS MATERIALIZED (SELECT id, status, window_id FROM {ticket} "
        "WHERE id = %(ticket)s FOR UPDATE), "
        "before AS (SELECT id, status FROM locked WHERE window_id = %(w)s "
        "AND status IN (%(called)s, %(serving)s)), "
        f"done AS (UPDATE {ticket} SET status = %(done)s, finished_at = %(at)s "
        "WHERE id IN (SELECT id FROM before) AND EXISTS (SELECT 1 FROM s) "
        f"RETURNING {returning}), "
        f"done_evented AS (INSERT INTO {TicketEvent._meta.db_table} (ticket_id, center_id, "
        "at, actor_id, from_status, to_status, action, window_id, reason) SELECT done.id, "
        "done.center_id, %(at)s, %(staff)s::bigint, before.status, %(done)s, 'finish', "
        "done.window_id, '' FROM done JOIN before ON before.id = done.id)"
    )


@functools.cache
def _call_next_sql() -> str:
    return (
        _session_cte()
        + _claimed_cte()
        + _touch_sql("claimed")
        + _audit_sql(AUDIT_CALL)
        + f" SELECT claimed.*, {_LINE_HEAD_SQL} FROM claimed"
    )


@functools.cache
def _finish_sql() -> str:
    return (
        _session_cte()
        + _finished_cte(returning=_quoted_columns())
        + _touch_sql("done")
        + _audit_sql(AUDIT_FINISH)
        + " SELECT done.* FROM done"
    )


@functools.cache
def _finish_call_next_sql() -> str:
    """Finish the window's ticket and call its next one, in one statement: a row when the
    finish happened, its call columns NULL when nothing was claimed."""
    return (
        _session_cte()
        + _finished_cte(returning=", ".join(FINISHED_COLUMNS))
        + _claimed_cte(after="done")
        + _touch_sql("done")
        + _audit_sql(AUDIT_FINISH, AUDIT_CALL)
        + " SELECT done.*, claimed.*, "
        f"CASE WHEN claimed.id IS NULL THEN NULL ELSE {_LINE_HEAD_SQL} END "
        "FROM done LEFT JOIN claimed ON true"
    )


def _window_params(window: Any, actor: Any, now: Any, chain: str) -> dict[str, Any]:
    actor_id, actor_label = actor_columns(actor)
    return {
        "w": window.pk,
        "window_number": window.number,
        "center": window.center_id,
        "staff": actor_id,
        "actor_label": actor_label,
        "at": connection.ops.adapt_datetimefield_value(now),
        "day": connection.ops.adapt_datefield_value(local_day(now)),
        "open": WindowSession.State.OPEN,
        "waiting": Ticket.Status.WAITING,
        "called": Ticket.Status.CALLED,
        "serving": Ticket.Status.SERVING,
        "done": Ticket.Status.DONE,
        "no_activity": IdleIncident.Kind.NO_ACTIVITY,
        "chain": chain,
        "object_type": AUDIT_OBJECT_TYPE,
    }


@dataclass(frozen=True)
class Called:
    ticket: Ticket
    # (id, phone, near_sms_sent, number) of the first waiting tickets of its category
    # after the call, in line order, when the statement read them; None: not read.
    line_after: list[tuple] | None = None


def call_next_postgres(*, window: Any, actor: Any, now: Any, chain: str) -> Called | None:
    """Claim the window's next ticket for the person signed in there, in one statement."""
    params = _window_params(window, actor, now, chain)
    params["line_head"] = LINE_HEAD
    row = _fetchone_prepared(_call_next_sql(), params)
    if row is None:
        return None
    ticket = ticket_from_row(row[:-1])
    line = [tuple(entry) for entry in row[-1] if entry[0] != ticket.pk]
    return Called(ticket, line)


def finish_postgres(
    *, ticket_id: int, window: Any, actor: Any, now: Any, chain: str
) -> Ticket | None:
    """Finish the window's called or serving ticket for the person signed in there."""
    params = _window_params(window, actor, now, chain)
    params["ticket"] = ticket_id
    return ticket_from_row(_fetchone_prepared(_finish_sql(), params))


def finish_and_call_next_postgres(
    *, ticket_id: int, window: Any, actor: Any, now: Any, chain: str
) -> tuple[Ticket, Called | None] | None:
    """Finish the window's ticket and call the next, in one statement: None when the
    finish did not happen (the caller takes the step-by-step path); the call part None
    when nothing was claimed (nobody waits, or every head was being claimed elsewhere)."""
    params = _window_params(window, actor, now, chain)
    params.update(ticket=ticket_id, line_head=LINE_HEAD)
    row = _fetchone_prepared(_finish_call_next_sql(), params)
    if row is None:
        return None
    done = len(FINISHED_COLUMNS)
    finished = _finished_ticket(row[:done])
    if row[done] is None:
        return finished, None
    ticket = ticket_from_row(row[done : done + len(TICKET_COLUMNS)])
    line = [tuple(entry) for entry in row[-1] if entry[0] != ticket.pk]
    return finished, Called(ticket, line)


# --- staff activity (both databases; the PostgreSQL statements do the same in SQL) -------


def staff_active(
    *, session_id: int, window_id: int, last_activity: dt.datetime, now: dt.datetime
) -> None:
    """Staff activity at a window: recorded on the session, and it ends an open
    'no activity' 空窗 incident of the window."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {WindowSession._meta.db_table} SET last_activity_at = %s WHERE id = %s",
            [connection.ops.adapt_datetimefield_value(now), session_id],
        )
    if _may_end_idle(last_activity, now):
        end_idle_incidents(window_id, now, kinds=[IdleIncident.Kind.NO_ACTIVITY])


def _may_end_idle(last_activity: dt.datetime, now: dt.datetime) -> bool:
    # A 'no activity' incident needs at least a minute of silence (idle_minutes >= 1), so
    # a busy window skips the lookup.
    return now - last_activity >= dt.timedelta(minutes=1)


def end_idle_incidents(window_id: int, now: dt.datetime, *, kinds: list[str]) -> int:
    """End the window's open 空窗 incidents of these kinds, with their duration."""
    ended = 0
    for incident in IdleIncident.objects.filter(
        window_id=window_id, kind__in=kinds, ended_at__isnull=True
    ):
        incident.ended_at = max(now, incident.started_at)
        incident.duration_seconds = int((incident.ended_at - incident.started_at).total_seconds())
        incident.save(update_fields=["ended_at", "duration_seconds"])
        ended += 1
    return ended


# --- window work (SQLite) ---------------------------------------------------------------------
#
# SQLite lets one transaction write at a time (the writer queue of
# govhall/core/sqlite_backend), and the window work's writes go through group commit: the
# read of the person's open session and of the ticket being finished is the unit's first
# statement, inside the write transaction, so nothing can change between it and the
# writes, and it runs on the process's writer connection, whose page cache holds those
# pages (the request's own connection has nearly always had its cache emptied by another
# connection's write; measured in docs/queueing.md "Benchmark"). Model objects are made
# after the commit.

_SESSION_TABLE = WindowSession._meta.db_table
_TICKET_TABLE = Ticket._meta.db_table

# The person's open session at the window and, when a ticket is to be finished, its state
# (NULL unless it is called or serving at this window).
_SQLITE_READ_SQL = (
    f"SELECT s.id, s.last_activity_at, t.status FROM {_SESSION_TABLE} s "
    f"LEFT JOIN {_TICKET_TABLE} t ON t.id = %s AND t.window_id = s.window_id "
    "AND t.status IN (%s, %s) "
    "WHERE s.window_id = %s AND s.staff_id = %s AND s.closed_at IS NULL AND s.state = %s"
)
_SQLITE_FINISH_SQL = (
    f"UPDATE {_TICKET_TABLE} SET status = %s, finished_at = %s "
    "WHERE id = %s AND window_id = %s AND status = %s RETURNING "
)
_SQLITE_TOUCH_SQL = f"UPDATE {_SESSION_TABLE} SET last_activity_at = %s WHERE id = %s"
# A category's waiting line in order, as the "three ahead" SMS reads it (parameters:
# category id, day); PostgreSQL's one-go statements read the same in _LINE_HEAD_SQL.
LINE_SQL = (
    f"SELECT id, phone, near_sms_sent, number FROM {_TICKET_TABLE} "
    f"WHERE category_id = %s AND day = %s AND status = {WAITING_SQL} "
    "ORDER BY rank, original_issued_at, id"
)
_SQLITE_LINE_SQL = LINE_SQL + " LIMIT %s"
_SQLITE_EVENT_SQL = (
    f"INSERT INTO {TicketEvent._meta.db_table} (ticket_id, center_id, at, actor_id, "
    "from_status, to_status, action, window_id, reason) VALUES "
)


@dataclass(frozen=True)
class _Change:
    """One ticket's change by window work, for its event and audit entry."""

    ticket_id: int
    number: str
    from_status: str
    to_status: str
    action: str  # the event's action
    verb: str  # the audit action's last part
    data: dict[str, Any]


def _window_work_sqlite(
    *, finish_id: int | None, call: bool, window: Any, actor: Any, now: dt.datetime, chain: str
) -> tuple[tuple | None, tuple | None, list[tuple] | None] | None:
    """Finish the window's ticket `finish_id` (if given) and/or claim its next ticket (if
    `call`), with their events, the session's activity and the audit entries, for the
    person signed in at the window. Returns the raw rows (finished: FINISHED_COLUMNS, or
    all TICKET_COLUMNS for a lone finish; called: TICKET_COLUMNS) and, after a claim, the
    head of the called ticket's line as Called.line_after holds it; None when nothing was
    written (no open session of this person, the ticket is not at the window, or nothing
    to claim for a lone call)."""
    work = _WindowWork(
        window=window,
        actor=actor,
        now=now,
        at=connection.ops.adapt_datetimefield_value(now),
        chain=chain,
        finish_id=finish_id,
        claim_params=_window_params(window, actor, now, chain) if call else None,
    )
    return group_commit.run(work.write)


@dataclass(frozen=True)
class _WindowWork:
    """What the write of _window_work_sqlite needs, computed before it."""

    window: Any
    actor: Any
    now: dt.datetime
    at: Any  # now, as the database stores it
    chain: str
    finish_id: int | None
    claim_params: dict[str, Any] | None  # None: no call

    def write(self) -> tuple[tuple | None, tuple | None, list[tuple] | None] | None:
        """The rows, inside the write transaction: nothing is written when the person has
        no open session at the window or the ticket to finish is not called or serving
        there (the service then takes its step-by-step path, which says which)."""
        found = hot.execute(
            _SQLITE_READ_SQL,
            [
                self.finish_id,
                Ticket.Status.CALLED,
                Ticket.Status.SERVING,
                self.window.pk,
                self.actor.pk,
                WindowSession.State.OPEN,
            ],
        ).fetchone()
        if found is None or (self.finish_id is not None and found[2] is None):
            return None
        session_id, last_activity, from_status = found
        changes: list[_Change] = []
        finished = self._finish(changes, from_status) if self.finish_id is not None else None
        if self.finish_id is not None and finished is None:
            return None  # cannot happen after the read (kept as a guard, not a path)
        claimed = self._claim(changes) if self.claim_params is not None else None
        if not changes:
            return None  # a lone call with nobody to claim: the service finds out why
        hot.execute(_SQLITE_TOUCH_SQL, [self.at, session_id])
        self._record(changes)
        if _may_end_idle(_from_db(_LAST_ACTIVITY, last_activity), self.now):
            end_idle_incidents(self.window.pk, self.now, kinds=[IdleIncident.Kind.NO_ACTIVITY])
        return finished, claimed, self._line_after(claimed) if claimed is not None else None

    def _line_after(self, claimed: tuple) -> list[tuple]:
        # The "three ahead" text needs the line after the call: read here, on the writer
        # connection whose pages the claim just read, not after the commit on the request's
        # own connection, whose page cache another connection's write has emptied (call-next
        # 3.12 → 3.07 M instructions, and the pages it no longer reads again).
        # One fewer than PostgreSQL reads before its claim: the called ticket has left it.
        params = [claimed[_TICKET_INDEX["category_id"]], self.claim_params["day"], LINE_HEAD - 1]
        return hot.execute(_SQLITE_LINE_SQL, params).fetchall()

    def _finish(self, changes: list[_Change], from_status: str) -> tuple | None:
        partial = self.claim_params is not None
        row = hot.execute(
            _SQLITE_FINISH_SQL + _returning(partial),
            [Ticket.Status.DONE, self.at, self.finish_id, self.window.pk, from_status],
        ).fetchone()
        if row is not None:
            columns = FINISHED_COLUMNS if partial else TICKET_COLUMNS
            changes.append(
                _Change(
                    ticket_id=row[columns.index("id")],
                    number=row[columns.index("number")],
                    from_status=from_status,
                    to_status=Ticket.Status.DONE,
                    action="finish",
                    verb="finish",
                    data={"reason": ""},
                )
            )
        return row

    def _claim(self, changes: list[_Change]) -> tuple | None:
        row = hot.execute(claim_sql(postgres=False), self.claim_params).fetchone()
        if row is not None:
            changes.append(
                _Change(
                    ticket_id=row[_TICKET_INDEX["id"]],
                    number=row[_TICKET_INDEX["number"]],
                    from_status=Ticket.Status.WAITING,
                    to_status=Ticket.Status.CALLED,
                    action="call",
                    verb="called",
                    data={"window": self.window.number},
                )
            )
        return row

    def _record(self, changes: list[_Change]) -> None:
        """The changes' events (one statement: the board's change feed) and audit entries."""
        hot.execute(
            _SQLITE_EVENT_SQL + ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, '')"] * len(changes)),
            [
                value
                for change in changes
                for value in (
                    change.ticket_id,
                    self.window.center_id,
                    self.at,
                    self.actor.pk,
                    change.from_status,
                    change.to_status,
                    change.action,
                    self.window.pk,
                )
            ],
        )
        append_pending(
            actor=self.actor,
            chain=self.chain,
            now=self.now,
            entries=[
                (
                    f"govhall.queueing.ticket.{change.verb}",
                    AUDIT_OBJECT_TYPE,
                    change.ticket_id,
                    {"number": change.number, "status": change.to_status, **change.data},
                )
                for change in changes
            ],
        )


_LAST_ACTIVITY = WindowSession._meta.get_field("last_activity_at")
_TICKET_INDEX = {column: i for i, column in enumerate(TICKET_COLUMNS)}


@functools.cache
def _returning(partial: bool) -> str:
    return ", ".join(FINISHED_COLUMNS) if partial else _quoted_columns()


def _finished_ticket(row: tuple) -> Ticket:
    # The finished ticket with the columns read (others load if asked for).
    return _ticket_from_values(FINISHED_COLUMNS, row)


def finish_and_call_next(
    *, ticket_id: int, window: Any, actor: Any, now: dt.datetime, chain: str
) -> tuple[Ticket, Called | None] | None:
    """Finish the window's ticket and call the next, for the person signed in there: None
    when the finish did not happen (the caller takes the step-by-step path); the call part
    None when nothing was claimed (nobody waits, or every head was being claimed)."""
    if getattr(actor, "pk", None) is None:
        return None
    if settings.IS_POSTGRES:
        return finish_and_call_next_postgres(
            ticket_id=ticket_id, window=window, actor=actor, now=now, chain=chain
        )
    rows = _window_work_sqlite(
        finish_id=ticket_id, call=True, window=window, actor=actor, now=now, chain=chain
    )
    if rows is None:
        return None
    finished, claimed, line = rows
    called = Called(ticket_from_row(claimed), line) if claimed is not None else None
    return _finished_ticket(finished), called


def call_next(*, window: Any, actor: Any, now: dt.datetime, chain: str) -> Called | None:
    """Claim the window's next ticket for the person signed in there (None: take the
    step-by-step path)."""
    if getattr(actor, "pk", None) is None:
        return None
    if settings.IS_POSTGRES:
        return call_next_postgres(window=window, actor=actor, now=now, chain=chain)
    rows = _window_work_sqlite(
        finish_id=None, call=True, window=window, actor=actor, now=now, chain=chain
    )
    return Called(ticket_from_row(rows[1]), rows[2]) if rows is not None else None


def finish(
    *, ticket_id: int, window: Any, actor: Any, now: dt.datetime, chain: str
) -> Ticket | None:
    """Finish the window's called or serving ticket for the person signed in there (None:
    take the step-by-step path)."""
    if getattr(actor, "pk", None) is None:
        return None
    if settings.IS_POSTGRES:
        return finish_postgres(
            ticket_id=ticket_id, window=window, actor=actor, now=now, chain=chain
        )
    rows = _window_work_sqlite(
        finish_id=ticket_id, call=False, window=window, actor=actor, now=now, chain=chain
    )
    return ticket_from_row(rows[0]) if rows is not None else None
