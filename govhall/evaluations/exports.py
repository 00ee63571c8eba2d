"""Exports: the statistics workbook (openpyxl) and the CSV the national 好差评 system takes."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from govhall.evaluations import selectors
from govhall.evaluations.models import Rating

NATIONAL_FIELDS = [
    ("item_code", "事项编码"),
    ("case_no", "办件编号"),
    ("channel", "评价渠道"),
    ("level", "评价等级"),
    ("rated_at", "评价时间"),
    ("content", "评价内容"),
    ("rectification_status", "整改状态"),
    ("rectification_result", "整改结果"),
]


def national_rows(qs: QuerySet[Rating]) -> list[dict[str, Any]]:
    rows = []
    for r in qs.select_related("item", "rectification").order_by("at", "id"):
        rect = getattr(r, "rectification", None)
        result = ""
        if rect is not None:
            result = rect.measures or rect.verify_note
            if rect.callback_result:
                result = (
                    f"{result}；回访：{rect.callback_result}" if result else rect.callback_result
                )
        rows.append(
            {
                "item_code": r.item.code if r.item_id else "",
                "case_no": r.matter_ref if r.matter_kind == "case" else "",
                "channel": r.get_channel_display(),
                "level": r.get_level_display(),
                "rated_at": timezone.localtime(r.at).strftime("%Y-%m-%d %H:%M:%S"),
                "content": r.comment,
                "rectification_status": rect.get_status_display() if rect else "无需整改",
                "rectification_result": result,
            }
        )
    return rows


def national_csv(qs: QuerySet[Rating]) -> bytes:
    """UTF-8 with BOM (opens in Excel), header in Chinese, one row per counted rating."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for _, label in NATIONAL_FIELDS])
    for row in national_rows(qs):
        writer.writerow([row[name] for name, _ in NATIONAL_FIELDS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def workbook(qs: QuerySet[Rating], rect_qs: Any, title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    s = selectors.summary(qs)
    rates = selectors.rectification_rates(rect_qs)
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    for label, value in [
        ("评价总数", s["total"]),
        ("好评数", s["good"]),
        ("差评数", s["bad"]),
        ("满意率（%）", s["satisfaction_rate"]),
        ("差评率（%）", s["bad_rate"]),
        ("整改办结数", rates["closed"]),
        ("整改及时率（%）", rates["on_time_rate"]),
        ("实名差评回访率（%）", rates["callback_rate"]),
    ]:
        ws.append([label, value])
    for group, (_, label) in selectors.GROUPS.items():
        sheet = wb.create_sheet(f"按{label}")
        sheet.append([label, "评价数", "好评", "差评", "满意率（%）", "差评率（%）"])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for r in selectors.stats_by(qs, group):
            sheet.append(
                [r["key"], r["total"], r["good"], r["bad"], r["satisfaction_rate"], r["bad_rate"]]
            )
    detail = wb.create_sheet("评价明细")
    detail.append([label for _, label in NATIONAL_FIELDS])
    for row in national_rows(qs):
        detail.append([row[name] for name, _ in NATIONAL_FIELDS])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
