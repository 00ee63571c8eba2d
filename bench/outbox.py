"""Outbox throughput: messages dispatched per second through the `database` backend.

    .venv/bin/python bench/outbox.py                      # SQLite in a temporary directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/outbox.py

On PostgreSQL the server and user of DATABASE_URL are used, but never its database: the
benchmark creates a throwaway database `<that name>_bench_outbox` (so two checkouts sharing a
server do not collide), and drops it at the end.
Options: --messages N (default 3000), --batch N (claim size, default 20 as in the worker),
--workers N (parallel worker threads, PostgreSQL only; default 1).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench_common import pg_admin

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    postgres = url.startswith(("postgres://", "postgresql://"))
    tmp = tempfile.TemporaryDirectory(prefix="govhall-bench-")
    os.environ["GOVHALL_DATA_DIR"] = tmp.name
    os.environ["SMS_BACKEND"] = "database"
    os.environ["GOVHALL_TESTING"] = "1"
    bench_db = f"{urlsplit(url).path.lstrip('/') or 'govhall'}_bench_outbox"
    if postgres:
        bench_url = urlunsplit(urlsplit(url)._replace(path=f"/{bench_db}"))
        pg_admin(url, f"DROP DATABASE IF EXISTS {bench_db}")
        pg_admin(url, f"CREATE DATABASE {bench_db}")
        os.environ["DATABASE_URL"] = bench_url
    else:
        os.environ.pop("DATABASE_URL", None)
        if args.workers > 1:
            parser.error("--workers > 1 needs PostgreSQL (SQLite serialises writers)")
    try:
        run(args, postgres)
    finally:
        if postgres:
            from django.db import connections

            connections.close_all()
            pg_admin(url, f"DROP DATABASE IF EXISTS {bench_db} WITH (FORCE)")
        tmp.cleanup()


def run(args, postgres: bool) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections, transaction
    from django.utils import timezone

    from govhall.notifications.dispatch import dispatch_due
    from govhall.notifications.models import OutboxMessage, SentSms
    from govhall.notifications.services import notification_send

    settings.SMS_QUIET_START = settings.SMS_QUIET_END = "00:00"  # measure sending, not rules
    # The per-center budget stays on (its COUNT per batch is part of the cost), but high.
    settings.SMS_CENTER_HOURLY_BUDGET = 10**6
    call_command("migrate", verbosity=0)
    engine = "PostgreSQL" if postgres else "SQLite"
    print(f"数据库：{engine}（临时库 {settings.DATABASES['default']['NAME']}）")

    started = time.perf_counter()
    now = timezone.now()
    for offset in range(0, args.messages, 500):
        with transaction.atomic():
            for i in range(offset, min(args.messages, offset + 500)):
                notification_send(
                    template="verification_code",
                    to=f"138{i:08d}",
                    params={"code": f"{i % 1000000:06d}", "minutes": 5},
                    now=now,
                )
    queued = time.perf_counter() - started
    print(f"写入发件箱 {args.messages} 条：{queued:.2f} 秒（{args.messages / queued:.0f} 条/秒）")

    def worker() -> None:
        try:
            while dispatch_due(None, batch_size=args.batch, max_batches=10).claimed:
                pass
        finally:
            connections.close_all()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(args.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    sent = OutboxMessage.objects.filter(status="sent").count()
    assert sent == args.messages == SentSms.objects.count(), (sent, args.messages)
    print(
        f"发送（database 通道，{args.workers} 个工作线程，每批 {args.batch} 条）："
        f"{sent} 条 / {elapsed:.2f} 秒 = {sent / elapsed:.0f} 条/秒"
    )


if __name__ == "__main__":
    main()
