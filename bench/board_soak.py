#!/usr/bin/env python
"""Display board soak: does the board page's memory grow over a long run of calls and polls?

The issue asks for a board that runs full-screen for days without a reload and without
memory growth. This starts the real server (gunicorn, as bench/queue_load.py, on a
temporary SQLite database), opens the board in Debian's Chromium (Playwright, headless)
with a fast poll (default every 50 ms, ten times the production rate, so a few minutes hold
the polls of hours), and drives calls through the API: two windows press 办结并叫下一位 in
turn (default 4 calls a second — a busy hall makes a few thousand calls a day). Every
--sample seconds it collects the page's garbage through the DevTools protocol and prints
the JS heap in use, the DOM nodes and event listeners, and the resident memory of the
board's renderer process — of that browser and of a second Chromium showing the same
board with no DevTools client attached, as on a hall's TV (the attached renderer grew
faster, likely from what the DevTools agents keep for their client, so the second one's
memory is the one that counts). At the end, the growth per 1,000 calls over the run's second half.

    .venv/bin/python bench/board_soak.py [--seconds 180] [--rate 4] [--poll 50] [--sample 15]

Needs Chromium at /usr/bin/chromium (CHROMIUM_PATH to override).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from bench_common import prepare_database
from queue_load import PY, ROOT, request, server_env, start_server, stop_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--rate", type=float, default=4.0, help="calls per second")
    parser.add_argument("--poll", type=int, default=50, help="the board's poll, ms")
    parser.add_argument("--sample", type=float, default=15)
    parser.add_argument("--port", type=int, default=8121)
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        raise SystemExit(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    tmp = tempfile.mkdtemp(prefix="govhall-bench-board-")
    try:
        env = server_env(f"sqlite:///{tmp}/bench.sqlite3", tmp, "center")
        slots = prepare_database(env, 1)  # two signed-in windows
        calls = int(args.seconds * args.rate * 1.2) + 50
        fill = [PY, "bench/bench_setup.py", "fill", str(calls)]
        subprocess.run(fill, cwd=ROOT, env=env, check=True)
        server = start_server(env, args.port)
        try:
            soak(args, slots, profile=os.path.join(tmp, "chromium-profile"))
        finally:
            stop_server(server)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def soak(args: argparse.Namespace, slots: list[dict], profile: str) -> None:
    from playwright.sync_api import sync_playwright

    stop = threading.Event()
    made = {"calls": 0, "errors": 0}
    driver = threading.Thread(target=drive, args=(args, slots, stop, made), daemon=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1600, "height": 900})
        board = context.new_page()
        board.goto(f"http://127.0.0.1:{args.port}/board/BENCH/?poll={args.poll}")
        board.wait_for_function("window.__board && window.__board.polls > 0", timeout=10000)
        devtools = context.new_cdp_session(board)
        # The same board in a Chromium that no DevTools client is attached to, as on a
        # hall's TV: under Playwright the renderer's memory grew faster (likely what the
        # DevTools agents keep for their client), so this one's is the page's own.
        plain = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                *BROWSER_ARGS,
                f"--user-data-dir={profile}",  # removed with the bench's directory
                "--window-size=1600,900",
                f"http://127.0.0.1:{args.port}/board/BENCH/?poll={args.poll}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        print(
            f"board soak: poll every {args.poll} ms, {args.rate:g} calls/s, "
            f"{args.seconds:.0f} s, a sample every {args.sample:.0f} s (after a garbage "
            "collection)"
        )
        print(
            f"{'s':>5} {'calls':>6} {'polls':>7} {'heap KB':>8} {'nodes':>6} "
            f"{'listeners':>9} {'RSS MB':>7} {'plain RSS MB':>13}"
        )
        samples = []
        started = time.monotonic()
        driver.start()
        while True:
            samples.append(sample(devtools, board, plain.pid, made, time.monotonic() - started))
            print_sample(samples[-1])
            if time.monotonic() - started >= args.seconds:
                break
            time.sleep(min(args.sample, max(0.0, args.seconds - (time.monotonic() - started))))
        stop.set()
        driver.join()
        plain.terminate()
        plain.wait(10)
        browser.close()
    summarise(samples, made)


def drive(args, slots, stop: threading.Event, made: dict) -> None:
    """Two windows press 办结并叫下一位 in turn, `rate` calls a second."""
    conns = [http.client.HTTPConnection("127.0.0.1", args.port, timeout=10) for _ in slots]
    held: list[int | None] = [None] * len(slots)
    interval, turn, due = 1.0 / args.rate, 0, time.monotonic()
    while not stop.is_set():
        i = turn % len(slots)
        body = {"finish": held[i]} if held[i] else None
        path = f"/api/v1/windows/{slots[i]['window']}/call-next"
        status, out = request(conns[i], "POST", path, body, slots[i]["token"])
        if status == 200:
            held[i] = json.loads(out)["id"]
            made["calls"] += 1
        else:
            made["errors"] += 1
        turn += 1
        due += interval
        time.sleep(max(0.0, due - time.monotonic()))


def sample(devtools, board, plain_pid: int, made: dict, at: float) -> dict:
    devtools.send("HeapProfiler.collectGarbage")
    heap = devtools.send("Runtime.getHeapUsage")
    dom = devtools.send("Memory.getDOMCounters")
    return {
        "s": at,
        "calls": made["calls"],
        "polls": board.evaluate("window.__board.polls"),
        "heap": heap["usedSize"] / 1024,
        "nodes": dom["nodes"],
        "listeners": dom["jsEventListeners"],
        **renderers_rss_mb(plain_pid),
    }


def renderers_rss_mb(plain_pid: int) -> dict[str, float]:
    """Resident memory of the largest renderer process (the board's page; the others hold
    blank pages) of the Playwright browser ("rss") and of the plain one ("plain"), from
    /proc: the plain browser's renderers are the descendants of its process."""
    parents, renderers = {}, {}
    for pid in map(int, filter(str.isdigit, os.listdir("/proc"))):
        try:
            with open(f"/proc/{pid}/stat") as f:
                parents[pid] = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"--type=renderer" not in f.read():
                    continue
            with open(f"/proc/{pid}/status") as f:
                rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
            renderers[pid] = rss / 1024
        except (OSError, StopIteration, IndexError, ValueError):
            continue

    def under_plain(pid: int) -> bool:
        while pid > 1:
            if pid == plain_pid:
                return True
            pid = parents.get(pid, 0)
        return False

    largest = {"rss": 0.0, "plain": 0.0}
    for pid, rss in renderers.items():
        key = "plain" if under_plain(pid) else "rss"
        largest[key] = max(largest[key], rss)
    return largest


