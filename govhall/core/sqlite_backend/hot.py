"""The busiest statements on SQLite, run on the raw connection.

Django's cursor wrapper costs about 17 µs a statement here (execute wrappers, the error
wrapper, the %s → ? rewrite by regular expression on every call) against 3 µs for the
statement itself through sqlite3 with Django's error translation; a queue call runs six
(bench/queue_load.py). The statements given here are rewritten once, and the query log
(DEBUG, CaptureQueriesContext) still lists every one of them.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX, Database

_NAMED = re.compile(r"%\((\w+)\)s")


@functools.cache
def _native(sql: str, named: bool) -> str:
    """Django's placeholders (%s, %(name)s) as sqlite3's (?, :name)."""
    converted = _NAMED.sub(r":\1", sql) if named else FORMAT_QMARK_REGEX.sub("?", sql)
    return converted.replace("%%", "%")


def execute(sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Any:
    """Run one statement (Django's placeholders) on the default connection; returns the
    sqlite3 cursor. Database errors come out as Django's, as from a Django cursor."""
    conn = connections[DEFAULT_DB_ALIAS]
    raw = conn.connection
    if raw is None:
        conn.ensure_connection()
        raw = conn.connection
    if conn.needs_rollback:
        conn.validate_no_broken_transaction()  # raises, as a Django cursor would
    native = _native(sql, isinstance(params, Mapping))
    logged = conn.queries_logged
    start = time.monotonic() if logged else 0.0
    try:
        cursor = raw.execute(native, params)
    except Database.Error:
        # Translated only when raised: entering Django's error wrapper around every
        # statement cost more than the check of a connection that is nearly always open.
        with conn.wrap_database_errors:
            raise
    if logged:
        conn.queries_log.append({"sql": sql, "time": f"{time.monotonic() - start:.3f}"})
    return cursor
