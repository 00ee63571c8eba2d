"""One writer at a time on SQLite, queued on an operating-system lock instead of SQLite's
sleeping busy handler.

SQLite lets one transaction write at a time. Django opens ours with BEGIN IMMEDIATE, so a
second writer finds the database locked and SQLite's busy handler puts it to sleep in
growing steps (1, 2, 5, 10 … 100 ms) until the lock is free: under load the lock sits idle
while writers sleep (bench/queue_load.py without this: p99 of the queue's writes over a
second). `writing()` first takes a lock on a file next to the database (`flock`, released
when the block ends, or by the kernel if the process dies) — threads of one process take a
thread lock first, as an `flock` belongs to the process's open file — so the next writer
starts the moment the previous one ends. Public API only: it wraps the caller's
`transaction.atomic`, it does not change the database backend.

On PostgreSQL, inside a transaction already open (the lock is then held or not needed), or
for an in-memory database, it does nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
from collections.abc import Callable, Iterator

from django.db import OperationalError, transaction

logger = logging.getLogger(__name__)
_locks: dict[str, tuple[threading.Lock, list]] = {}
_guard = threading.Lock()
# Per thread: the work to run once the writer lock this thread holds is released.
_held = threading.local()


def _lock_for(path: str) -> tuple[threading.Lock, list]:
    with _guard:
        entry = _locks.get(path)
        if entry is None:
            # [fd, pid]: the file is reopened in a forked child (its own open file).
            entry = (threading.Lock(), [None, None])
            _locks[path] = entry
        return entry


def _lock_path(connection) -> str | None:
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return None
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or "mode=memory" in name:
        return None
    return f"{name}.writer-lock"


@contextlib.contextmanager
def writing() -> Iterator[None]:
    """Hold the database's writer lock (SQLite) for the block: wrap a write transaction
    in it (`with writing(), transaction.atomic(): …`)."""
    connection = transaction.get_connection()
    path = _lock_path(connection)
    if path is None:
        yield
        return
    thread_lock, state = _lock_for(path)
    timeout = float(connection.settings_dict.get("OPTIONS", {}).get("timeout", 20))
    if not thread_lock.acquire(timeout=timeout):
        raise OperationalError("database is locked (writer queue timeout)")
    _held.after = []
    try:
        if state[1] != os.getpid():
            state[0] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            state[1] = os.getpid()
        fcntl.flock(state[0], fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(state[0], fcntl.LOCK_UN)
    finally:
        thread_lock.release()
        after, _held.after = _held.after, None
        for work in after:
            _run(work)


def after_release(work: Callable[[], object]) -> None:
    """Run `work` once this thread's writer lock is released, or now when it holds none
    (PostgreSQL; no `writing()` block). For commit hooks that write again, such as drawing
    a reserved document: inside the block they would wait for the lock their own thread
    holds, and keep every other writer waiting while they work."""
    after = getattr(_held, "after", None)
    if after is None:
        _run(work)
    else:
        after.append(work)


def _run(work: Callable[[], object]) -> None:
    # Like a robust commit hook: the transaction is committed, its follow-up may fail alone.
    try:
        work()
    except Exception:
        logger.exception("work after the writer lock failed")
