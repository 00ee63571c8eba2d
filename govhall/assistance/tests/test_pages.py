"""The assistance pages: the console records a 帮办 and registers a 代办, the 代办 page
moves it, another center's 代办 is 404, the register filters and exports, data masked."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from govhall.assistance.models import HelpRecord, ProxyCase

from .conftest import apply, person_id, sign

pytestmark = pytest.mark.django_db


def test_console_records_help_and_applies_for_proxy(client, center, item, proxy):
    client.force_login(proxy)
    page = client.get("/assistance/")
    assert page.status_code == 200 and "登记帮办" in page.content.decode()
    r = client.post(
        "/assistance/",
        {
            "action": "help",
            "person_name": "李四光",
            "item_code": item.code,
            "actions": ["explained", "materials"],
            "forms_filled": "申请书\n承诺书",
            "minutes": "15",
            "outcome": "ready",
        },
    )
    assert r.status_code == 302
    record = HelpRecord.objects.get()
    assert record.actions == ["explained", "materials", "forms"] and record.forms_document_id
    html = client.get("/assistance/").content.decode()
    assert "李*光" in html and "李四光" not in html
    assert client.get(f"/assistance/help/{record.pk}/forms.pdf").status_code == 200
    bad = client.post("/assistance/", {"action": "help", "person_name": "", "minutes": "x"})
    assert bad.status_code == 200 and "请填写整数" in bad.content.decode()
    r = client.post(
        "/assistance/",
        {
            "action": "apply",
            "item_code": item.code,
            "applicant_name": "王小明",
            "id_type": "resident_id",
            "id_number": person_id(5),
            "phone": "13800005555",
            "materials": "营业执照×2\n平面图",
            "delivery": "hand",
        },
    )
    p = ProxyCase.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/assistance/proxies/{p.number}/"
    assert p.materials[0] == {"name": "营业执照", "copies": 2, "original": False}
    html = client.get(r["Location"]).content.decode()
    assert "王*明" in html and person_id(5) not in html and 'id="sign-form"' in html


def test_proxy_page_takes_in_and_terminates(client, center, item, proxy, other_proxy):
    p = sign(apply(center, item, proxy), proxy)
    client.force_login(other_proxy)
    assert client.get(f"/assistance/proxies/{p.number}/").status_code == 404
    doc = p.authorization.pk
    assert client.get(f"/assistance/proxies/{p.number}/doc/{doc}/").status_code == 404
    client.force_login(proxy)
    assert client.get(f"/assistance/proxies/{p.number}/doc/{doc}/").status_code == 200
    materials = [str(m.pk) for m in item.published.materials.all()]
    r = client.post(
        f"/assistance/proxies/{p.number}/", {"action": "take_in", "material": materials}
    )
    assert r.status_code == 302
    p = ProxyCase.objects.get(pk=p.pk)
    assert p.status == "taken_in" and p.case_id
    r = client.post(
        f"/assistance/proxies/{p.number}/",
        {"action": "terminate", "kind": "withdrawn", "reason": "不办了", "returned": "营业执照"},
    )
    assert r.status_code == 200 and "请在屏幕上签名" in r.content.decode()
    assert ProxyCase.objects.get(pk=p.pk).status == "taken_in"


def test_register_filters_and_exports(client, center, item, proxy, other_proxy):
    mine = apply(center, item, proxy)
    sign(apply(center, item, proxy, 2), proxy)
    client.force_login(proxy)
    html = client.get("/assistance/proxies/?status=applied").content.decode()
    assert mine.number in html and "登记（1 件）" in html
    r = client.get("/assistance/proxies/?format=xlsx")
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "代办编号" and len(rows) == 3 and rows[1][3] == "张*丰"
    assert "日期格式" in client.get("/assistance/proxies/?from=bad").content.decode()
    client.force_login(other_proxy)
    assert mine.number not in client.get("/assistance/proxies/").content.decode()
