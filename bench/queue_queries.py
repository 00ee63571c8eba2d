"""Counts the SQL statements of one issue, call-next, finish and board poll (run by hand:
`.venv/bin/python bench/queue_queries.py`; uses a temporary SQLite database unless
DATABASE_URL is set — then that database must be a throwaway one)."""

import json
import os
import sys
import tempfile

from bench_common import BENCH_SETTINGS, prepare_database  # before the path below replaces bench/

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[0] = ROOT
if not os.environ.get("DATABASE_URL"):
    tmp = tempfile.mkdtemp(prefix="govhall-qq-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/q.sqlite3"
    os.environ["GOVHALL_DATA_DIR"] = tmp
os.environ.update(BENCH_SETTINGS, PYTHONPATH=ROOT)
slots = prepare_database(dict(os.environ), 2)

import django  # noqa: E402

django.setup()
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

verbose = "-v" in sys.argv
client = Client()
slot = slots[1]
auth = {"HTTP_AUTHORIZATION": f"Bearer {slot['token']}"}


def run(label, method, path, body=None, **headers):
    with CaptureQueriesContext(connection) as ctx:
        if method == "GET":
            resp = client.get(path, **headers)
        else:
            resp = client.post(
                path, json.dumps(body or {}), content_type="application/json", **headers
            )
    print(f"{label:<28} {resp.status_code}  {len(ctx.captured_queries)} statements")
    if verbose:
        for q in ctx.captured_queries:
            print("    ", q["sql"][:220])
    return resp


for _ in range(6):
    run("issue", "POST", "/api/v1/tickets", {"center": "BENCH", "category": "A"})
for _ in range(2):
    r = run("call-next", "POST", f"/api/v1/windows/{slot['window']}/call-next", **auth)
    tid = r.json()["id"]
    run("finish", "POST", f"/api/v1/tickets/{tid}/finish", **auth)
tid = run("call-next", "POST", f"/api/v1/windows/{slot['window']}/call-next", **auth).json()["id"]
for _ in range(2):
    r = run(
        "call-next {finish}",
        "POST",
        f"/api/v1/windows/{slot['window']}/call-next",
        {"finish": tid},
        **auth,
    )
    tid = r.json()["id"]
r = run("board (first)", "GET", "/api/v1/display/BENCH")
etag = r["ETag"]
run("board (304)", "GET", "/api/v1/display/BENCH", HTTP_IF_NONE_MATCH=etag)
