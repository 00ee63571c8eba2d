#!/usr/bin/env python
"""Instructions per queue request, counted by valgrind (callgrind), against the bare views.

bench/queue_load.py measures requests/s on a loaded 2-core machine, where one round of the
same code moves by ±0.1 in ratio (and where the two virtual cores here slow each other
down: a pure-Python loop takes twice the CPU time while the other core is busy). This
counts machine instructions instead, which repeat exactly from run to run: each request
goes through the production WSGI application (bench/bench_wsgi.py: govhall plus the two
bare views; no HTTP server, so gunicorn's share — the same for every request — is left
out) in one thread on a temporary SQLite database, the worker not running.

    .venv/bin/python bench/queue_instructions.py [--requests 40]

Prints instructions per request of each kind and the ratio to the bare one-row insert;
the inverse of that ratio is the requests/s ratio those two would have if the CPU were the
only limit and the HTTP server cost nothing. Needs valgrind (Debian's package).

How: a few lines of C built here with gcc (valgrind's callgrind.h client requests) let the
child process start callgrind's instrumentation after its imports, zero the counts before
each kind's measured requests and write a profile after them, so imports, set-up and
warm-up requests are not counted.
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile

from bench_common import BENCH_SETTINGS, prepare_database

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WINDOWS = 40
KINDS = ("json", "insert", "issue", "call-next", "finish", "call-next {finish}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="measured per kind")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(json.loads(args.child), args.requests)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    tmp = tempfile.mkdtemp(prefix="govhall-bench-instr-")
    try:
        _parent(tmp, args.requests)
    finally:
        if not os.environ.get("KEEP_BENCH_DIR"):
            shutil.rmtree(tmp, ignore_errors=True)


def _parent(tmp: str, requests: int) -> None:
    env = {
        **os.environ,
        **BENCH_SETTINGS,
        "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
        "GOVHALL_DATA_DIR": tmp,
        "PYTHONPATH": ROOT,
    }
    slots = prepare_database(env, WINDOWS)
    if requests + 2 > WINDOWS:
        raise SystemExit(f"--requests at most {WINDOWS - 2}")
    # Waiting tickets for every call of the run (warm-up included), through the service.
    fill = [sys.executable, "bench/bench_setup.py", "fill", str(6 * requests + 100)]
    subprocess.run(fill, cwd=ROOT, env=env, check=True)
    out = os.path.join(tmp, "callgrind.out")
    cmd = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={out}",
        sys.executable,
        os.path.abspath(__file__),
        "--requests",
        str(requests),
        "--child",
        json.dumps({"slots": slots, "library": _client_library(tmp)}),
    ]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit(f"valgrind exited with {done.returncode}")
    if os.environ.get("KEEP_BENCH_DIR"):
        print(f"profiles kept in {tmp}")
    counts = _dumped_totals(out)
    if len(counts) != len(KINDS):
        raise SystemExit(f"expected {len(KINDS)} profiles, found {counts}: {os.listdir(tmp)}")
    per_request = {kind: count / requests for kind, count in zip(KINDS, counts, strict=True)}
    base = per_request["insert"]
    print(
        f"instructions per request (callgrind, {requests} each, in-process WSGI on SQLite, "
        "no HTTP server):"
    )
    for kind, value in per_request.items():
        print(f"   {kind:<22}{value / 1e6:>8.2f} M   {value / base:>5.2f} × the bare insert")


CLIENT_C = """
#include <valgrind/callgrind.h>
void govhall_count_start(void) { CALLGRIND_START_INSTRUMENTATION; }
void govhall_count_zero(void) { CALLGRIND_ZERO_STATS; }
void govhall_count_dump(void) { CALLGRIND_DUMP_STATS; }
"""


def _client_library(tmp: str) -> str:
    source, library = os.path.join(tmp, "count.c"), os.path.join(tmp, "count.so")
    with open(source, "w") as f:
        f.write(CLIENT_C)
    subprocess.run(["gcc", "-shared", "-fPIC", "-O1", "-o", library, source], check=True)
    return library


def _dumped_totals(out: str) -> list[int]:
    """The event total of each numbered profile (one per client dump), in order; the
    profile written at exit (unnumbered) holds what ran after the last one."""
    numbered = [f for f in glob.glob(out + ".*") if f.rsplit(".", 1)[-1].isdigit()]
    totals = []
    for path in sorted(numbered, key=lambda f: int(f.rsplit(".", 1)[-1])):
        with open(path) as f:
            for line in f:
                if line.startswith("totals:"):
                    totals.append(int(line.split()[1]))
                    break
    return totals


# --- child: runs under valgrind ------------------------------------------------------------


class _RequestClock:
    """time.monotonic and time.time for the caches of a process, moved on 2 ms a request,
    as in a server answering 500 requests/s: under valgrind a request takes some 50 times
    longer, and on the real clock those caches (5 s) would expire every few requests and
    load their rows again, which a running server does not do."""

    def __init__(self) -> None:
        import time

        self.started = time.time()
        self.now = 0.0

    def tick(self) -> None:
        self.now += 0.002

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.started + self.now


def _child(given: dict, requests: int) -> None:
    sys.path.insert(0, ROOT)
    from django.core.cache.backends import locmem

    from bench.bench_wsgi import application
    from govhall.core import caching, workdays

    slots = given["slots"]
    count = ctypes.CDLL(given["library"])
    count.govhall_count_start()
    clock = _RequestClock()
    # The clocks of the per-process caches, the calendar's recheck and the local-memory
    # cache (the estimate's inputs): see _RequestClock.
    caching.time = workdays.time = locmem.time = clock

    def call(method: str, path: str, body=None, token=None) -> tuple[int, bytes]:
        data = json.dumps(body).encode() if body is not None else b""
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(data)),
            "wsgi.input": io.BytesIO(data),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        if token:
            environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        clock.tick()
        status: list[str] = []
        body_out = b"".join(application(environ, lambda s, h, e=None: status.append(s)))
        return int(status[0][:3]), body_out

    def expect(answer: tuple[int, bytes], code: int) -> bytes:
        if answer[0] != code:
            raise SystemExit(f"expected {code}, got {answer[0]}: {answer[1][:300]!r}")
        return answer[1]

    def call_next(slot: dict, finish: int | None = None) -> int:
        body = {"finish": finish} if finish else None
        path = f"/api/v1/windows/{slot['window']}/call-next"
        return json.loads(expect(call("POST", path, body, slot["token"]), 200))["id"]

    def finish(slot: dict, ticket: int) -> None:
        expect(call("POST", f"/api/v1/tickets/{ticket}/finish", None, slot["token"]), 200)

    windows = slots[:requests]
    chained = slots[requests]  # the window that presses 办结并叫下一位 again and again
    held: dict[int, int] = {}
    state = {"cnf": None}

    def one(kind: str, i: int) -> None:
        if kind == "json":
            expect(call("GET", "/bench/json"), 200)
        elif kind == "insert":
            expect(call("POST", "/bench/insert", {}), 201)
        elif kind == "issue":
            expect(call("POST", "/api/v1/tickets", {"center": "BENCH", "category": "A"}), 201)
        elif kind == "call-next":
            held[i] = call_next(windows[i])
        elif kind == "finish":
            finish(windows[i], held.pop(i))
        else:
            state["cnf"] = call_next(chained, state["cnf"])

    # Warm-up, not counted (but instrumented, so that valgrind's translations are made and
    # the bytecode specialised): every window calls and finishes once (each window's rows
    # are cached per process, as in a running server); the other kinds a few times each.
    for kind in KINDS:
        for i in range(requests if kind in ("call-next", "finish") else 3):
            one(kind, i)

    for kind in KINDS:
        count.govhall_count_zero()
        for i in range(requests):
            one(kind, i)
        count.govhall_count_dump()


if __name__ == "__main__":
    main()
