"""SQLite backend whose write transactions queue on an operating-system lock.

SQLite lets one transaction write at a time. Django opens ours with BEGIN IMMEDIATE, so a
second writer finds the database locked and SQLite's busy handler puts it to sleep in
growing steps (1, 2, 5, 10 … 100 ms) until the lock is free — under load the lock sits
idle while writers sleep, and two gunicorn workers spend most of their time that way.
Here a writer first takes a lock on a file next to the database (`flock`, released by the
kernel when its holder commits, rolls back, closes or dies), so the next writer starts the
moment the previous one ends. Threads of one process take a thread lock first, as an
`flock` belongs to the process's open file, not to a thread.

Only explicit transactions (`transaction.atomic`) take it; a lone autocommit statement
still relies on busy_timeout. In-memory databases skip the file lock.
"""

from __future__ import annotations

import fcntl
import os
import threading

from django.db import OperationalError
from django.db.backends.sqlite3 import base

_locks: dict[str, tuple[threading.Lock, list]] = {}
_locks_guard = threading.Lock()


def _lock_for(path: str) -> tuple[threading.Lock, list]:
    with _locks_guard:
        entry = _locks.get(path)
        if entry is None:
            # [fd, pid]: the file is reopened in a forked child (a new open file, its own lock).
            entry = (threading.Lock(), [None, None])
            _locks[path] = entry
        return entry


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_held: tuple[threading.Lock, int | None] | None = None

    def _writer_lock_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if not name or name == ":memory:" or "mode=memory" in name:
            return None
        return f"{name}.writer-lock"

    def _acquire_writer(self) -> None:
        path = self._writer_lock_path()
        if path is None:
            return
        thread_lock, state = _lock_for(path)
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 20))
        if not thread_lock.acquire(timeout=timeout):
            raise OperationalError("database is locked (writer queue timeout)")
        try:
            if state[1] != os.getpid():
                state[0] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
                state[1] = os.getpid()
            fcntl.flock(state[0], fcntl.LOCK_EX)
        except BaseException:
            thread_lock.release()
            raise
        self._writer_held = (thread_lock, state[0])

    def _release_writer(self) -> None:
        held = self._writer_held
        if held is None:
            return
        self._writer_held = None
        thread_lock, fd = held
        try:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            thread_lock.release()

    def _start_transaction_under_autocommit(self) -> None:
        self._acquire_writer()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._release_writer()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._release_writer()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._release_writer()
