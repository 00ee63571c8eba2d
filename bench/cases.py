"""Cases: window intake through a real gunicorn server, the deemed-acceptance sweep and the
time-limit monitoring (dashboard counts, alert job) over many open cases.

    .venv/bin/python bench/cases.py                      # SQLite in a temporary directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/cases.py

On PostgreSQL the server and user of DATABASE_URL are used, never its database: a throwaway
database `<its name>_bench_cases` is created and dropped (`--keep` keeps it). Each of
`--parts` (default intake,sweep,monitoring) runs in its own process and fresh database.
Options: --seconds N (intake run, default 15), --connections N (default 8), --open N
(open cases, default 1,000,000; on SQLite 20,000), --due N (of them due for the sweep,
default 1 % of --open),
--late N (per thousand turning yellow or red for the alert job, default 10), --departments
N (monitoring, default 20), --batch N (sweep batch, default 5000), --port N (default 8608),
--profile (cProfile of the sweep). Targets (issues 19, 20): intake ≥ 50/s with p99 ≤ 300 ms;
sweep ≤ 10 s, dashboard counts ≤ 1 s and alert job ≤ 10 s at 1,000,000 open cases on
PostgreSQL.

Intake: POST /api/v1/cases of a complete case with 6 paper materials (a received case, its
checklist, the 收件凭证 PDF, the SMS in the outbox) over `--connections` keep-alive
connections; intakes/s and latency percentiles. Sweep: the due cases, found through the
(status, acceptance_due) index, moved by `cases_deem_accepted` (one conditional UPDATE per
batch, events and outbox SMS in one bulk insert each, one audit entry per batch).
Monitoring: bench/bench_cases_monitoring.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from urllib.parse import urlsplit, urlunsplit

from bench_common import BENCH_SETTINGS, pg_admin

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = sys.executable
GUNICORN = os.path.join(os.path.dirname(PY), "gunicorn")
BENCH_DB = "govhall_bench_cases"


def bench_db_name(url: str) -> str:
    """The throwaway database: `<database of DATABASE_URL>_bench_cases`, so two people
    benchmarking on one server (each with their own database) never drop each other's."""
    name = urlsplit(url).path.lstrip("/")
    return f"{name}_bench_cases" if name else BENCH_DB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--open", type=int, default=None, help="1,000,000 (SQLite: 20,000)")
    parser.add_argument("--due", type=int, default=None, help="due for the sweep (1 %%)")
    parser.add_argument("--late", type=int, default=10, help="alerts per thousand open cases")
    parser.add_argument("--departments", type=int, default=20)
    parser.add_argument("--port", type=int, default=8608)
    parser.add_argument("--batch", type=int, default=5000, help="deemed sweep batch size")
    parser.add_argument("--parts", default="intake,sweep,monitoring")
    parser.add_argument("--profile", action="store_true", help="cProfile the sweep")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    postgres = url.startswith(("postgres://", "postgresql://"))
    if args.open is None:
        args.open = 1_000_000 if postgres else 20_000
    if args.due is None:
        args.due = args.open // 100
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    if len(parts) > 1:  # each part in its own process and its own fresh database
        for part in parts:
            skip = ("parts", "profile", "keep")
            argv = [f"--{k}={v}" for k, v in vars(args).items() if k not in skip]
            subprocess.run([PY, __file__, *argv, f"--parts={part}"], check=True)
        return
    tmp = tempfile.TemporaryDirectory(prefix="govhall-bench-cases-")
    env = {**os.environ, **BENCH_SETTINGS, "GOVHALL_DATA_DIR": tmp.name, "PYTHONPATH": ROOT}
    if postgres:
        bench_db = bench_db_name(url)
        bench_url = urlunsplit(urlsplit(url)._replace(path=f"/{bench_db}"))
        pg_admin(url, f'DROP DATABASE IF EXISTS "{bench_db}" WITH (FORCE)')
        pg_admin(url, f'CREATE DATABASE "{bench_db}"')
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
        fixture = setup()
        print(f"数据库：{'PostgreSQL' if postgres else 'SQLite'}")
        if "intake" in parts:
            intake(args, env, fixture)
        if "sweep" in parts:
            sweep(args, fixture)
        if "monitoring" in parts:
            from bench_cases_monitoring import monitoring

            monitoring(args, fixture)
    finally:
        if postgres and not args.keep:
            from django.db import connections

            connections.close_all()
            pg_admin(url, f'DROP DATABASE IF EXISTS "{bench_db}" WITH (FORCE)')
        tmp.cleanup()


def setup() -> dict:
    import secrets

    from govhall.catalog.testing import make_item
    from govhall.core.models import ApiToken
    from govhall.org.testing import make_center, make_department, make_user

    center = make_center("BENCH", "压测政务服务中心", short_name="压测")
    department = make_department(center, "SCJG", "压测市场监督管理局", short_name="压市监")
    item = make_item(
        center,
        department,
        "BENCH-001",
        "食品经营许可",
        basis="《中华人民共和国食品安全法》第三十五条",
        materials=[{"name": f"材料{i}", "position": i} for i in range(1, 7)],
    )
    clerk = make_user("bench-clerk", ("clerk", center), display_name="压测窗口")
    key = "gh_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=clerk, prefix=key[:10], key_hash=ApiToken.hash_key(key))
    materials = [
        {"material_id": m.pk, "form": "paper", "copies": 1, "original_checked": True}
        for m in item.published.materials.order_by("position")
    ]
    return {"center": center, "item": item, "clerk": clerk, "token": key, "materials": materials}


