"""Group commit on SQLite (govhall/core/sqlite_backend/group_commit.py): units queued by
several threads while a transaction is under way share the next one."""

import threading
import time

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, connections, transaction

from govhall.core.audit import log_action
from govhall.core.models import AuditEntry
from govhall.core.sqlite_backend import group_commit

pytestmark = [
    pytest.mark.skipif(not settings.IS_SQLITE, reason="SQLite backend only"),
    pytest.mark.django_db(transaction=True),
]


def _entry(tag: str) -> int:
    return log_action(actor=None, action="govhall.core.test.group", data={"t": tag}).pk


def _tags() -> set[str]:
    entries = AuditEntry.objects.filter(action="govhall.core.test.group")
    return {e.data["t"] for e in entries}


def _queue_behind_a_slow_unit(units: dict[str, object]) -> dict[str, tuple]:
    """Thread "slow" holds a batch of its own for 0.3 s; the other units are submitted
    meanwhile from threads of their own. Returns {name: ("ok", value, thread that ran it,
    submitting thread) or ("error", exception)}."""
    results: dict[str, tuple] = {}
    running = threading.Event()

    def slow() -> str:
        running.set()
        time.sleep(0.3)
        _entry("slow")
        return "slow"

    def submit(name: str, unit) -> None:
        try:

            def traced():
                return unit(), threading.get_ident()

            value, ran_on = group_commit.run(traced)
            results[name] = ("ok", value, ran_on, threading.get_ident())
        except Exception as exc:
            results[name] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=("slow", slow))]
    threads[0].start()
    assert running.wait(5)
    for name, unit in units.items():
        threads.append(threading.Thread(target=submit, args=(name, unit)))
        threads[-1].start()
    for t in threads:
        t.join(10)
    return results


def test_units_queued_during_a_transaction_share_the_next_one():
    results = _queue_behind_a_slow_unit({f"u{i}": (lambda i=i: _entry(f"u{i}")) for i in range(4)})
    assert {name: r[0] for name, r in results.items()} == dict.fromkeys(
        ["slow", "u0", "u1", "u2", "u3"], "ok"
    )
    assert _tags() == {"slow", "u0", "u1", "u2", "u3"}
    # The four queued units ran in one batch, led by one of their threads: three of them
    # were run by a thread other than their own.
    ran_elsewhere = [n for n, r in results.items() if n != "slow" and r[2] != r[3]]
    assert len(ran_elsewhere) == 3, results
    # Each caller got its own unit's answer (the pk of its own entry).
    for name, r in results.items():
        if name != "slow":
            assert AuditEntry.objects.get(pk=r[1]).data["t"] == name


def test_a_failing_unit_rolls_back_alone_and_its_caller_gets_the_error():
    def failing():
        _entry("failing")
        raise ValueError("不合法")

    results = _queue_behind_a_slow_unit(
        {"a": lambda: _entry("a"), "bad": failing, "b": lambda: _entry("b")}
    )
    assert results["bad"][0] == "error" and isinstance(results["bad"][1], ValueError)
    assert (results["a"][0], results["b"][0]) == ("ok", "ok")
    assert _tags() == {"slow", "a", "b"}


def test_a_unit_breaking_a_deferred_constraint_does_not_fail_the_others():
    """Foreign keys are checked at COMMIT: the batch's commit is refused, and every unit
    runs again alone, so only the one that broke it fails."""

    def dangling():
        _entry("dangling")
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE core_auditentry SET actor_id = 987654321 WHERE action = %s "
                "AND json_extract(data, '$.t') = 'dangling'",
                ["govhall.core.test.group"],
            )

    results = _queue_behind_a_slow_unit(
        {"a": lambda: _entry("a"), "dangling": dangling, "b": lambda: _entry("b")}
    )
    assert results["dangling"][0] == "error"
    assert isinstance(results["dangling"][1], IntegrityError)
    assert (results["a"][0], results["b"][0]) == ("ok", "ok")
    assert _tags() == {"slow", "a", "b"}


def test_a_unit_inside_an_open_transaction_runs_in_it():
    with transaction.atomic():
        pk = group_commit.run(lambda: _entry("inline"))
        assert connection.in_atomic_block
        transaction.set_rollback(True)
    assert not AuditEntry.objects.filter(pk=pk).exists()  # rolled back with the caller's


def test_many_threads_many_units_each_committed_once():
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            for i in range(40):
                group_commit.run(lambda k=k, i=i: _entry(f"{k}-{i}"))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    entries = AuditEntry.objects.filter(action="govhall.core.test.group")
    assert entries.count() == 240
    assert _tags() == {f"{k}-{i}" for k in range(6) for i in range(40)}


def test_a_unit_asking_for_a_rollback_loses_only_its_own_writes():
    def regretful():
        _entry("regretful")
        transaction.set_rollback(True)
        return "kept nothing"

    results = _queue_behind_a_slow_unit(
        {"a": lambda: _entry("a"), "regretful": regretful, "b": lambda: _entry("b")}
    )
    assert results["regretful"][:2] == ("ok", "kept nothing")
    assert _tags() == {"slow", "a", "b"}


def test_batches_of_different_threads_run_on_the_process_writer_connection():
    """Whichever thread leads, the batch runs on one connection of the process (its page
    cache stays warm between batches); the thread's own connection is back afterwards."""
    seen: list[tuple] = []

    def submit(tag: str) -> None:
        own = connections["default"]
        ran_on = []

        def unit() -> None:
            _entry(tag)
            ran_on.append(connections["default"])

        group_commit.run(unit)
        seen.append((ran_on[0], ran_on[0] is own, connections["default"] is own))
        connections.close_all()

    for tag in ("first", "second"):
        thread = threading.Thread(target=submit, args=(tag,))
        thread.start()
        thread.join(10)
    (writer_1, on_own_1, restored_1), (writer_2, on_own_2, restored_2) = seen
    assert writer_1 is writer_2  # one connection for both threads' batches …
    assert not on_own_1 and not on_own_2  # … not the threads' own
    assert restored_1 and restored_2
    assert _tags() == {"first", "second"}
