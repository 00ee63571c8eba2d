"""Bench setup of many cases at once (shared by bench/cases.py; `make bench` skips bench_*.py).

One case is saved through the ORM, then `count` copies of it are written by one INSERT …
SELECT over a generated series (bench setup only, never application code: the columns come
from the model, so a field added later is copied too). `overrides` maps a column to an SQL
expression over the series number `n` (1 … count) and the template row `t`, given per
database vendor as (PostgreSQL, SQLite); a literal % is written %%."""

from __future__ import annotations

import time


def fill(template, count: int, overrides: dict[str, tuple[str, str]], *, prefix: str) -> float:
    """Copies of the saved case `template`; numbers `<prefix>-0000001…`, serials after the
    template's. Returns the seconds taken (ANALYZE included on PostgreSQL)."""
    from django.db import connection, transaction

    from govhall.cases.models import Case

    started = time.monotonic()
    postgres = connection.vendor == "postgresql"
    generated = {
        "number": (f"'{prefix}-' || lpad(n::text, 7, '0')", f"printf('{prefix}-%07d', n)"),
        "serial": ("t.serial + n", "t.serial + n"),
        "phone": ("'139' || lpad(n::text, 8, '0')", "printf('139%08d', n)"),
        **overrides,
    }
    columns = [f.column for f in Case._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    select = ", ".join(
        generated[col][0 if postgres else 1] if col in generated else f"t.{quote(col)}"
        for col in columns
    )
    series = (
        "generate_series(1, %s) AS s(n)"
        if postgres
        else "(WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %s) "
        "SELECT n FROM g) AS s"
    )
    table = quote(Case._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(map(quote, columns))}) "
            f"SELECT {select} FROM {table} AS t, {series} WHERE t.id = %s",
            [count, template.pk],
        )
    return time.monotonic() - started


def analyze() -> None:
    """Fresh planner statistics and visibility map (autovacuum is off on these machines;
    a production server runs it)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in ("cases_case", "cases_deadlinealert", "notifications_outboxmessage"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
