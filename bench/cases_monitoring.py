"""Cases II: the time-limit dashboard counts and the alert job over many open cases.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/cases_monitoring.py
    .venv/bin/python bench/cases_monitoring.py --open 100000        # SQLite, smaller

On PostgreSQL the server and user of DATABASE_URL are used, never its database: a throwaway
database `govhall_bench_cases_mon` is created and dropped. Options: --open N (open cases,
default 1 000 000), --departments N (default 20), --late PERMILLE (yellow or red cases per
thousand, default 5). Targets (issue 20): dashboard counts ≤ 1 s, alert job ≤ 10 s.

The open cases are in approval with their result handover date spread over the coming
weeks; `--late` per thousand are due within the yellow window or already past it, so the
alert job writes that many alerts (each with an outbox SMS to the department's approver
and the center's manager).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

from bench_common import BENCH_SETTINGS, pg_admin

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = sys.executable
BENCH_DB = "govhall_bench_cases_mon"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=1_000_000)
    parser.add_argument("--departments", type=int, default=20)
    parser.add_argument("--late", type=int, default=5)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    postgres = url.startswith(("postgres://", "postgresql://"))
    tmp = tempfile.TemporaryDirectory(prefix="govhall-bench-mon-")
    env = {**os.environ, **BENCH_SETTINGS, "GOVHALL_DATA_DIR": tmp.name, "PYTHONPATH": ROOT}
    if postgres:
        bench_url = urlunsplit(urlsplit(url)._replace(path=f"/{BENCH_DB}"))
        pg_admin(url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        pg_admin(url, f"CREATE DATABASE {BENCH_DB}")
        env["DATABASE_URL"] = bench_url
    else:
        env.pop("DATABASE_URL", None)
    os.environ.update(env)
    try:
        subprocess.run(
            [PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
        sys.path.insert(0, ROOT)
        import django

        django.setup()
        print(f"数据库：{'PostgreSQL' if postgres else 'SQLite'}")
        run(args)
    finally:
        if postgres:
            from django.db import connections

            connections.close_all()
            pg_admin(url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        tmp.cleanup()


def run(args) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from govhall.cases.models import Case
    from govhall.cases.selectors_flow import dashboard_counts, dashboard_list
    from govhall.cases.services.monitoring import cases_deadline_alerts
    from govhall.catalog.testing import make_item
    from govhall.core import workdays
    from govhall.notifications.models import OutboxMessage
    from govhall.org.testing import make_center, make_department, make_user

    center = make_center("BENCH", "压测政务服务中心", short_name="压测")
    manager = make_user("bench-manager", ("manager", center), phone="13900000000")
    admin = make_user("bench-admin", superuser=True)
    items = []
    for d in range(args.departments):
        department = make_department(center, f"D{d:02d}", f"压测部门{d:02d}", short_name=f"压{d}")
        make_user(f"bench-approver-{d}", ("approver", center, department), phone=f"1380000{d:04d}")
        items.append(make_item(center, department, f"BENCH-{d:02d}", f"压测事项{d:02d}"))
    now = timezone.now()
    today = timezone.localdate()
    received = now - dt.timedelta(days=20)
    day = timezone.localtime(received).date()
    soon = [workdays.add_workdays(today, k) for k in range(-3, 3)]  # red and yellow
    later = [workdays.add_workdays(today, k) for k in range(3, 40)]  # green
    rows: list[Case] = []
    started = time.monotonic()
    for n in range(args.open):
        item = items[n % len(items)]
        late = (n * 7919) % 1000 < args.late
        due = soon[n % len(soon)] if late else later[n % len(later)]
        rows.append(
            Case(
                number=f"BENCH-MON-{n:07d}",
                center=center,
                year=day.year,
                serial=n + 1,
                item=item,
                guide=item.published,
                department=item.department,
                channel="online",
                status="approving",
                status_changed_at=received,
                applicant_kind="person",
                applicant_name="李四",
                id_type="resident_id",
                id_number="230102199001010011",
                phone="13900001234",
                received_at=received,
                review_start=day,
                acceptance_due=day,
                deemed_promised_due=day,
                accepted_on=day,
                promised_due=workdays.add_workdays(due, 1),
                handover_due=due,
            )
        )
        if len(rows) == 10_000:
            with transaction.atomic():
                Case.objects.bulk_create(rows)
            rows = []
    if rows:
        with transaction.atomic():
            Case.objects.bulk_create(rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE cases_case")
    took = time.monotonic() - started
    print(f"准备 {args.open} 件在办办件（{args.departments} 个部门）：{took:.1f} s")

    for label, user in (("超级管理员（全部中心）", admin), ("中心管理人员", manager)):
        timings = []
        for _ in range(3):
            began = time.monotonic()
            counts = dashboard_counts(user, today)
            timings.append(time.monotonic() - began)
        total = sum(r["total"] for r in counts)
        red = sum(r["red"] for r in counts)
        yellow = sum(r["yellow"] for r in counts)
        print(
            f"看板计数（{label}）：{total} 件，红 {red}、黄 {yellow}；"
            f"最快 {min(timings):.2f} s，最慢 {max(timings):.2f} s（目标 ≤ 1 s）"
        )
    began = time.monotonic()
    listed = len(list(dashboard_list(manager, today)))
    print(f"看板清单（前 200 件）：{listed} 件 / {time.monotonic() - began:.2f} s")

    began = time.monotonic()
    written = cases_deadline_alerts(now)
    took = time.monotonic() - began
    messages = OutboxMessage.objects.filter(template="case_deadline_alert").count()
    print(f"预警任务：{written} 条预警、{messages} 条短信 / {took:.1f} s（目标 ≤ 10 s）")
    began = time.monotonic()
    again = cases_deadline_alerts(now)
    print(f"预警任务再次运行：{again} 条 / {time.monotonic() - began:.1f} s")


if __name__ == "__main__":
    main()
