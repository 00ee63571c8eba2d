"""The statistics workbook (openpyxl): one sheet of figures, one per breakdown."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font


def stats_workbook(s: dict[str, Any]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    bold = Font(bold=True)
    ws.append([f"{s['center'].name} 咨询统计", f"{s['start']:%Y-%m-%d} 至 {s['end']:%Y-%m-%d}"])
    ws["A1"].font = bold
    for label, value in [
        ("咨询总数", s["total"]),
        ("当场答复", s["at_once"]),
        ("当场答复率（%）", s["at_once_share"]),
        ("已答复（台账）", s["replied"]),
        ("按时答复", s["on_time"]),
        ("按时答复率（%）", s["on_time_share"]),
        ("重复咨询", s["repeats"]),
        ("未答复", s["open"]),
    ]:
        ws.append([label, value])
    for title, header, rows in [
        ("按渠道", ["渠道", "数量"], s["channels"]),
        ("按事项", ["事项", "数量"], s["items"]),
        ("按时段", ["时段（时）", "数量"], [(f"{h:02d}:00", n) for h, n in s["hours"]]),
    ]:
        sheet = wb.create_sheet(title)
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = bold
        for row in rows:
            sheet.append(list(row))
        sheet.column_dimensions["A"].width = 30
    ws.column_dimensions["A"].width = 24
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
