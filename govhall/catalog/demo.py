"""Demo catalog of 青松县政务服务中心 (HL-239901): ≥ 30 published items over 8 departments.

The items are data, `demo_data/catalog.json`, loaded through the catalog's own import
(`importing.import_json`, the same validation and services as an Excel import). Idempotent:
only items whose code does not exist yet are imported, so an item that exists keeps its
guide versions. Runs alone too (org's `demo_center()` creates the center and departments
when org's demo did not run).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from govhall.catalog.importing import import_json
from govhall.catalog.models import ServiceItem
from govhall.org.demo import demo_center

DATA = Path(__file__).resolve().parent / "demo_data" / "catalog.json"


def load(stdout: TextIO) -> None:
    center = demo_center()
    items = json.loads(DATA.read_text(encoding="utf-8"))["items"]
    existing = set(
        ServiceItem.objects.filter(code__in=[i["code"] for i in items]).values_list(
            "code", flat=True
        )
    )
    new = [item for item in items if item["code"] not in existing]
    created = len(import_json({"items": new}).created) if new else 0
    total = ServiceItem.objects.filter(center=center, published__isnull=False).count()
    stdout.write(f"  catalog: 新建事项 {created} 项，已公开 {total} 项")
