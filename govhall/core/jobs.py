"""The periodic-work registry used by `manage.py run_worker`.

Each app lists its jobs in `<app>/jobs.py` as JOBS = [Job(...)]. A job function takes
`now` and returns how much it did; it must be idempotent and safe with several workers
running it at once (claim rows with conditional updates or SKIP LOCKED).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from govhall.core.discovery import app_modules
from govhall.core.models import WorkerHeartbeat


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[dt.datetime], int | None]
    every_seconds: float


def discover_jobs() -> list[Job]:
    """Every installed app's `jobs.JOBS`, in INSTALLED_APPS order. Core names no app:
    Django's autodiscovery imports each installed app's `jobs` module."""
    return [job for module in app_modules("jobs") for job in getattr(module, "JOBS", [])]


def heartbeat(name: str, now: dt.datetime | None = None) -> None:
    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"seen_at": now or timezone.now()})


def purge_idempotency_records(now: dt.datetime) -> int:
    """Forget stored responses older than IDEMPOTENCY_KEEP_HOURS (default 72): clients
    retry within minutes, and the table must not grow without end."""
    from django.conf import settings

    from govhall.core.models import IdempotencyRecord

    hours = getattr(settings, "IDEMPOTENCY_KEEP_HOURS", 72)
    deleted, _ = IdempotencyRecord.objects.filter(
        created_at__lt=now - dt.timedelta(hours=hours)
    ).delete()
    return deleted


def seal_audit(now: dt.datetime) -> int:
    from govhall.core.audit import seal_pending

    return seal_pending()


def checkpoint_sqlite(now: dt.datetime) -> int:
    """Copy the SQLite write-ahead log into the database file (PASSIVE: never waits for
    readers or writers), so requests need not (settings: wal_autocheckpoint). Returns the
    pages copied; nothing to do on PostgreSQL."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        row = cursor.fetchone()
    # (busy, pages in the log, pages copied); -1 when the database is not in WAL mode.
    return max(0, int(row[2])) if row else 0


JOBS = [
    Job("core.idempotency_purge", purge_idempotency_records, 3600),
    # Audited writes are linked into their hash chains here, about a second after commit.
    Job("core.audit_seal", seal_audit, 1),
    Job("core.sqlite_checkpoint", checkpoint_sqlite, 1),
]
