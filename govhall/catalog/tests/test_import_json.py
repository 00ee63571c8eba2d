"""The JSON front of the catalog's import (and the demo catalog, which is such a file)."""

import io
import json

import pytest

from govhall.catalog import demo as catalog_demo
from govhall.catalog.excel import export_workbook, import_workbook
from govhall.catalog.importing import ImportFailed, import_json
from govhall.catalog.models import GuideVersion, Material, ServiceItem


def _item(code="SCJG-099", **fields):
    return {
        "code": code,
        "name": "特种设备使用登记",
        "center": "HL-239901",
        "department": "SCJG",
        "kind": "license",
        "legal_limit_days": 15,
        "zone": "A",
        "materials": [
            {"name": "特种设备使用登记表", "copies": 2, "form": "paper"},
            {"name": "产品合格证", "original_required": True, "required": False},
        ],
        **fields,
    }


@pytest.mark.django_db
def test_json_item_is_created_published_with_numbered_materials(demo):
    report = import_json(json.dumps({"items": [_item()]}, ensure_ascii=False))
    assert report.created == ["SCJG-099"] and not report.updated
    item = ServiceItem.objects.get(code="SCJG-099")
    guide = item.published
    assert guide.status == GuideVersion.Status.PUBLISHED and guide.legal_limit_days == 15
    assert guide.zone.code == "A"
    rows = list(
        guide.materials.order_by("position").values_list(
            "position", "name", "copies", "form", "required", "original_required"
        )
    )
    assert rows == [
        (1, "特种设备使用登记表", 2, Material.Form.PAPER, True, False),
        (2, "产品合格证", 1, Material.Form.BOTH, False, True),
    ]
    # The same data again changes nothing.
    assert import_json({"items": [_item()]}).unchanged == ["SCJG-099"]


@pytest.mark.django_db
def test_json_with_bad_rows_names_each_and_writes_nothing(demo):
    before = ServiceItem.objects.count()
    bad = {
        "items": [
            _item(legal_limit_days="十五"),
            _item("SCJG-098", department="NOPE"),
            _item("SCJG-097", materials=[{"copies": 1}]),
            _item("SCJG-096"),
        ]
    }
    with pytest.raises(ImportFailed) as failed:
        import_json(bad)
    assert failed.value.problems == [
        "事项 第1项：法定时限应为整数",
        "材料 第3项第1条：材料名称不能为空",
        "事项 第2项：实施部门编码NOPE在该中心不存在",
    ]
    assert ServiceItem.objects.count() == before
    with pytest.raises(ImportFailed) as not_json:
        import_json(b"{")
    assert not_json.value.problems == ["文件不是有效的 JSON"]
    with pytest.raises(ImportFailed):
        import_json({"things": []})


@pytest.mark.django_db
def test_demo_catalog_is_the_data_file_through_the_import(demo):
    data = json.loads(catalog_demo.DATA.read_text(encoding="utf-8"))
    codes = [item["code"] for item in data["items"]]
    assert len(codes) == 33 == ServiceItem.objects.filter(code__in=codes).count()
    assert all(ServiceItem.objects.get(code=c).published for c in codes)
    # The file holds every field the demo shows: importing it again changes nothing, and
    # neither does the workbook exported from it.
    assert len(import_json(data).unchanged) == 33
    assert len(import_workbook(export_workbook()).unchanged) == 33
    versions = GuideVersion.objects.count()
    catalog_demo.load(io.StringIO())  # idempotent: existing items keep their versions
    assert GuideVersion.objects.count() == versions
