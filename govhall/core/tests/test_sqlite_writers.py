"""SQLite writers: transactions take the write lock at BEGIN (IMMEDIATE), so concurrent
writers queue on it (busy_timeout) instead of failing."""

import threading

import pytest
from django.conf import settings
from django.db import connection, connections, transaction

from govhall.core.audit import log_action
from govhall.core.models import AuditEntry

pytestmark = [
    pytest.mark.skipif(not settings.IS_SQLITE, reason="SQLite backend only"),
    pytest.mark.django_db(transaction=True),
]


def _append(tag: str, n: int, errors: list) -> None:
    try:
        for i in range(n):
            with transaction.atomic():
                log_action(actor=None, action="govhall.core.test.writer", data={"t": tag, "i": i})
    except BaseException as exc:
        errors.append(exc)
    finally:
        connections.close_all()


def test_concurrent_writers_all_commit_without_locked_errors():
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_append, args=(f"w{k}", 25, errors)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditEntry.objects.filter(action="govhall.core.test.writer").count() == 150


def test_the_writer_lock_is_released_by_a_rollback():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        log_action(actor=None, action="govhall.core.test.rolled_back")
        1 / 0  # noqa: B018
    done = threading.Event()
    errors: list[BaseException] = []

    def other() -> None:
        _append("after", 1, errors)
        done.set()

    threading.Thread(target=other).start()
    assert done.wait(5), "another thread could not write after the rollback"
    assert errors == []
    assert not AuditEntry.objects.filter(action="govhall.core.test.rolled_back").exists()


def test_a_second_writer_waits_for_the_first_and_then_runs():
    order: list[str] = []
    holding = threading.Event()
    trying = threading.Event()

    def first() -> None:
        try:
            with transaction.atomic():
                log_action(actor=None, action="govhall.core.test.first")
                holding.set()
                # Hold the lock until the second writer is on its way: it must wait.
                assert trying.wait(5)
                order.append("first committed")
        finally:
            connections.close_all()

    t = threading.Thread(target=first)
    t.start()
    assert holding.wait(5)
    trying.set()
    with transaction.atomic():
        order.append("second started")
        log_action(actor=None, action="govhall.core.test.second")
    t.join()
    assert order == ["first committed", "second started"]


def test_requests_leave_checkpoints_to_the_worker_job():
    """Connections do not checkpoint at SQLite's default 1,000 pages (that commit would
    copy the log back inside a request); the worker's job copies it every second."""
    from django.utils import timezone

    from govhall.core.jobs import checkpoint_sqlite

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == 20000
    for i in range(20):  # on this connection: closing the last one would checkpoint
        with transaction.atomic():
            log_action(actor=None, action="govhall.core.test.writer", data={"i": i})
    assert checkpoint_sqlite(timezone.now()) > 0  # pages copied into the database file
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        busy, in_log, copied = cursor.fetchone()
    assert busy == 0 and in_log == copied  # nothing left behind


def test_work_after_release_runs_once_the_writer_lock_is_free(caplog):
    """A commit hook that writes again (drawing a reserved document) runs after the writer
    lock is released: inside the block it would wait for its own thread's lock."""
    from govhall.core.writer import after_release, writing

    done: list[str] = []

    def write_again() -> None:
        with writing(), transaction.atomic():  # would time out if the lock were still held
            log_action(actor=None, action="govhall.core.test.after", obj=None, data={})
        done.append("after")

    def fail() -> None:
        raise RuntimeError("boom")

    with writing(), transaction.atomic():
        log_action(actor=None, action="govhall.core.test.first", obj=None, data={})
        transaction.on_commit(lambda: after_release(write_again))
        transaction.on_commit(lambda: after_release(fail))
        transaction.on_commit(lambda: done.append("commit"))
    assert done == ["commit", "after"]
    assert "work after the writer lock failed" in caplog.text
    after_release(lambda: done.append("now"))  # no lock held: at once
    assert done[-1] == "now"
    assert AuditEntry.objects.filter(action="govhall.core.test.after").count() == 1
