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
