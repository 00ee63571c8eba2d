"""Group commit: the busiest writes of a process's threads share one SQLite transaction.

SQLite lets one transaction write at a time. Under load most of a short write's time in
the write lock is not its own statements but what surrounds them — taking the lock from
the previous writer, BEGIN, COMMIT with its write-ahead-log frames — and every handover
wakes a thread that must first win its process's GIL (bench/queue_load.py, SQLite: the
lock was busy 70 % of the time with seven requests queued on it on average, and a
办结并叫下一位 held it 0.7 ms (median) against 0.46 ms alone in-process). Measured over four
paired runs: call-next {finish} 0.375 → 0.42 × the bare insert, issue 0.51 → 0.54 ×,
p99 about 30 ms lower.

`run(unit)` queues the unit; the first thread to find no transaction under way leads: it
takes the write lock once, runs every unit queued by then, commits, and hands each thread
its unit's result or exception. If a unit raises (or asks for a rollback), or a deferred
constraint refuses the commit, the batch is rolled back and each of its units runs again
alone, so one unit cannot fail the others; any other failure of BEGIN or COMMIT fails
every unit of the batch. Nobody gets an answer before the commit that made their unit
durable.

Every batch of a process runs on one connection of its own, the process's writer, whichever
thread leads: SQLite drops a connection's whole page cache when another connection has
written since its last transaction, so with each thread writing on its own connection
nearly every write started cold and read its b-trees' pages again (in-process, one other
write before each 办结并叫下一位: 1.9 → 2.7 ms).

A unit is a function of no arguments that reads and writes through the default
connection and does nothing else: it runs on the leader's thread with the process's
writer as the default connection (so it must not rely on other thread-locals, nor
register on_commit callbacks), and it may run twice (after a refused batch). Inside a
transaction already open (tests, a caller's atomic block), on PostgreSQL, or for an
in-memory database, `run` just calls the unit in an atomic block.

Gathering: left alone, a leader takes only what is queued the moment it leads, and under
load that was one unit in two batches of three (bench/queue_load.py, SQLite: 1.7 units a
batch on average), because the process's other requests were still in their Python work,
waiting for the interpreter lock the leader held. Each batch costs a BEGIN, a COMMIT and,
once the other process has written since, a cold page cache: every page the batch touches
read again. So a leader first waits, up to SQLITE_GROUP_COMMIT_GATHER_MS, while fewer units
are queued than this process has writing requests in flight (`counting_requests` counts
the ones that are not GET, HEAD or OPTIONS at the WSGI entry: board polls and pages write
nothing); a lone request never waits. Measured: 3.25 units a batch, CPU per request of the
gunicorn processes −7 to −10 % for issue and call-next (docs/queueing.md "Benchmark").
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction

T = TypeVar("T")


class _Unit:
    __slots__ = ("done", "error", "fn", "lead", "settled", "value")

    def __init__(self, fn: Callable[[], Any]) -> None:
        self.fn = fn
        self.value: Any = None
        self.error: BaseException | None = None
        self.settled = False  # value or error is the answer
        self.done = threading.Event()
        self.lead = False  # woken to lead the next batch instead of with a result


_queue: list[_Unit] = []
_guard = threading.Lock()
_leading = False
# Units of one batch at most: a long batch would hold the lock (and its leader's own
# answer) while the other process waits.
MAX_BATCH = 16
# The step a leader waits in for the units of the process's other requests in flight (the
# sleep lets their threads take the interpreter lock); the longest it waits is
# settings.SQLITE_GROUP_COMMIT_GATHER_MS.
GATHER_STEP = 0.0002

_in_flight = 0  # writing requests this process is serving now (counting_requests)
_READING = frozenset({"GET", "HEAD", "OPTIONS"})
_in_flight_guard = threading.Lock()


def counting_requests(
    application: Callable[..., Iterable[bytes]],
) -> Callable[..., Iterable[bytes]]:
    """`application` (WSGI) counting the writing requests under way in this process, for
    the leaders' gathering. Counts until the application returns its response (a streamed
    body is not counted while it streams)."""

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        global _in_flight
        if environ.get("REQUEST_METHOD") in _READING:
            return application(environ, start_response)
        with _in_flight_guard:
            _in_flight += 1
        try:
            return application(environ, start_response)
        finally:
            with _in_flight_guard:
                _in_flight -= 1

    return wsgi


def _gather_seconds() -> float:
    return settings.SQLITE_GROUP_COMMIT_GATHER_MS / 1000


def _gather() -> None:
    """Wait (up to SQLITE_GROUP_COMMIT_GATHER_MS) while fewer units are queued than
    requests are in flight: the others' units are on their way."""
    if len(_queue) >= min(_in_flight, MAX_BATCH):
        return  # a lone request, or everyone's unit is here
    limit = _gather_seconds()
    if limit <= 0:
        return  # gathering turned off
    deadline = time.monotonic() + limit
    while len(_queue) < min(_in_flight, MAX_BATCH) and time.monotonic() < deadline:
        time.sleep(GATHER_STEP)


