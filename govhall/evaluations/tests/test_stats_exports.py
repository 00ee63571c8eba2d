"""Statistics against a hand-counted fixture; the Excel workbook and the national CSV."""

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from govhall.core.testing import at
from govhall.evaluations import exports, selectors, services
from govhall.evaluations.tests.conftest import finish_ticket, finished_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(h):
    """Hand-counted:
    Jan 2026: tickets at window 1 (clerk1): levels 5, 4, 1 (sms, device, device)
    Feb 2026: cases (window 1, item EV-IMM, dept SCJG): levels 3, 2 (online, online)
              window 2 QR ratings: 5, 5 (no staff, no item)
    → total 7; 好评 (5,4,3) = 5 [5,4,3,5,5]; 差评 = 2 [1,2]; satisfaction 71.4 %, bad 28.6 %.
    Window 1: 5 ratings, good 3, bad 2 → 60.0 %; window 2: 2, good 2 → 100.0 %.
    Channel: 短信 1 (good), 评价器 2 (1 good, 1 bad), 网上 2 (1 good, 1 bad), 二维码 2 good.
    Month: 2026-01 3 (2 good, 1 bad); 2026-02 4 (3 good, 1 bad)."""
    jan = at(2026, 1, 20, 10)
    feb = at(2026, 2, 10, 10)
    for level, channel in ((5, "sms"), (4, "device"), (1, "device")):
        t = finish_ticket(h, now=jan)
        services.rating_submit(kind="ticket", matter_id=t.pk, channel=channel, level=level, now=jan)
    for n, level in ((1, 3), (2, 2)):
        c = finished_case(h, n, now=feb)
        services.rating_submit(
            kind="case", matter_id=c.pk, channel="online", level=level, comment=f"第{n}件",
            now=feb,
        )  # fmt: skip
    for _ in range(2):
        services.rating_submit(kind="window", matter_id=h.w2.pk, channel="qr", level=5, now=feb)
    return h


def by_key(rows):
    return {r["key"]: (r["total"], r["good"], r["bad"], r["satisfaction_rate"]) for r in rows}


def test_hand_counted_statistics(rated):
    qs = selectors.counted(selectors.ratings_visible(rated.manager))
    s = selectors.summary(qs)
    assert (s["total"], s["good"], s["bad"]) == (7, 5, 2)
    assert (s["satisfaction_rate"], s["bad_rate"]) == (71.4, 28.6)
    assert list(s["levels"].values()) == [3, 1, 1, 1, 1]
    assert by_key(selectors.stats_by(qs, "window")) == {
        "1号窗口": (5, 3, 2, 60.0),
        "2号窗口": (2, 2, 0, 100.0),
    }
    assert by_key(selectors.stats_by(qs, "channel")) == {
        "短信评价": (1, 1, 0, 100.0),
        "评价器": (2, 1, 1, 50.0),
        "网上评价": (2, 1, 1, 50.0),
        "评价二维码": (2, 2, 0, 100.0),
    }
    assert by_key(selectors.stats_by(qs, "month")) == {
        "2026-01": (3, 2, 1, 66.7),
        "2026-02": (4, 3, 1, 75.0),
    }
    assert by_key(selectors.stats_by(qs, "staff")) == {
        "（未指定）": (2, 2, 0, 100.0),
        "王丽娟": (5, 3, 2, 60.0),
    }
    # No item: the 3 tickets (5, 4, 1) and the 2 window ratings (5, 5).
    assert by_key(selectors.stats_by(qs, "item")) == {
        "（未指定）": (5, 4, 1, 80.0),
        "个体工商户名称变更": (2, 1, 1, 50.0),
    }
    assert by_key(selectors.stats_by(qs, "department"))["青松县市场监督管理局"] == (5, 3, 2, 60.0)
    ranking = selectors.window_ranking(qs)
    assert [r["key"] for r in ranking] == ["2号窗口", "1号窗口"]
    feb = selectors.in_period(qs, at(2026, 2, 1, 0).date(), at(2026, 2, 28, 0).date())
    assert selectors.summary(feb)["total"] == 4