def _id(n: int) -> str:
    from govhall.core.validators import id_card_check_char

    first17 = f"2301021990{(n % 12) + 1:02d}{(n % 28) + 1:02d}{n % 1000:03d}"
    return first17 + id_card_check_char(first17)


def intake(args, env: dict, fixture: dict) -> None:
    server = subprocess.Popen(
        [
            GUNICORN,
            "govhall.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--keep-alive",
            "10",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_up(args.port, server)
        latencies: list[float] = []
        failures: list[int] = []
        lock = threading.Lock()
        stop_at = time.monotonic() + args.seconds
        body_of = lambda n: json.dumps(  # noqa: E731
            {
                "center": "BENCH",
                "item_code": "BENCH-001",
                "channel": "window",
                "applicant": {
                    "kind": "person",
                    "name": "张三",
                    "id_number": _id(n),
                    "phone": f"138{n % 100000000:08d}",
                },
                "materials": fixture["materials"],
            }
        )
        headers = {
            "Authorization": f"Bearer {fixture['token']}",
            "Content-Type": "application/json",
        }

        def client(k: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
            n = k * 1_000_000
            while time.monotonic() < stop_at:
                n += 1
                started = time.perf_counter()
                conn.request("POST", "/api/v1/cases", body_of(n), headers)
                response = conn.getresponse()
                response.read()
                elapsed = time.perf_counter() - started
                with lock:
                    if response.status == 201:
                        latencies.append(elapsed)
                    else:
                        failures.append(response.status)

        threads = [threading.Thread(target=client, args=(k,)) for k in range(args.connections)]
        began = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.monotonic() - began
    finally:
        server.terminate()
        server.wait(20)
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    print(
        f"收件（6份材料，含收件凭证PDF）：{len(latencies)} 件 / {took:.1f} s = "
        f"{len(latencies) / took:.1f} 件/s，{args.connections} 连接；"
        f"p50 {p(0.5):.0f} ms，p99 {p(0.99):.0f} ms，均值 "
        f"{statistics.mean(latencies) * 1000:.0f} ms；失败 {len(failures)} {sorted(set(failures))}"
    )


def _wait_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/api/v1/health")
            if c.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def sweep(args, fixture: dict) -> None:
    """`--open` open cases in the table, `--due` of them (spread evenly) past their
    acceptance due; the sweep finds those through the (status, acceptance_due) index."""
    from bench_cases_fill import analyze, fill
    from django.utils import timezone

    from govhall.cases.models import Case
    from govhall.cases.services import cases_deem_accepted

    center, item = fixture["center"], fixture["item"]
    received = timezone.now() - dt.timedelta(days=30)
    day = timezone.localtime(received).date()
    start = Case.objects.filter(center=center).count()
    model = Case(
        number="BENCH-OPEN-0000000",
        center=center,
        year=day.year,
        serial=500_000,
        item=item,
        guide=item.published,
        department=item.department,
        channel="online",
        status="withdrawn",
        status_changed_at=received,
        applicant_kind="person",
        applicant_name="李四",
        id_type="resident_id",
        id_number=_id(1),
        phone="13900000000",
        received_at=received,
        review_start=day,
        acceptance_due=day + dt.timedelta(days=7),
        deemed_promised_due=day + dt.timedelta(days=14),
    )
    model.save()
    due = min(args.due, args.open)
    every = max(1, args.open // max(1, due))
    is_due = f"(n %% {every} = 0 AND n / {every} <= {due})"
    took = fill(
        model,
        args.open,
        {
            "status": ("'received'", "'received'"),
            "acceptance_due": (
                f"CASE WHEN {is_due} THEN t.acceptance_due ELSE t.acceptance_due + 60 END",
                f"CASE WHEN {is_due} THEN t.acceptance_due "
                "ELSE date(t.acceptance_due, '+60 day') END",
            ),
        },
        prefix="BENCH-OPEN",
    )
    began = time.monotonic()
    analyze()
    print(
        f"准备 {args.open} 件待受理办件（其中 {due} 件已逾受理审查期限）：{took:.1f} s，"
        f"VACUUM ANALYZE {time.monotonic() - began:.1f} s"
    )
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    began = time.monotonic()
    moved = cases_deem_accepted(now=timezone.now(), batch_size=args.batch)
    took = time.monotonic() - began
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "tottime")).print_stats(
            int(os.environ.get("TOP", "25"))
        )
    print(
        f"逾期视为受理扫描：{args.open + start} 件待受理中 {moved} 件到期 / {took:.2f} s = "
        f"{moved / took:.0f} 件/s（每批 {args.batch} 件：一条 UPDATE，事件与短信各一次批量写入，"
        f"一条审计）{load()}"
    )


def load() -> str:
    return f"［负载 {os.getloadavg()[0]:.1f}］"


if __name__ == "__main__":
    main()
