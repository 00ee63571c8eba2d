"""Shared by the bench scripts (not a benchmark itself: `make bench` skips bench_*.py)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

# Settings of a bench run's server or process: production-like (DEBUG off), plain static
# storage (no collectstatic), plain HTTP, SMS into the outbox table, quiet logs.
BENCH_SETTINGS = {
    "DJANGO_SETTINGS_MODULE": "govhall.settings",
    "DEBUG": "0",
    "GOVHALL_TESTING": "1",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "SMS_BACKEND": "database",
    "LOG_LEVEL": "WARNING",
}


def pg_admin(url: str, sql: str) -> None:
    """Run `sql` (CREATE/DROP DATABASE) on the server of `url`, outside any database."""
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


def prepare_database(env: dict[str, str], windows: int) -> list[dict]:
    """Migrate the bench database of `env` and create the bench center with `windows` + 1
    signed-in windows (bench_setup.py); returns [{window, token}, …]."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v0"]
    subprocess.run(migrate, cwd=root, env=env, check=True)
    out = subprocess.run(
        [sys.executable, "bench/bench_setup.py", str(windows)],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def wait_for_sealing(database_url: str, timeout: float = 120.0) -> float:
    """Wait until the worker has sealed every audit entry written so far; returns the
    seconds waited. Run between scenarios, so each one pays for the sealing of its own
    writes (the worker seals them while it runs) and not for the previous one's backlog."""
    import time

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if _pending_audit_entries(database_url) == 0:
            break
        time.sleep(0.25)
    return time.monotonic() - started


def _pending_audit_entries(database_url: str) -> int:
    sql = "SELECT count(*) FROM core_auditentry WHERE seq IS NULL"
    if database_url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=30) as conn:
            return conn.execute(sql).fetchone()[0]
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        return conn.execute(sql).fetchone()[0]


def vacuum_if_autovacuum_off(database_url: str) -> bool:
    """PostgreSQL only: VACUUM ANALYZE the tables the queue rewrites, when the server runs
    without autovacuum (the PostgreSQL of these machines does; a production server must
    not). Every call and finish leaves a dead row version of its ticket and every sealed
    audit entry another; unvacuumed, the queue's index scans step over more and more of
    them (measured: call-next 640 → 100 req/s by a third round). Run between rounds,
    standing in for autovacuum; returns whether it ran."""
    if not database_url.startswith("postgres"):
        return False
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        if conn.execute("SHOW autovacuum").fetchone()[0] == "on":
            return False
        for table in (
            "queueing_ticket",
            "queueing_ticketcounter",
            "queueing_windowsession",
            "core_auditentry",
            "core_audithead",
            "queueing_ticketevent",
        ):
            conn.execute(f"VACUUM (ANALYZE) {table}")
    return True
