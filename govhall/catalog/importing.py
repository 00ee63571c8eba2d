"""The catalog's import: rows of items and materials, validated all first, then written in
one transaction through the catalog's services. Two fronts feed it: the Excel workbook
(`excel.import_workbook`, what centers keep) and JSON (`import_json`, the same columns keyed
by their English names; the demo catalog is such a file, `demo_data/catalog.json`).

Every bad row is reported as "<sheet> 第N行：<field> …"; nothing is written unless every
row is good. Changed items get a new published guide version; unchanged items are left
alone (an export imported back changes nothing).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from govhall.catalog.models import GuideVersion, ItemKind, Material, ServiceItem
from govhall.catalog.services import (
    GUIDE_FIELDS,
    guide_draft_create,
    guide_publish,
    guide_update,
    item_create,
    item_update,
)
from govhall.core.errors import InvalidInput
from govhall.org.models import Center, Department, Window, Zone

Row = tuple[int, dict[str, Any]]

ITEM_SHEET = "事项"
MATERIAL_SHEET = "材料"


@dataclass(frozen=True)
class Col:
    key: str
    title: str
    kind: str = "text"  # text | int | bool | decimal | choice | required
    choices: tuple[tuple[str, str], ...] = ()


ITEM_COLUMNS = [
    Col("code", "事项编码", "required"),
    Col("name", "事项名称", "required"),
    Col("center", "中心编码", "required"),
    Col("department", "实施部门编码", "required"),
    Col("kind", "事项类型", "choice", tuple(ItemKind.choices)),
    Col("keywords", "搜索关键词"),
    Col("is_active", "启用", "bool"),
    Col("basis", "设定依据"),
    Col("conditions", "受理条件"),
    Col("procedure", "办理流程"),
    Col("acceptance_limit_days", "受理审查时限", "int"),
    Col("legal_limit_days", "法定时限", "int"),
    Col("promised_limit_days", "承诺时限", "int"),
    Col("is_immediate", "即办件", "bool"),
    Col("correction_limit_days", "补正期限", "int"),
    Col("fee_required", "是否收费", "bool"),
    Col("fee_amount", "收费金额", "decimal"),
    Col("fee_basis", "收费依据"),
    Col("handled_here", "在本中心办理", "bool"),
    Col("window_kind", "办理窗口类型", "choice", tuple(Window.Kind.choices)),
    Col("zone", "办理区域编码"),
    Col("outside_place", "中心外办理地点"),
    Col("outside_path", "办理路径"),
    Col("preceding_steps", "前序环节"),
    Col("following_steps", "后续环节"),
    Col("online_available", "可网上办理", "bool"),
    Col("online_url", "网上办理地址"),
    Col("self_service_available", "可自助办理", "bool"),
    Col("appointment_available", "可预约", "bool"),
    Col("mail_delivery_available", "可邮寄送达", "bool"),
    Col("max_visits", "最多跑几次", "int"),
    Col("result_type", "结果类型", "choice", tuple(GuideVersion.ResultType.choices)),
    Col("result_name", "结果名称"),
    Col("consultation_phone", "咨询电话"),
    Col("complaint_phone", "投诉电话"),
]
MATERIAL_COLUMNS = [
    Col("item", "事项编码", "required"),
    Col("position", "序号", "int"),
    Col("name", "材料名称", "required"),
    Col("required", "必要", "bool"),
    Col("form", "材料形式", "choice", tuple(Material.Form.choices)),
    Col("copies", "份数", "int"),
    Col("original_required", "需原件", "bool"),
    Col("source", "来源渠道"),
    Col("notes", "备注"),
]
TRUE = {"是", "y", "yes", "true", "1", "√", "✓"}
FALSE = {"否", "n", "no", "false", "0", "×"}


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"新增 {len(self.created)} 项，更新并发布新版本 {len(self.updated)} 项，"
            f"未变化 {len(self.unchanged)} 项"
        )


class ImportFailed(InvalidInput):
    code = "import_failed"

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            f"导入失败，共 {len(problems)} 处错误，未导入任何数据。",
            errors=[{"field": "file", "message": p} for p in problems],
        )
        self.problems = problems


def _parse(raw: Any, col: Col) -> Any:
    """Value of one cell, or raises ValueError with the Chinese reason (without the field)."""
    text = "" if raw is None else str(raw).strip()
    if col.kind == "required":
        if not text:
            raise ValueError("不能为空")
        return text
    if col.kind == "text":
        return text
    if col.kind == "int":
        if text == "":
            return None
        try:
            number = float(text)
        except ValueError:
            raise ValueError("应为整数") from None
        if number != int(number) or number < 0:
            raise ValueError("应为不小于0的整数")
        return int(number)
    if col.kind == "decimal":
        if text == "":
            return Decimal("0")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError("应为金额（数字）") from None
        if value < 0:
            raise ValueError("不能为负数")
        return value.quantize(Decimal("0.01"))
    if col.kind == "bool":
        if text == "":
            return None  # keep the current value (or the default for a new item)
        if text.lower() in TRUE:
            return True
        if text.lower() in FALSE:
            return False
        raise ValueError("应为“是”或“否”")
    if col.kind == "choice":
        if text == "":
            return None
        for value, label in col.choices:
            if text in (value, label):
                return value
        raise ValueError("应为：" + "、".join(label for _, label in col.choices))
    raise AssertionError(col.kind)


def parse_row(
    values: Mapping[str, Any], columns: list[Col], where: str, problems: list[str]
) -> dict[str, Any] | None:
    """One row's values by column key, parsed; None (and the reasons in `problems`, each
    prefixed by `where`, e.g. "事项 第3行：") when a cell is bad."""
    parsed, ok = {}, True
    for col in columns:
        try:
            parsed[col.key] = _parse(values.get(col.key), col)
        except ValueError as exc:
            problems.append(f"{where}{col.title}{exc}")
            ok = False
    return parsed if ok else None


def _validate_refs(
    item_rows: list[Row], material_rows: list[Row], problems: list[str], unit: str = "行"
) -> dict[str, dict]:
    """The plan of what to write, item by item; each problem is named by its sheet and
    row (`unit`: 行 in a workbook, 项 in JSON)."""
    centers = {c.code: c for c in Center.objects.all()}
    plan: dict[str, dict] = {}
    for n, row in item_rows:
        code = row["code"]
        if code in plan:
            problems.append(f"{ITEM_SHEET} 第{n}{unit}：事项编码{code}重复")
            continue
        center = centers.get(row["center"])
        if center is None:
            problems.append(f"{ITEM_SHEET} 第{n}{unit}：中心编码{row['center']}不存在")
            continue
        dept = Department.objects.filter(center=center, code=row["department"]).first()
        if dept is None:
            problems.append(
                f"{ITEM_SHEET} 第{n}{unit}：实施部门编码{row['department']}在该中心不存在"
            )
            continue
        zone = None
        if row["zone"]:
            zone = Zone.objects.filter(center=center, code=row["zone"]).first()
            if zone is None:
                problems.append(f"{ITEM_SHEET} 第{n}{unit}：办理区域编码{row['zone']}不存在")
                continue
        existing = ServiceItem.objects.filter(code=code).first()
        if existing is not None and existing.center_id != center.pk:
            problems.append(f"{ITEM_SHEET} 第{n}{unit}：事项编码{code}已属于其他中心")
            continue
        if row["kind"] is None and existing is None:
            problems.append(f"{ITEM_SHEET} 第{n}{unit}：事项类型不能为空")
            continue
        if row["handled_here"] is False and not (row["outside_place"] and row["outside_path"]):
            problems.append(
                f"{ITEM_SHEET} 第{n}{unit}：不在本中心办理的事项须填写中心外办理地点和办理路径"
            )
            continue
        if row["fee_required"] and not row["fee_amount"]:
            problems.append(f"{ITEM_SHEET} 第{n}{unit}：收费事项须填写收费金额")
            continue
        plan[code] = {
            "row": row,
            "center": center,
            "department": dept,
            "zone": zone,
            "item": existing,
            "materials": [],
        }
    named = {row["code"] for _, row in item_rows}
    for n, row in material_rows:
        target = plan.get(row["item"])
        if target is None and row["item"] in named:
            continue  # its item's own problem is reported above
        if target is None:
            problems.append(f"{MATERIAL_SHEET} 第{n}行：事项编码{row['item']}不在“事项”表中")
            continue
        target["materials"].append((n, row))
    return plan


def _guide_values(entry: dict) -> dict:
    row = entry["row"]
    values = {}
    for f in GUIDE_FIELDS:
        if f == "zone":
            values["zone"] = entry["zone"]
        elif f in row and row[f] is not None:
            values[f] = row[f]
    return values


def _material_values(entry: dict) -> list[dict]:
    out = []
    ordered = sorted(entry["materials"], key=lambda nr: (nr[1]["position"] or 0, nr[0]))
    for position, (_, row) in enumerate(ordered, start=1):
        out.append(
            {
                "position": row["position"] or position,
                "name": row["name"],
                "required": True if row["required"] is None else row["required"],
                "form": row["form"] or Material.Form.BOTH,
                "copies": 1 if row["copies"] is None else row["copies"],
                "original_required": bool(row["original_required"]),
                "source": row["source"],
                "notes": row["notes"],
            }
        )
    return out


def _differs(guide: GuideVersion, values: dict, materials: list[dict]) -> bool:
    for key, value in values.items():
        current = guide.zone if key == "zone" else getattr(guide, key)
        if current != value:
            return True
    current = [
        {k: getattr(m, k) for k in materials[0]} if materials else {}
        for m in guide.materials.order_by("position", "id")
    ]
    return current != materials if materials or current else False


def import_rows(
    item_rows: list[Row],
    material_rows: list[Row],
    problems: list[str],
    *,
    unit: str = "行",
    actor=None,
    now: dt.datetime | None = None,
) -> ImportReport:
    """Check the parsed rows against the database, then write all of them or nothing."""
    plan = _validate_refs(item_rows, material_rows, problems, unit)
    if problems:
        raise ImportFailed(problems)
    return _apply(plan, actor=actor, now=now)


def import_json(
    data: bytes | str | Mapping[str, Any], *, actor=None, now: dt.datetime | None = None
) -> ImportReport:
    """{"items": [{"code": …, "name": …, "center": …, "department": …, <guide columns>,
    "materials": [{"name": …, "required": …, …}]}]}: the workbook's columns keyed by their
    English names, each item's materials listed with it (numbered in order)."""
    if not isinstance(data, Mapping):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise ImportFailed(["文件不是有效的 JSON"]) from exc
    items = data.get("items") if isinstance(data, Mapping) else None
    if not isinstance(items, list):
        raise ImportFailed(["缺少事项列表“items”"])
    problems: list[str] = []
    item_rows: list[Row] = []
    material_rows: list[Row] = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            problems.append(f"{ITEM_SHEET} 第{n}项：应为对象")
            continue
        parsed = parse_row(item, ITEM_COLUMNS, f"{ITEM_SHEET} 第{n}项：", problems)
        if parsed is not None:
            item_rows.append((n, parsed))
        for position, material in enumerate(item.get("materials") or [], start=1):
            where = f"{MATERIAL_SHEET} 第{n}项第{position}条："
            values = {"item": item.get("code"), "position": position, **material}
            row = parse_row(values, MATERIAL_COLUMNS, where, problems)
            if row is not None and parsed is not None:
                material_rows.append((len(material_rows) + 1, row))
    return import_rows(item_rows, material_rows, problems, unit="项", actor=actor, now=now)


