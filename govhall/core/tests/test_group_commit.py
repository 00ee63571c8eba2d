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
    """Thread "slow" holds a batch of its own until the other units, submitted meanwhile
    from threads of their own, are all queued behind it (no fixed sleep). Returns {name:
    ("ok", value, thread that ran it, submitting thread) or ("error", exception)}."""
    results: dict[str, tuple] = {}
    running = threading.Event()
    release = threading.Event()

    def slow() -> str:
        running.set()
        assert release.wait(10)
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
    deadline = time.monotonic() + 10  # a bound against hanging, not a timing assertion
    while len(group_commit._queue) < len(units) and time.monotonic() < deadline:
        time.sleep(0.001)
    release.set()
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


class _Clock:
    """group_commit's clock and sleep, moved by hand: each sleep advances the clock and
    may run a hook (another thread submitting) before it returns."""

    def __init__(self, on_sleep=None) -> None:
        self.now = 1000.0
        self.sleeps = 0
        self.on_sleep = on_sleep

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        self.now += seconds
        if self.on_sleep is not None:
            self.on_sleep(self.sleeps)


def _traced(tag: str):
    def unit():
        _entry(tag)
        return threading.get_ident()

    return unit


def test_a_lone_request_leads_without_waiting(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(group_commit, "time", clock)
    monkeypatch.setattr(group_commit, "_in_flight", 1)
    assert group_commit.run(_traced("alone")) == threading.get_ident()
    assert clock.sleeps == 0
    assert _tags() == {"alone"}


def test_a_leader_waits_for_the_unit_of_another_request_in_flight(monkeypatch):
    # Two requests in flight: the leader sleeps until the second one's unit is queued,
    # then both run in its batch (the second unit on the leader's thread).
    ran: dict[str, int] = {}
    second = threading.Thread(target=lambda: ran.update(second=group_commit.run(_traced("second"))))

    def submit_second(sleeps: int) -> None:
        if sleeps == 1:
            second.start()
            deadline = time.monotonic() + 5
            while len(group_commit._queue) < 2 and time.monotonic() < deadline:
                time.sleep(0.001)

    clock = _Clock(on_sleep=submit_second)
    monkeypatch.setattr(group_commit, "time", clock)
    monkeypatch.setattr(group_commit, "_in_flight", 2)
    ran["first"] = group_commit.run(_traced("first"))
    second.join(5)
    assert clock.sleeps == 1
    assert ran == {"first": threading.get_ident(), "second": threading.get_ident()}
    assert _tags() == {"first", "second"}


def test_a_leader_waits_no_longer_than_the_gathering_time(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(group_commit, "time", clock)
    monkeypatch.setattr(group_commit, "_in_flight", 3)  # the other two never write
    group_commit.run(_traced("waited"))
    waited = clock.now - 1000.0
    step = group_commit.GATHER_STEP
    assert group_commit._gather_seconds() <= waited < group_commit._gather_seconds() + 2 * step
    assert _tags() == {"waited"}


def test_writing_requests_are_counted_while_the_application_runs():
    seen = []

    def application(environ, start_response):
        seen.append(group_commit._in_flight)
        if environ.get("fail"):
            raise RuntimeError("boom")
        return [b"ok"]

    counted = group_commit.counting_requests(application)
    before = group_commit._in_flight
    assert counted({"REQUEST_METHOD": "POST"}, None) == [b"ok"]
    with pytest.raises(RuntimeError):
        counted({"REQUEST_METHOD": "POST", "fail": True}, None)
    assert counted({"REQUEST_METHOD": "GET"}, None) == [b"ok"]  # reads are not counted
    assert seen == [before + 1, before + 1, before]
    assert group_commit._in_flight == before


def test_no_gathering_when_it_is_turned_off(monkeypatch, settings):
    settings.SQLITE_GROUP_COMMIT_GATHER_MS = 0
    clock = _Clock()
    monkeypatch.setattr(group_commit, "time", clock)
    monkeypatch.setattr(group_commit, "_in_flight", 3)
    group_commit.run(_traced("at once"))
    assert clock.sleeps == 0
    assert _tags() == {"at once"}
