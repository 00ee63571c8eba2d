"""Catalog import/export as an Excel workbook (centers keep their catalogs in spreadsheets).

Sheet "事项": one row per item with its current guide fields. Sheet "材料": one row per
material (item code, position, …). The rows go through the catalog's import
(`govhall.catalog.importing`): every bad row is reported as "<sheet> 第N行：<field> …";
nothing is written unless every row is good, then all of it in one transaction.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill

from govhall.catalog.importing import (
    ITEM_COLUMNS,
    ITEM_SHEET,
    MATERIAL_COLUMNS,
    MATERIAL_SHEET,
    Col,
    ImportFailed,
    ImportReport,
    Row,
    import_rows,
    parse_row,
)
from govhall.catalog.models import ServiceItem
from govhall.catalog.services import GUIDE_FIELDS

__all__ = ["ImportFailed", "ImportReport", "export_workbook", "import_workbook"]


# --- export -----------------------------------------------------------------------------
def _cell(value: Any, col: Col) -> Any:
    if col.kind == "bool":
        return "是" if value else "否"
    if col.kind == "choice":
        return dict(col.choices).get(value, value)
    if col.kind == "decimal":
        return float(value)
    return value


def _write_sheet(ws, columns: list[Col], rows: list[dict]) -> None:
    ws.append([c.title for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF2F7")
    for row in rows:
        ws.append([_cell(row.get(c.key), c) for c in columns])
    ws.freeze_panes = "A2"
    for idx, col in enumerate(columns, start=1):
        ws.column_dimensions[ws.cell(1, idx).column_letter].width = max(10, len(col.title) * 2.5)


def export_workbook(items=None) -> bytes:
    items = (
        items
        if items is not None
        else (
            ServiceItem.objects.filter(published__isnull=False)
            .select_related("center", "department", "published", "published__zone")
            .order_by("center__code", "code")
        )
    )
    item_rows, material_rows = [], []
    for item in items:
        g = item.published
        row = {f: getattr(g, f) for f in GUIDE_FIELDS if f != "zone"}
        row.update(
            code=item.code,
            name=item.name,
            center=item.center.code,
            department=item.department.code,
            kind=item.kind,
            keywords=item.keywords,
            is_active=item.is_active,
            zone=g.zone.code if g.zone_id else "",
        )
        item_rows.append(row)
        for m in g.materials.order_by("position", "id"):
            material_rows.append(
                {"item": item.code, **{c.key: getattr(m, c.key) for c in MATERIAL_COLUMNS[1:]}}
            )
    wb = Workbook()
    ws = wb.active
    ws.title = ITEM_SHEET
    _write_sheet(ws, ITEM_COLUMNS, item_rows)
    _write_sheet(wb.create_sheet(MATERIAL_SHEET), MATERIAL_COLUMNS, material_rows)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- import -----------------------------------------------------------------------------
def _rows(ws, columns: list[Col], sheet: str, problems: list[str]) -> list[Row]:
    header = [str(c.value).strip() if c.value is not None else "" for c in ws[1]]
    index = {}
    for col in columns:
        if col.title not in header:
            problems.append(f"{sheet} 第1行：缺少列“{col.title}”")
        else:
            index[col.key] = header.index(col.title)
    if len(index) < len(columns):
        return []
    rows = []
    for n, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        cells = {key: values[i] if i < len(values) else None for key, i in index.items()}
        parsed = parse_row(cells, columns, f"{sheet} 第{n}行：", problems)
        if parsed is not None:
            rows.append((n, parsed))
    return rows


def import_workbook(data: bytes, *, actor=None, now: dt.datetime | None = None) -> ImportReport:
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ImportFailed(["文件不是有效的 Excel（.xlsx）工作簿"]) from exc
    problems: list[str] = []
    for sheet in (ITEM_SHEET, MATERIAL_SHEET):
        if sheet not in wb.sheetnames:
            problems.append(f"缺少工作表“{sheet}”")
    if problems:
        raise ImportFailed(problems)
    item_rows = _rows(wb[ITEM_SHEET], ITEM_COLUMNS, ITEM_SHEET, problems)
    material_rows = _rows(wb[MATERIAL_SHEET], MATERIAL_COLUMNS, MATERIAL_SHEET, problems)
    return import_rows(item_rows, material_rows, problems, actor=actor, now=now)
