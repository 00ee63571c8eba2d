"""How fast govhall counts working days, against chinese-calendar's find_workday.

    .venv/bin/python bench/workdays.py [--calls 1000000] [--use-configured-db]

By default it migrates a throwaway SQLite database in a temporary directory (the calendar
is seeded from chinese-calendar by the migration), so it never touches real data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(use_configured_db: bool) -> None:
    if not use_configured_db:
        tmp = tempfile.mkdtemp(prefix="govhall-bench-")
        os.environ["GOVHALL_DATA_DIR"] = tmp
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    if not use_configured_db:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def rate(calls: int, seconds: float) -> str:
    return f"{calls:>10,} 次  {seconds:7.2f} 秒  {calls / seconds:>12,.0f} 次/秒"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--reference-calls", type=int, default=2_000)
    parser.add_argument("--use-configured-db", action="store_true")
    args = parser.parse_args()
    setup(args.use_configured_db)

    import chinese_calendar

    from govhall.core import workdays

    rng = random.Random(2026)
    first, last = dt.date(2005, 1, 1).toordinal(), dt.date(2026, 9, 30).toordinal()
    days = [dt.date.fromordinal(rng.randint(first, last)) for _ in range(10_000)]
    counts = [rng.randint(1, 60) for _ in range(10_000)]

    started = time.perf_counter()
    workdays.add_workdays(days[0], 1)  # builds the index
    print(f"索引构建：{(time.perf_counter() - started) * 1000:.1f} 毫秒")

    add = workdays.add_workdays
    started = time.perf_counter()
    for i in range(args.calls):
        add(days[i % 10_000], counts[i % 10_000])
    print("add_workdays       ", rate(args.calls, time.perf_counter() - started))

    between = workdays.workdays_between
    ends = [add(d, n) for d, n in zip(days, counts, strict=True)]
    started = time.perf_counter()
    for i in range(args.calls):
        between(days[i % 10_000], ends[i % 10_000])
    print("workdays_between   ", rate(args.calls, time.perf_counter() - started))

    # find_workday(k, d) starts from the first working day on or after d, so "the nth
    # working day after d" is find_workday(n - 1, d + 1 day).
    one = dt.timedelta(days=1)
    started = time.perf_counter()
    for i in range(args.reference_calls):
        chinese_calendar.find_workday(counts[i % 10_000] - 1, days[i % 10_000] + one)
    reference = time.perf_counter() - started
    print("chinese_calendar.find_workday", rate(args.reference_calls, reference))

    mismatches = sum(
        add(d, n) != chinese_calendar.find_workday(n - 1, d + one)
        for d, n in zip(days[:2_000], counts[:2_000], strict=True)
    )
    print(f"与 chinese_calendar 对比 2000 例：不一致 {mismatches} 例")


if __name__ == "__main__":
    main()
