"""Cases II part of bench/cases.py (`--parts monitoring`): the time-limit dashboard counts
and the alert job over `--open` open cases (targets, issue 20, at 1,000,000 on PostgreSQL:
dashboard counts ≤ 1 s, alert job ≤ 10 s).

The open cases are in approval in `--departments` departments, their result handover dates
spread over the coming weeks; `--late` per thousand (default 10: 1 %, the same share as the
sweep's due cases) are due within the yellow window or already past it, so the alert job of
the day writes that many alerts, each with an outbox SMS to the department's approver and
the center's manager."""

from __future__ import annotations

import datetime as dt
import os
import time


def monitoring(args, fixture: dict) -> None:
    from bench_cases_fill import analyze, fill
    from django.utils import timezone

    from govhall.cases.models import Case
    from govhall.cases.selectors_flow import dashboard_counts, dashboard_list
    from govhall.cases.services.monitoring import cases_deadline_alerts
    from govhall.catalog.testing import make_item
    from govhall.notifications.models import OutboxMessage
    from govhall.org.testing import make_department, make_user

    center = fixture["center"]
    manager = make_user("bench-manager", ("manager", center), phone="13900000000")
    admin = make_user("bench-admin", superuser=True)
    now = timezone.now()
    today = timezone.localdate()
    received = now - dt.timedelta(days=20)
    day = timezone.localtime(received).date()
    per_department = args.open // args.departments
    late = f"((n * 7919) %% 1000) < {args.late}"
    # late: today-3 … today+2 (red, yellow); the others 15 … 64 days ahead (green)
    offset = f"CASE WHEN {late} THEN (n %% 6) - 3 ELSE 15 + (n %% 50) END"
    took = 0.0
    for d in range(args.departments):
        department = make_department(center, f"D{d:02d}", f"压测部门{d:02d}", short_name=f"压{d}")
        make_user(f"bench-approver-{d}", ("approver", center, department), phone=f"1380000{d:04d}")
        item = make_item(center, department, f"BENCH-M{d:02d}", f"压测事项{d:02d}")
        model = Case.objects.create(
            number=f"BENCH-M{d:02d}-0000000",
            center=center,
            year=day.year,
            serial=1_000_000 + d * (per_department + 1),
            item=item,
            guide=item.published,
            department=department,
            channel="online",
            status="withdrawn",
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
            promised_due=today + dt.timedelta(days=90),
            handover_due=today,
        )
        took += fill(
            model,
            per_department,
            {
                "status": ("'approving'", "'approving'"),
                "handover_due": (
                    f"t.handover_due + ({offset})",
                    f"date(t.handover_due, ({offset}) || ' day')",
                ),
            },
            prefix=f"BENCH-M{d:02d}",
        )
    began = time.monotonic()
    analyze()
    print(
        f"准备 {per_department * args.departments} 件在办办件（{args.departments} 个部门，"
        f"每千件 {args.late} 件临近或超期）：{took:.1f} s，"
        f"VACUUM ANALYZE {time.monotonic() - began:.1f} s"
    )
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
            f"最快 {min(timings):.2f} s，最慢 {max(timings):.2f} s（目标 ≤ 1 s）{_load()}"
        )
    began = time.monotonic()
    listed = len(list(dashboard_list(manager, today)))
    print(f"看板清单（前 200 件）：{listed} 件 / {time.monotonic() - began:.2f} s{_load()}")

    began = time.monotonic()
    written = cases_deadline_alerts(now)
    took = time.monotonic() - began
    messages = OutboxMessage.objects.filter(template__startswith="case_deadline_").count()
    print(f"预警任务：{written} 条预警、{messages} 条短信 / {took:.2f} s（目标 ≤ 10 s）{_load()}")
    began = time.monotonic()
    again = cases_deadline_alerts(now)
    print(f"预警任务再次运行：{again} 条 / {time.monotonic() - began:.2f} s{_load()}")


def _load() -> str:
    return f"［负载 {os.getloadavg()[0]:.1f}］"