_writer: Any = None  # the process's writer connection (a new one after a fork)
_writer_pid: int | None = None


def _process_writer(like: Any) -> Any:
    """The connection every batch of this process runs on; only the leader uses it."""
    global _writer, _writer_pid
    if _writer is None or _writer_pid != os.getpid():
        _writer = like.copy()
        _writer.inc_thread_sharing()  # leaders are different threads, one at a time
        _writer_pid = os.getpid()
    _writer.close_if_unusable_or_obsolete()  # reconnects on next use, as a request would
    return _writer


def run(unit: Callable[[], T]) -> T:
    """Run `unit` in a write transaction, possibly shared with other threads' units."""
    connection = connections[DEFAULT_DB_ALIAS]
    if (
        connection.vendor != "sqlite"
        or connection.in_atomic_block
        or getattr(connection, "_writer_lock_path", lambda: None)() is None
    ):
        with transaction.atomic():
            return unit()
    item = _Unit(unit)
    global _leading
    with _guard:
        _queue.append(item)
        lead = not _leading
        if lead:
            _leading = True
    if not lead:
        item.done.wait()
        if not item.lead:
            return _answer(item)
    _lead()
    return _answer(item)


def _answer(item: _Unit) -> Any:
    if item.error is not None:
        raise item.error
    return item.value


def _lead() -> None:
    """Run one batch: the queued units, in one transaction; then pass the lead on to a
    unit queued meanwhile (its thread wakes to run the next batch)."""
    global _leading
    _gather()
    with _guard:
        batch = _queue[:MAX_BATCH]
        del _queue[:MAX_BATCH]
    own = connections[DEFAULT_DB_ALIAS]
    try:
        connections[DEFAULT_DB_ALIAS] = _process_writer(own)
        try:
            _run_batch(batch)
        finally:
            connections[DEFAULT_DB_ALIAS] = own
    except BaseException as exc:  # not an Exception (those are the units' answers)
        for item in batch:
            if not item.settled:
                item.value, item.error, item.settled = None, exc, True
        raise
    finally:
        with _guard:
            following = _queue[0] if _queue else None
            if following is None:
                _leading = False
        for item in batch:
            item.done.set()
        if following is not None:
            following.lead = True
            following.done.set()


class _UnitFailed(Exception):
    """A unit of a shared transaction raised or asked for a rollback."""


def _run_batch(batch: list[_Unit]) -> None:
    if len(batch) == 1:
        _commit_alone(batch[0])
        return
    try:
        _commit_together(batch)
    except (_UnitFailed, IntegrityError):
        # A unit failed, or a deferred constraint (foreign keys are checked at COMMIT)
        # refused the commit: the batch was rolled back, and each unit runs again alone,
        # so that one unit cannot fail the others.
        for item in batch:
            _commit_alone(item)
    except Exception as exc:  # BEGIN or COMMIT failed: nothing of the batch stands
        for item in batch:
            item.value, item.error, item.settled = None, exc, True


def _commit_together(batch: list[_Unit]) -> None:
    # No savepoint per unit: a savepoint costs two statements (each prepared anew: their
    # names differ), and units that fail are rare — they are run again alone instead.
    connection = connections[DEFAULT_DB_ALIAS]
    with transaction.atomic():
        for item in batch:
            try:
                item.value = item.fn()
            except Exception as exc:
                raise _UnitFailed from exc
            if connection.needs_rollback:  # transaction.set_rollback(True) in the unit
                raise _UnitFailed
    for item in batch:
        item.error, item.settled = None, True


def _commit_alone(item: _Unit) -> None:
    try:
        with transaction.atomic():
            item.value = item.fn()
        item.error = None
    except Exception as exc:
        item.value, item.error = None, exc
    item.settled = True
