"""Catalog search speed: `python bench/search.py` (uses the configured database, needs demo)."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")

import django

django.setup()

from django.db import DatabaseError  # noqa: E402

from govhall.catalog.search import matching_ids, query_terms  # noqa: E402
from govhall.catalog.selectors import items_public  # noqa: E402

QUERIES = ["营业执照", "社保", "执照补领", "不动产 抵押", "医保异地就医", "身份证"]
query_terms("预热")  # load jieba once
try:
    list(matching_ids("营业执照") or [])
except DatabaseError as exc:
    sys.exit(f"bench/search.py needs the migrated database with demo data (make run): {exc}")
N = 200
for label, fn in (("matching_ids", matching_ids), ("items_public", lambda q: items_public(q=q))):
    start = time.perf_counter()
    for _ in range(N):
        for q in QUERIES:
            list(fn(q) or [])
    per = (time.perf_counter() - start) / (N * len(QUERIES)) * 1000
    print(f"{label}: {per:.3f} ms per query")