def _apply(plan: dict[str, dict], *, actor, now) -> ImportReport:
    report = ImportReport()
    for code, entry in plan.items():
        row = entry["row"]
        values = _guide_values(entry)
        materials = _material_values(entry)
        item = entry["item"]
        if item is None:
            item_create(
                center=entry["center"],
                department=entry["department"],
                code=code,
                name=row["name"],
                kind=row["kind"],
                keywords=row["keywords"],
                guide=values,
                materials=materials,
                publish=True,
                actor=actor,
                now=now,
            )
            report.created.append(code)
            continue
        item_changes = {
            "name": row["name"],
            "keywords": row["keywords"],
            "department": entry["department"],
        }
        if row["kind"]:
            item_changes["kind"] = row["kind"]
        if row["is_active"] is not None:
            item_changes["is_active"] = row["is_active"]
        before = (item.name, item.keywords, item.department_id, item.kind, item.is_active)
        item_update(item=item, actor=actor, now=now, **item_changes)
        after = (item.name, item.keywords, item.department_id, item.kind, item.is_active)
        if item.published is None or _differs(item.published, values, materials):
            draft = guide_draft_create(item=item, actor=actor, now=now)
            guide_update(guide=draft, materials=materials, actor=actor, now=now, **values)
            guide_publish(guide=draft, actor=actor, now=now)
            report.updated.append(code)
        elif before != after:
            report.updated.append(code)
        else:
            report.unchanged.append(code)
    return report
