"""Database triggers that keep TicketCounter.waiting_first / waiting_rest: how many of a
category's tickets of a day wait, by rank. Whichever code changes a ticket (the queue's
statements, the ORM, the admin, a bulk update), the counts follow, in the same
transaction; issuing reads the new ticket's place from them instead of counting the line.

Installed by migration 0004_counter_waiting. SQLite drops a table's triggers when Django
rebuilds the table (some AlterField migrations do), so after every `migrate` the app
checks they are there and, if not, reinstalls them and recounts (apps.py).
"""

from __future__ import annotations

from typing import Any

TICKET = "queueing_ticket"
COUNTER = "queueing_ticketcounter"
# Whether a change of these columns can move a ticket into, out of or within the counts.
CHANGED = (
    "OLD.status IS DISTINCT FROM NEW.status OR OLD.rank IS DISTINCT FROM NEW.rank "
    "OR OLD.category_id IS DISTINCT FROM NEW.category_id OR OLD.day IS DISTINCT FROM NEW.day"
)

POSTGRES_UP = f"""
CREATE FUNCTION queueing_ticket_waiting() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'waiting' THEN
        UPDATE {COUNTER}
           SET waiting_first = waiting_first - (OLD.rank = 0)::int,
               waiting_rest = waiting_rest - (OLD.rank <> 0)::int
         WHERE category_id = OLD.category_id AND day = OLD.day;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status = 'waiting' THEN
        INSERT INTO {COUNTER} (category_id, day, last, waiting_first, waiting_rest)
        VALUES (NEW.category_id, NEW.day, 0, (NEW.rank = 0)::int, (NEW.rank <> 0)::int)
        ON CONFLICT (category_id, day) DO UPDATE
           SET waiting_first = {COUNTER}.waiting_first + EXCLUDED.waiting_first,
               waiting_rest = {COUNTER}.waiting_rest + EXCLUDED.waiting_rest;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER ticket_waiting_insert AFTER INSERT ON {TICKET}
    FOR EACH ROW WHEN (NEW.status = 'waiting') EXECUTE FUNCTION queueing_ticket_waiting();
CREATE TRIGGER ticket_waiting_update AFTER UPDATE ON {TICKET}
    FOR EACH ROW WHEN ((OLD.status = 'waiting' OR NEW.status = 'waiting') AND ({CHANGED}))
    EXECUTE FUNCTION queueing_ticket_waiting();
CREATE TRIGGER ticket_waiting_delete AFTER DELETE ON {TICKET}
    FOR EACH ROW WHEN (OLD.status = 'waiting') EXECUTE FUNCTION queueing_ticket_waiting();
"""
POSTGRES_DOWN = f"""
DROP TRIGGER IF EXISTS ticket_waiting_insert ON {TICKET};
DROP TRIGGER IF EXISTS ticket_waiting_update ON {TICKET};
DROP TRIGGER IF EXISTS ticket_waiting_delete ON {TICKET};
DROP FUNCTION IF EXISTS queueing_ticket_waiting();
"""


def _sqlite_add(row: str) -> str:
    # UPSERT inside a trigger needs INSERT … SELECT … WHERE (SQLite's parsing rule).
    return (
        f"INSERT INTO {COUNTER} (category_id, day, last, waiting_first, waiting_rest) "
        f"SELECT {row}.category_id, {row}.day, 0, {row}.rank = 0, {row}.rank <> 0 "
        f"WHERE {row}.status = 'waiting' "
        "ON CONFLICT (category_id, day) DO UPDATE "
        "SET waiting_first = waiting_first + excluded.waiting_first, "
        "waiting_rest = waiting_rest + excluded.waiting_rest;"
    )


def _sqlite_remove(row: str) -> str:
    return (
        f"UPDATE {COUNTER} SET waiting_first = waiting_first - ({row}.rank = 0), "
        f"waiting_rest = waiting_rest - ({row}.rank <> 0) "
        f"WHERE {row}.status = 'waiting' AND category_id = {row}.category_id "
        f"AND day = {row}.day;"
    )


SQLITE_UP = [
    f"CREATE TRIGGER ticket_waiting_insert AFTER INSERT ON {TICKET} "
    f"WHEN NEW.status = 'waiting' BEGIN {_sqlite_add('NEW')} END",
    f"CREATE TRIGGER ticket_waiting_update AFTER UPDATE ON {TICKET} "
    f"WHEN (OLD.status = 'waiting' OR NEW.status = 'waiting') "
    f"AND ({CHANGED.replace('IS DISTINCT FROM', 'IS NOT')}) "
    f"BEGIN {_sqlite_remove('OLD')} {_sqlite_add('NEW')} END",
    f"CREATE TRIGGER ticket_waiting_delete AFTER DELETE ON {TICKET} "
    f"WHEN OLD.status = 'waiting' BEGIN {_sqlite_remove('OLD')} END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS ticket_waiting_insert",
    "DROP TRIGGER IF EXISTS ticket_waiting_update",
    "DROP TRIGGER IF EXISTS ticket_waiting_delete",
]


def _run(connection: Any, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


TRIGGER_NAMES = ("ticket_waiting_insert", "ticket_waiting_update", "ticket_waiting_delete")


def install(connection: Any) -> None:
    """(Re)create the triggers: idempotent."""
    if connection.vendor == "postgresql":
        _run(connection, [POSTGRES_DOWN, POSTGRES_UP])
    else:
        _run(connection, [*SQLITE_DOWN, *SQLITE_UP])


def uninstall(connection: Any) -> None:
    _run(connection, [POSTGRES_DOWN] if connection.vendor == "postgresql" else SQLITE_DOWN)


def present(connection: Any) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = ANY(%s)",
                [TICKET, list(TRIGGER_NAMES)],
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s "
                f"AND name IN ({', '.join(['%s'] * len(TRIGGER_NAMES))})",
                [TICKET, *TRIGGER_NAMES],
            )
        return cursor.fetchone()[0] == len(TRIGGER_NAMES)


def refill(Ticket: Any, TicketCounter: Any) -> None:
    """Set every counter's waiting counts from the tickets (models passed in, so that a
    migration can give its historical ones)."""
    TicketCounter.objects.exclude(waiting_first=0, waiting_rest=0).update(
        waiting_first=0, waiting_rest=0
    )
    counts: dict[tuple, list[int]] = {}
    waiting = Ticket.objects.filter(status="waiting").values_list("category_id", "day", "rank")
    for category_id, day, rank in waiting:
        pair = counts.setdefault((category_id, day), [0, 0])
        pair[0 if rank == 0 else 1] += 1
    for (category_id, day), (first, rest) in counts.items():
        TicketCounter.objects.update_or_create(
            category_id=category_id,
            day=day,
            defaults={"waiting_first": first, "waiting_rest": rest},
        )
