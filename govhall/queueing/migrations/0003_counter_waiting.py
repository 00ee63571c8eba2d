"""Waiting counts per category and day on TicketCounter, kept by triggers on the ticket
table (PostgreSQL: one PL/pgSQL function; SQLite: three triggers), and filled from the
tickets already waiting."""

from django.db import migrations, models

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


def _run(schema_editor, statements) -> None:
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def create_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, [POSTGRES_UP])
    else:
        _run(schema_editor, SQLITE_UP)
    _fill_counts(apps)


def drop_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, [POSTGRES_DOWN])
    else:
        _run(schema_editor, SQLITE_DOWN)


def _fill_counts(apps) -> None:
    Ticket = apps.get_model("queueing", "Ticket")
    TicketCounter = apps.get_model("queueing", "TicketCounter")
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


class Migration(migrations.Migration):
    dependencies = [("queueing", "0002_ticket_line_indexes")]

    operations = [
        migrations.AddField(
            model_name="ticketcounter",
            name="waiting_first",
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name="ticketcounter",
            name="waiting_rest",
            field=models.IntegerField(default=0),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
