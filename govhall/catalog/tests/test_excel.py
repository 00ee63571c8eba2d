import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from govhall.catalog.excel import ImportFailed, export_workbook, import_workbook
from govhall.catalog.models import GuideVersion, ServiceItem


def _wb(data):
    return load_workbook(io.BytesIO(data))


def _save(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _header(ws):
    return [c.value for c in ws[1]]


@pytest.mark.django_db
def test_round_trip_changes_nothing(demo):
    data = export_workbook()
    wb = _wb(data)
    assert wb.sheetnames == ["事项", "材料"]
    assert wb["事项"].max_row == 34
    versions = GuideVersion.objects.count()
    report = import_workbook(data)
    assert len(report.unchanged) == 33 and not report.updated and not report.created
    assert GuideVersion.objects.count() == versions


@pytest.mark.django_db
def test_import_updates_and_publishes_new_version_and_creates(demo):
    wb = _wb(export_workbook())
    items, mats = wb["事项"], wb["材料"]
    h = _header(items)
    row = next(r for r in items.iter_rows(min_row=2) if r[0].value == "SCJG-006")
    row[h.index("承诺时限")].value = 3
    new = [c.value for c in next(items.iter_rows(min_row=2))]
    new[h.index("事项编码")] = "SCJG-099"
    new[h.index("事项名称")] = "特种设备使用登记"
    items.append(new)
    mats.append(["SCJG-099", 1, "特种设备使用登记表", "是", "纸质", 2, "否", "", ""])
    report = import_workbook(_save(wb))
    assert report.updated == ["SCJG-006"]
    assert report.created == ["SCJG-099"]
    food = ServiceItem.objects.get(code="SCJG-006")
    assert food.published.version == 2 and food.published.promised_limit_days == 3
    assert food.versions.get(version=1).promised_limit_days == 5
    created = ServiceItem.objects.get(code="SCJG-099")
    assert [m.name for m in created.published.materials.all()] == ["特种设备使用登记表"]
    assert created.published.materials.get().copies == 2


@pytest.mark.django_db
def test_bad_rows_reported_with_row_numbers_and_nothing_imported(demo):
    wb = _wb(export_workbook())
    items, mats = wb["事项"], wb["材料"]
    h = _header(items)
    items.cell(row=3, column=h.index("承诺时限") + 1).value = 3  # a good change …
    items.cell(row=5, column=h.index("承诺时限") + 1).value = "五天"  # … and bad rows
    items.cell(row=6, column=h.index("即办件") + 1).value = "也许"
    items.cell(row=7, column=h.index("实施部门编码") + 1).value = "XXX"
    mats.cell(row=4, column=3).value = None
    before = list(GuideVersion.objects.order_by("pk").values_list("pk", "status"))
    with pytest.raises(ImportFailed) as exc:
        import_workbook(_save(wb))
    problems = exc.value.problems
    assert "事项 第5行：承诺时限应为整数" in problems
    assert any(p.startswith("事项 第6行：即办件") for p in problems)
    assert any(p.startswith("事项 第7行：实施部门编码XXX") for p in problems)
    assert "材料 第4行：材料名称不能为空" in problems
    assert list(GuideVersion.objects.order_by("pk").values_list("pk", "status")) == before


@pytest.mark.django_db
def test_not_an_excel_file(demo):
    with pytest.raises(ImportFailed) as exc:
        import_workbook(b"hello")
    assert "Excel" in exc.value.problems[0]


@pytest.mark.django_db
def test_management_commands(demo, tmp_path):
    path = tmp_path / "catalog.xlsx"
    out = io.StringIO()
    call_command("catalog_export", str(path), stdout=out)
    assert path.exists()
    call_command("catalog_import", str(path), stdout=out)
    assert "未变化 33 项" in out.getvalue()