def test_national_csv_and_workbook(rated):
    qs = selectors.counted(selectors.ratings_visible(rated.manager))
    data = exports.national_csv(qs).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    assert rows[0] == [label for _, label in exports.NATIONAL_FIELDS]
    assert rows[0][:3] == ["事项编码", "办件编号", "评价渠道"]
    assert rows[0][6:] == ["整改状态", "整改结果"]
    assert len(rows) == 8
    case_rows = [r for r in rows[1:] if r[0] == "EV-IMM"]
    assert [r[3] for r in case_rows] == ["基本满意", "不满意"]
    assert case_rows[1][1].startswith("EV-1-2026-") and case_rows[1][6] == "待核实"
    assert case_rows[0][6] == "无需整改" and case_rows[0][4] == "2026-02-10 10:00:00"
    wb = load_workbook(
        io.BytesIO(exports.workbook(qs, selectors.rectifications_visible(rated.manager), "统计"))
    )
    summary = {r[0]: r[1] for r in wb["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["评价总数"] == 7 and summary["满意率（%）"] == 71.4
    window_rows = list(wb["按窗口"].iter_rows(min_row=2, values_only=True))
    assert window_rows == [("1号窗口", 5, 3, 2, 60.0, 40.0), ("2号窗口", 2, 2, 0, 100.0, 0.0)]
    assert wb["评价明细"].max_row == 8


def test_dashboard_and_exports_pages(rated, time_machine):
    time_machine.move_to(at(2026, 2, 20, 10))
    client = Client()
    client.force_login(rated.manager)
    page = client.get(f"/evaluations/?center={rated.center.code}")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<strong id="kpi-total">7</strong>' in html and "71.4%" in html
    assert html.count("<svg") == 7 and "cdn" not in html.lower()
    r = client.get(f"/evaluations/export.xlsx?center={rated.center.code}")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    r = client.get(f"/evaluations/national.csv?center={rated.center.code}&from=2026-02-01")
    assert r.status_code == 200 and len(r.content.decode("utf-8-sig").splitlines()) == 5
    other = Client()
    other.force_login(rated.other_manager)
    html = other.get(f"/evaluations/?center={rated.center.code}").content.decode()
    assert '<strong id="kpi-total">0</strong>' in html and rated.center.name not in html


def test_monthly_ranking_and_rectification_sources_on_the_dashboard(rated, time_machine):
    time_machine.move_to(at(2026, 2, 20, 10))
    services.complaint_create(
        center=rated.center, channel="box", content="大厅太冷", actor=rated.manager
    )
    services.blocked_report_create(
        center=rated.center,
        matter="迁户口",
        reason="系统不通",
        real_name=False,
        actor=rated.manager,
    )
    client = Client()
    client.force_login(rated.manager)
    html = client.get(f"/evaluations/?center={rated.center.code}").content.decode()
    # February: window 1 (one case rated 3, one 2 → 50 %), window 2 (5, 5 → 100 %).
    assert "2026年2月窗口排名" in html
    ranking = html.split('id="ranking"')[1].split("</table>")[0]
    assert ranking.index("2号窗口") < ranking.index("1号窗口") and "50.0%" in ranking
    # 差评 (levels 1 and 2) → 2; one complaint, one 办不成事 report: each opened one.
    assert '<strong id="kpi-src-rating">2</strong>' in html
    assert '<strong id="kpi-src-complaint">1</strong>' in html
    assert '<strong id="kpi-src-blocked">1</strong>' in html
    # January asked for: window 1 only (5, 4, 1 → 66.7 %), also with a period set elsewhere.
    jan = client.get(f"/evaluations/?center={rated.center.code}&month=2026-01&from=2026-02-01")
    ranking = jan.content.decode().split('id="ranking"')[1].split("</table>")[0]
    assert "1号窗口" in ranking and "66.7%" in ranking and "2号窗口" not in ranking
    bad = client.get(f"/evaluations/?center={rated.center.code}&month=2026-13")
    assert bad.status_code == 200 and "2026年2月窗口排名" in bad.content.decode()
