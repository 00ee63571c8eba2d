#!/usr/bin/env python
"""Queue load test against a real gunicorn server.

For a temporary SQLite database (always) and PostgreSQL (when DATABASE_URL is set; a
throwaway database `<its name>_bench_queue` is created and dropped), it starts gunicorn with
bench/bench_wsgi.py (govhall plus two bare Django views) and measures, with 32 concurrent
keep-alive connections (2 client processes, each an event loop over 16 sockets, so the
client takes little of the two cores it shares with the server):

  bare JSON view · bare one-row insert · POST /api/v1/tickets (all into one category, the
  worst case for its gapless counter, then spread over 8 categories as kiosks of a hall
  would) · POST call-next (+ finish)

printing requests/s, p50 and p99 and the ratio to the bare insert, and per scenario the CPU
milliseconds per request of the server's processes and of the worker. The insert and the queue
scenarios run in rounds (--rounds, default 5); the bare insert is measured before the issue
scenarios, before each call scenario and after the last, and each ratio is taken against the
mean of the two inserts around its scenario (the machine's speed drifts). Each scenario
starts once the worker has sealed the audit entries of the previous ones (so none pays for
another's backlog), and its first half second is a warm-up that is not counted (WARMUP; its
worst latency is printed); the summary gives the medians. Then it connects 200
display-board clients polling /api/v1/display/<center> (every 500 ms, ETag/304) and
measures the time from each call-next to its arrival at every board (p50/p99). The
background worker runs beside the server throughout, as in production (scripts/run.sh).

Before call-next the queue is topped up (bench_setup.py fill, through the real issuing
service) so the windows make real calls, not cheap 204 "nobody waits" answers. A window
holds one ticket at a time: either each call-next finishes the previous ticket
(`{"finish": id}`, the console's one key) or a finish request follows each call-next; the
second is reported per request type and as the rate of both requests together. The board
clients poll until the caller is done, so a slow call on a loaded machine is measured
late, not counted as missed.

    .venv/bin/python bench/queue_load.py                        # SQLite only
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/queue_load.py
    .venv/bin/python bench/queue_load.py --chains center,main,fine   # compare audit chains

Options: --port (default 8111), --seconds per scenario (default 4), --rounds (default 5:
these machines' speed moves by a fifth within a minute), --sqlite-only, --postgres-only,
--workers/--threads of gunicorn (default 2 × 4, as scripts/run.sh).
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import multiprocessing as mp
import os
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any
from urllib.parse import urlparse, urlunparse

from bench_common import (
    BENCH_SETTINGS,
    pg_admin,
    prepare_database,
    vacuum_if_autovacuum_off,
    wait_for_sealing,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = sys.executable
GUNICORN = os.path.join(os.path.dirname(PY), "gunicorn")
CONNECTIONS = 32
PROCESSES = 4  # board clients
LOAD_PROCESSES = 2  # load clients: an event loop each, over half the connections
BOARDS = 200
BOARD_POLL = 0.5
BOARD_CALLS = 10
# Each scenario's first half second is not counted: its requests are the first after a
# pause of several seconds (the previous scenario's audit sealing, the queue's top-up), in
# which the processes' caches expired (5 s) and PostgreSQL's VACUUM ANALYZE made every
# connection plan its prepared statements again; all 32 connections then send at the same
# instant. Measured without it, those first requests alone made the p99 of issue 111 →
# 180 ms in one run (97 → 92 ms without the first 0.3 s in another). Their worst latency is
# printed with each round, so the cold start is seen, not hidden.
WARMUP = 0.5
WORKERS = 2
THREADS = 4


# --- server ------------------------------------------------------------------------------


def server_env(database_url: str, data_dir: str, chain: str) -> dict[str, str]:
    env = {**os.environ, **BENCH_SETTINGS}
    env.update(
        DATABASE_URL=database_url,
        GOVHALL_DATA_DIR=data_dir,
        BENCH_AUDIT_CHAIN=chain,
        PYTHONPATH=ROOT,
    )
    return env


def _fill(env: dict[str, str], waiting: int, calls: int) -> int:
    """Enough waiting tickets that call-next never runs dry (a drained queue answers 204,
    which is cheaper than a call and would flatter the figure): tops the line up from
    `waiting` to `calls`; returns how many wait then."""
    want = calls - waiting
    if want > 0:
        subprocess.run(
            [PY, "bench/bench_setup.py", "fill", str(want)], cwd=ROOT, env=env, check=True
        )
    return max(waiting, calls)


def start_worker(env: dict[str, str]) -> subprocess.Popen:
    """The background worker, as scripts/run.sh runs it beside the server: it seals the
    audit entries the requests write and, on SQLite, checkpoints the write-ahead log —
    work the requests leave to it, so it is measured on the same two cores."""
    return subprocess.Popen(
        [PY, "manage.py", "run_worker"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )


def start_server(env: dict[str, str], port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            GUNICORN,
            "bench.bench_wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--threads",
            str(THREADS),
            "--worker-class",
            "gthread",
            "--keep-alive",
            "10",
            "--reuse-port",  # as scripts/run.sh: connections spread over the workers
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 120  # a loaded 2-core machine imports Django slowly
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/bench/json")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("gunicorn did not start")


def stop_server(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGQUIT)  # quick shutdown: do not wait for keep-alive boards
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


# --- load --------------------------------------------------------------------------------


def request(conn, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    resp = conn.getresponse()
    return resp.status, resp.read()


class _Window:
    """What one connection asks next in a scenario, and what it makes of the answer."""

    def __init__(self, scenario: str, slot: dict) -> None:
        self.scenario = scenario
        self.slot = slot
        self.holding: int | None = None  # the ticket at this window (call-next scenarios)
        self.pending_finish: int | None = None  # call-then-finish: finish this one next

    def next_request(self) -> tuple[str, bytes]:
        """(kind, the request's bytes)."""
        scenario, slot = self.scenario, self.slot
        if scenario == "json":
            return "json", _http("GET", "/bench/json")
        if scenario == "insert":
            return "insert", _http("POST", "/bench/insert", {})
        if scenario in ("issue", "issue-8"):
            letter = "A" if scenario == "issue" else slot["letter"]
            body = {"center": "BENCH", "category": letter}
            return "issue", _http("POST", "/api/v1/tickets", body)
        if self.pending_finish is not None:
            path = f"/api/v1/tickets/{self.pending_finish}/finish"
            return "finish", _http("POST", path, None, slot["token"])
        # call-next: one key per person (finish the one at the window, call the next), or
        # a bare call-next whose ticket a finish request follows (call-then-finish).
        body = {"finish": self.holding} if scenario == "call-next" and self.holding else None
        path = f"/api/v1/windows/{slot['window']}/call-next"
        return "call-next", _http("POST", path, body, slot["token"])

    def answered(self, kind: str, status: int, body: bytes) -> None:
        if kind == "finish":
            self.pending_finish = None
        elif kind == "call-next":
            called = json.loads(body)["id"] if status == 200 else None
            if self.scenario == "call-next":
                self.holding = called
            else:
                self.pending_finish = called

    def leftover(self) -> int | None:
        """The ticket still at the window when time is up (finished, not counted)."""
        return self.holding or self.pending_finish


def _http(method: str, path: str, body=None, token=None) -> bytes:
    payload = json.dumps(body).encode() if body is not None else b""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    head += f"Content-Length: {len(payload)}\r\n\r\n"
    return head.encode() + payload


class _Connection:
    """One keep-alive connection of the event loop: a request out, its response in."""

    def __init__(self, port: int, window: _Window) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.window = window
        self.buffer = b""
        self.kind = ""
        self.sent_at = 0.0
        self.sent_clock = 0.0  # time.monotonic() at sending, to tell warm-up requests

    def send_next(self) -> None:
        self.kind, data = self.window.next_request()
        self.buffer = b""
        self.sent_at = time.perf_counter()
        self.sent_clock = time.monotonic()
        self.sock.sendall(data)  # a few hundred bytes: the socket buffer takes them at once

    def response(self) -> tuple[int, bytes] | None:
        """The response once it is complete (None: wait for more bytes)."""
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buffer += chunk
        head_end = self.buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return None
        head = self.buffer[:head_end].decode("latin-1")
        length = 0
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
        if len(self.buffer) < head_end + 4 + length:
            return None
        return int(head[9:12]), self.buffer[head_end + 4 : head_end + 4 + length]


def _load_proc(args):
    """One client process: an event loop over its connections (no thread per connection:
    threads of one process would queue for its interpreter lock, adding their wait to the
    latencies measured and taking CPU from the server on the same two cores)."""
    port, scenario, slots, start_at, seconds = args
    connections = [_Connection(port, _Window(scenario, slot)) for slot in slots]
    selector = selectors.DefaultSelector()
    for conn in connections:
        selector.register(conn.sock, selectors.EVENT_READ, conn)
    while time.monotonic() < start_at:
        time.sleep(0.005)
    counted_from = start_at + WARMUP
    deadline = counted_from + seconds
    lat: dict[str, list[float]] = {}
    warm: dict[str, list[float]] = {}  # the warm-up's latencies (not counted)
    errors = empty = 0
    for conn in connections:
        conn.send_next()
    open_connections = len(connections)
    while open_connections:
        for key, _ in selector.select(timeout=30):
            conn = key.data
            answer = conn.response()
            if answer is None:
                continue
            status, body = answer
            into = lat if conn.sent_clock >= counted_from else warm
            into.setdefault(conn.kind, []).append(time.perf_counter() - conn.sent_at)
            if status == 204:
                empty += 1
            elif status >= 300:
                errors += 1
            conn.window.answered(conn.kind, status, body)
            if time.monotonic() < deadline:
                conn.send_next()
            else:
                selector.unregister(conn.sock)
                open_connections -= 1
    for conn in connections:
        conn.sock.close()
        leftover = conn.window.leftover()
        if leftover:  # leave the window free for the next run (not counted)
            http_conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            path = f"/api/v1/tickets/{leftover}/finish"
            request(http_conn, "POST", path, token=conn.window.slot["token"])
    return [(lat, warm, errors, empty)]


# The processes whose CPU time each scenario reports: {"server": gunicorn's master (its
# workers are found through it), "worker": the background worker, "database": 1 when the
# database is a PostgreSQL server on this machine (its processes are found by name)}.
_measured: dict[str, int] = {}


def _cpu_seconds(pid: int) -> float:
    """utime + stime of one process, from /proc (Linux)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _server_pids(master: int) -> list[int]:
    try:
        with open(f"/proc/{master}/task/{master}/children") as f:
            return [master, *map(int, f.read().split())]
    except OSError:
        return [master]


def _postgres_pids() -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as f:
                    if f.read().strip() == "postgres":
                        pids.append(int(entry))
            except OSError:
                continue
    return pids


def _cpu_now() -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "server" in _measured:
        out["server"] = sum(_cpu_seconds(p) for p in _server_pids(_measured["server"]))
    if "worker" in _measured:
        out["worker"] = _cpu_seconds(_measured["worker"])
    if _measured.get("database"):
        # Per process: a connection opened during the scenario counts from zero (one that
        # closed during it is lost; the server's and the worker's connections persist).
        out["database"] = {pid: _cpu_seconds(pid) for pid in _postgres_pids()}
    return out


def _cpu_used(before: dict[str, Any], after: dict[str, Any], name: str) -> float:
    if name == "database":
        return sum(cpu - before[name].get(pid, 0.0) for pid, cpu in after[name].items())
    return after[name] - before[name]


def run_load(port, scenario, slots, seconds, database_url) -> dict:
    """`scenario` on every slot's connection for WARMUP (not counted) and then `seconds`,
    once the worker has sealed what the previous scenarios wrote."""
    wait_for_sealing(database_url)  # the previous scenario's audit backlog is not this one's
    start_at = time.monotonic() + 1.0
    chunks = [slots[i::LOAD_PROCESSES] for i in range(LOAD_PROCESSES)]
    with mp.Pool(LOAD_PROCESSES) as pool:
        pending = pool.map_async(
            _load_proc, [(port, scenario, c, start_at, seconds) for c in chunks]
        )
        while time.monotonic() < start_at + WARMUP:
            time.sleep(0.001)
        cpu_before = _cpu_now()
        results = pending.get()
        cpu_after = _cpu_now()
    lat: dict[str, list[float]] = {}
    warm: dict[str, list[float]] = {}
    errors = empty = 0
    for proc_out in results:
        for proc_lat, proc_warm, e, m in proc_out:
            errors += e
            empty += m
            for k, v in proc_lat.items():
                lat.setdefault(k, []).extend(v)
            for k, v in proc_warm.items():
                warm.setdefault(k, []).extend(v)
    requests = sum(len(v) for v in lat.values()) or 1
    # CPU milliseconds per request (all kinds of the scenario together), to tell where the
    # two cores went: the server's processes, the worker sealing the audit entries and, on
    # PostgreSQL, the database server.
    stats = {
        f"_cpu_{name}": _cpu_used(cpu_before, cpu_after, name) * 1000 / requests
        for name in cpu_before
    }
    for kind, values in lat.items():
        values.sort()
        stats[kind] = {
            "n": len(values),
            "n_all": len(values) + len(warm.get(kind, [])),  # warm-up included
            "rps": len(values) / seconds,
            "p50": values[len(values) // 2] * 1000,
            "p99": values[min(len(values) - 1, int(len(values) * 0.99))] * 1000,
        }
    stats["_errors"] = errors
    stats["_empty"] = empty
    stats["_warmup_max"] = max((max(v) for v in warm.values() if v), default=0.0) * 1000
    return stats


# --- boards ------------------------------------------------------------------------------


_stop = None


def _board_init(stop) -> None:
    global _stop
    _stop = stop


def _board_thread(port, deadline, seen_out):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    etag = None
    seen: dict[str, float] = {"_polls": 0}
    next_at = time.monotonic()
    # Boards keep polling until the caller is done (its calls may take longer than planned
    # on a loaded machine: a board that stopped early would count as a miss).
    while time.monotonic() < deadline and not _stop.is_set():
        headers = {"If-None-Match": etag} if etag else {}
        try:
            conn.request("GET", "/api/v1/display/BENCH", headers=headers)
            resp = conn.getresponse()
            body = resp.read()
        except OSError:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        now = time.monotonic()
        seen["_polls"] += 1
        if resp.status == 200:
            etag = resp.getheader("ETag")
            for call in json.loads(body)["calls"]:
                seen.setdefault(call["number"], now)
        next_at += BOARD_POLL
        time.sleep(max(0.0, next_at - time.monotonic()))
    seen_out.append(seen)


def _board_proc(args):
    port, n, deadline = args
    out: list = []
    threads = [threading.Thread(target=_board_thread, args=(port, deadline, out)) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def run_boards(port, slot) -> dict:
    warmup = 3.0
    started = time.monotonic()
    deadline = started + 120
    stop = mp.Event()
    pool = mp.Pool(PROCESSES, initializer=_board_init, initargs=(stop,))
    pending = pool.map_async(
        _board_proc, [(port, BOARDS // PROCESSES, deadline) for _ in range(PROCESSES)]
    )
    time.sleep(warmup)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sent: dict[str, float] = {}
    for _ in range(BOARD_CALLS):
        request(conn, "POST", "/api/v1/tickets", {"center": "BENCH", "category": "A"})
        t0 = time.monotonic()
        status, body = request(
            conn, "POST", f"/api/v1/windows/{slot['window']}/call-next", token=slot["token"]
        )
        if status != 200:
            continue
        ticket = json.loads(body)
        sent[ticket["number"]] = t0
        request(conn, "POST", f"/api/v1/tickets/{ticket['id']}/finish", token=slot["token"])
        time.sleep(1.0)
    time.sleep(2.0)
    stop.set()
    boards = [seen for chunk in pending.get() for seen in chunk]
    duration = time.monotonic() - started
    pool.close()
    delays = []
    missed = 0
    for seen in boards:
        for number, t0 in sent.items():
            if number in seen:
                delays.append(seen[number] - t0)
            else:
                missed += 1
    delays.sort()
    polls = sum(seen["_polls"] for seen in boards)
    return {
        "poll_rate": polls / duration,
        "boards": len(boards),
        "calls": len(sent),
        "deliveries": len(delays),
        "missed": missed,
        "p50": delays[len(delays) // 2] * 1000 if delays else float("nan"),
        "p99": delays[min(len(delays) - 1, int(len(delays) * 0.99))] * 1000
        if delays
        else float("nan"),
        "max": delays[-1] * 1000 if delays else float("nan"),
    }


# --- runs --------------------------------------------------------------------------------


def bench_database(label, database_url, data_dir, base_port, seconds, chains, rounds) -> None:
    print(f"\n=== {label} ===", flush=True)
    first = True
    slots: list[dict] = []
    for attempt, chain in enumerate(chains):
        port = base_port + attempt  # a fresh port: the previous server may linger in TIME_WAIT
        env = server_env(database_url, data_dir, chain)
        if first:
            slots = prepare_database(env, CONNECTIONS)
        server = start_server(env, port)
        worker = start_worker(env)
        _measured.update(
            server=server.pid,
            worker=worker.pid,
            database=int(database_url.startswith("postgres") and _postgres_pids() != []),
        )
        try:
            print(f"-- audit chain mode: {chain}")
            if first:
                bare_json = run_load(port, "json", slots[1:], seconds, database_url)
                print(f"{'endpoint':<34}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
                print(_row("bare Django JSON view", bare_json["json"], bare_json["_errors"]))
            ratios: dict[str, list[float]] = {}
            p99s: dict[str, list[float]] = {}
            for number in range(1, rounds + 1):
                print(f"round {number} of {rounds}", flush=True)
                _round(env, port, slots, seconds, database_url, ratios, p99s)
            _summary(ratios, p99s)
            if first:
                board = run_boards(port, slots[0])
                print(
                    f"call → board ({board['boards']} clients polling every "
                    f"{int(BOARD_POLL * 1000)} ms, {board['calls']} calls, "
                    f"{board['deliveries']} deliveries, {board['missed']} missed): "
                    f"p50 {board['p50']:.0f} ms, p99 {board['p99']:.0f} ms, "
                    f"max {board['max']:.0f} ms; polls served {board['poll_rate']:.0f}/s "
                    f"of {BOARDS / BOARD_POLL:.0f}/s asked"
                )
        finally:
            stop_server(server)
            worker.terminate()
            worker.wait(30)
        first = False


def _round(env, port, slots, seconds, database_url, ratios, p99s) -> None:
    """One round: the bare one-row insert, then each queue scenario, each ratio taken
    against the mean of the inserts measured just before and just after it (the speed of
    these machines drifts by a fifth within a minute: an insert measured 20 s earlier
    made the same code's ratio move by ±0.1 from round to round)."""
    if vacuum_if_autovacuum_off(database_url):
        print("   (PostgreSQL runs without autovacuum here: VACUUM ANALYZE before the round)")
    load = functools.partial(run_load, port, seconds=seconds, database_url=database_url)
    inserts = [load("insert", slots[1:])]
    issue = load("issue", slots[1:])
    spread = [{**slot, "letter": "ABCDEFGH"[i % 8]} for i, slot in enumerate(slots[1:])]
    issue8 = load("issue-8", spread)
    # No call scenario outruns the bare insert: that many calls, and a quarter more, wait
    # in line A before each (the issue scenarios' tickets of A count).
    calls = int(inserts[0]["insert"]["rps"] * (seconds + WARMUP) * 1.25)
    waiting = _fill(env, issue["issue"]["n_all"] + issue8["issue"]["n_all"] // 8, calls)
    inserts.append(load("insert", slots[1:]))
    call = load("call-next", slots[1:])
    _fill(env, waiting - call["call-next"]["n_all"], calls)
    inserts.append(load("insert", slots[1:]))
    split = load("call-then-finish", slots[1:])
    inserts.append(load("insert", slots[1:]))
    rates = [run["insert"]["rps"] for run in inserts]
    # The insert rate each scenario is compared with: the two measured around it.
    around = [(rates[i] + rates[i + 1]) / 2 for i in range(len(rates) - 1)]
    print(f"{_row('bare Django one-row insert', inserts[0]['insert'], inserts[0]['_errors'])}")
    rows = [
        ("POST /api/v1/tickets (issue)", issue["issue"], issue["_errors"], "issue", 0),
        (
            "  same, across 8 categories",
            issue8["issue"],
            issue8["_errors"],
            "issue, 8 categories",
            0,
        ),
        (
            "POST call-next {finish: previous}",
            call["call-next"],
            call["_errors"],
            "call-next {finish}",
            1,
        ),
        ("POST call-next, then…", split["call-next"], split["_errors"], None, 2),
        ("  …POST finish", split["finish"], 0, None, 2),
    ]
    for name, stats, errors, key, base in rows:
        ratio = stats["rps"] / around[base]
        print(f"{_row(name, stats, errors)}{ratio:>8.2f}×")
        if key:
            ratios.setdefault(key, []).append(ratio)
            p99s.setdefault(key, []).append(stats["p99"])
    print(
        "   bare insert around the scenarios: "
        + " → ".join(f"{rate:.0f}" for rate in rates)
        + " req/s (each ratio: to the mean of the two around it)"
    )
    for run in (call, split):
        if run["_empty"]:
            print(f"   (call-next answered 204 {run['_empty']} times: queue drained)")
    # A window holds one ticket at a time: either call-next finishes the previous one (the
    # console's one key) or a finish request comes between two calls; the second run is a
    # call/finish mix, so its rate per request counts too.
    mix = (split["call-next"]["rps"] + split["finish"]["rps"]) / around[2]
    ratios.setdefault("call-next and finish requests", []).append(mix)
    print(f"   call-next then finish: {mix:.2f} × insert, counting both requests")
    runs = (
        ("insert", inserts[0]),
        ("issue", issue),
        ("issue-8", issue8),
        ("call-next {finish}", call),
        ("call-then-finish", split),
    )
    cpu = ", ".join(
        f"{name} {run.get('_cpu_server', 0):.2f} + {run.get('_cpu_worker', 0):.2f}"
        + (f" + {run['_cpu_database']:.2f}" if "_cpu_database" in run else "")
        for name, run in runs
    )
    parts = "server + worker + database" if _measured.get("database") else "server + worker"
    print(f"   CPU ms per request, {parts}: {cpu}")
    cold = ", ".join(f"{name} {run['_warmup_max']:.0f}" for name, run in runs)
    print(f"   warm-up ({WARMUP} s, not counted), worst latency ms: {cold}")


def _summary(ratios: dict[str, list[float]], p99s: dict[str, list[float]]) -> None:
    print(
        "summary (median over the rounds; ratio = req/s ÷ the bare insert measured around "
        "the scenario):"
    )
    for key, values in ratios.items():
        line = f"   {key:<32} ratio {statistics.median(values):.2f}"
        line += f" (rounds: {', '.join(f'{v:.2f}' for v in values)})"
        if key in p99s:
            line += f", p99 {statistics.median(p99s[key]):.0f} ms"
        print(line)


def _row(name, s, errors) -> str:
    return f"{name:<34}{s['rps']:>9.0f}{s['p50']:>9.1f}{s['p99']:>9.1f}{errors:>8}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8111)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--chains", default="center")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    globals().update(WORKERS=args.workers, THREADS=args.threads)
    chains = [c.strip() for c in args.chains.split(",") if c.strip()]
    started = time.monotonic()
    print(
        f"govhall queue bench: gunicorn gthread {WORKERS} workers × {THREADS} threads, "
        f"{CONNECTIONS} "
        f"connections, {args.seconds:.0f} s per scenario, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} (other work on the machine skews absolute "
        "figures; the ratios to the bare views measured in the same run are what count)"
    )
    if not args.postgres_only:
        tmp = tempfile.mkdtemp(prefix="govhall-bench-queue-")
        try:
            bench_database(
                "SQLite (WAL)",
                f"sqlite:///{tmp}/bench.sqlite3",
                tmp,
                args.port,
                args.seconds,
                chains,
                args.rounds,
            )
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres") and not args.sqlite_only:
        # A throwaway database named after the one given (engineers on one server each
        # have their own database, so their bench runs don't drop each other's).
        bench_db = f"{urlparse(url).path.lstrip('/') or 'govhall'}_bench_queue"
        bench_url = urlunparse(urlparse(url)._replace(path=f"/{bench_db}"))
        pg_admin(url, f"DROP DATABASE IF EXISTS {bench_db} WITH (FORCE)")
        pg_admin(url, f"CREATE DATABASE {bench_db}")
        tmp = tempfile.mkdtemp(prefix="govhall-bench-queue-")
        try:
            bench_database(
                "PostgreSQL", bench_url, tmp, args.port, args.seconds, chains, args.rounds
            )
        finally:
            pg_admin(url, f"DROP DATABASE IF EXISTS {bench_db} WITH (FORCE)")
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"\ntotal {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