def print_sample(s: dict) -> None:
    print(
        f"{s['s']:>5.0f} {s['calls']:>6} {s['polls']:>7} {s['heap']:>8.0f} {s['nodes']:>6} "
        f"{s['listeners']:>9} {s['rss']:>7.1f} {s['plain']:>13.1f}",
        flush=True,
    )


def summarise(samples: list[dict], made: dict) -> None:
    """Growth per 1,000 calls: a least-squares line through the samples of the run's second
    half (the first fills the lists of calls and lets the allocators reach their working
    set), and the change from the first full sample to the last."""
    later = [s for s in samples if s["s"] >= samples[-1]["s"] / 2]
    if len(later) < 3:
        print("too few samples for a trend (run longer or sample more often)")
        return
    calls = [s["calls"] for s in later]
    units = {"heap": "KB", "nodes": "nodes", "rss": "MB", "plain": "MB"}
    print(f"second half ({later[0]['s']:.0f}–{later[-1]['s']:.0f} s), per 1,000 calls:")
    for key, unit in units.items():
        slope = statistics.linear_regression(calls, [s[key] for s in later]).slope
        print(
            f"   {key:<6} {slope * 1000:+8.2f} {unit}   (whole run: {samples[1][key]:.1f} → "
            f"{samples[-1][key]:.1f})"
        )
    print(
        f"   {made['calls']} calls, {samples[-1]['polls'] - samples[0]['polls']} polls, "
        f"{made['errors']} failed calls"
    )


if __name__ == "__main__":
    sys.exit(main())
