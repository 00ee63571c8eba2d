"""The dashboard's counts and list read only the cases due by the end of the yellow window
(and the paused ones), yet agree case for case with giving every open case its level —
over every stage, missing dates, a holiday week, and per scope (an approver sees only
their department; another center's manager nothing)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db.models import Count

from govhall.cases.models import Case, Status
from govhall.cases.selectors_flow import dashboard_counts, dashboard_list, monitored
from govhall.org.testing import make_center, make_user

from .conftest import at, intake
from .flow_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db
D = dt.date

# (status, handover_due, promised_due, pickup_notice_due): every stage, dated and undated.
MIX = [
    (Status.APPROVING, D(2026, 2, 9), None, None),  # red (before the festival)
    (Status.APPROVING, D(2026, 2, 24), D(2026, 2, 25), None),  # yellow: 2nd workday after
    (Status.APPROVING, D(2026, 3, 20), None, None),  # green
    (Status.ACCEPTED, None, D(2026, 2, 13), None),  # red by promised due (no handover due)
    (Status.EXTENDED, None, None, None),  # no date: paused
    (Status.APPROVED, D(2026, 2, 24), None, None),  # yellow
    (Status.RESULT_HANDED, None, D(2026, 4, 1), None),  # green
    (Status.OUTPUT_RECEIVED, None, None, D(2026, 2, 12)),  # red
    (Status.OUTPUT_RECEIVED, None, None, None),  # paused
    (Status.SUSPENDED, D(2026, 2, 10), None, None),  # paused whatever its dates
    (Status.CORRECTION_REQUESTED, None, None, None),  # paused
    (Status.PICKUP_NOTIFIED, None, None, None),  # paused
    (Status.CLOSED, None, None, None),  # not open
]


def oracle(user, today, **filters):
    rows = (
        monitored(user, today, **filters)
        .order_by()
        .values("department_id", "level")
        .annotate(n=Count("id"))
    )
    out: dict[int, Counter] = {}
    for r in rows:
        out.setdefault(r["department_id"], Counter())[r["level"]] += r["n"]
        out[r["department_id"]]["total"] += r["n"]
    return out


@pytest.fixture
def cases(center, item, other_item, clerk):
    made = []
    for n, (status, handover, promised, pickup) in enumerate(MIX * 2, start=1):
        case = intake(center, item if n % 2 else other_item, clerk, n, now=at(2026, 2, 2, 9)).case
        Case.objects.filter(pk=case.pk).update(
            status=status, handover_due=handover, promised_due=promised, pickup_notice_due=pickup
        )
        made.append(case)
    # one still in acceptance review, due before the festival: red
    made.append(intake(center, item, clerk, 99, now=at(2026, 2, 2, 9)).case)
    return made


def test_counts_and_list_agree_with_every_case_levelled(cases, manager, approver, other_approver):
    today = D(2026, 2, 24)  # the first workday after the 2026 Spring Festival holiday
    for user in (manager, approver, other_approver):
        expected = oracle(user, today)
        got = {
            r["department_id"]: Counter(
                {k: r[k] for k in ("total", "green", "yellow", "red", "paused") if r[k]}
            )
            for r in dashboard_counts(user, today)
        }
        assert got == expected
        listed = [c.number for c in dashboard_list(user, today)]
        brute = [
            c.number for c in monitored(user, today).exclude(level="green").order_by("due", "id")
        ]
        assert listed == brute
        for level in ("yellow", "red", "paused"):
            one = [c.number for c in dashboard_list(user, today, level=level)]
            assert one == [
                c.number for c in monitored(user, today).filter(level=level).order_by("due", "id")
            ]
    totals = {r["department__name"]: r for r in dashboard_counts(manager, today)}
    assert sum(r["total"] for r in totals.values()) == 25  # 12 open × 2, + the received one
    levels = {k: sum(r[k] for r in totals.values()) for k in ("red", "yellow", "green", "paused")}
    assert levels == {"red": 7, "yellow": 4, "green": 4, "paused": 10}
    mine = dashboard_counts(approver, today)
    assert [r["department__name"] for r in mine] == ["青松县市场监督管理局"]


def test_another_centers_manager_sees_nothing(cases):
    elsewhere = make_center("HL-C09", "其他县政务服务中心")
    stranger = make_user("mgr-x", ("manager", elsewhere))
    assert dashboard_counts(stranger, D(2026, 2, 24)) == []
    assert list(dashboard_list(stranger, D(2026, 2, 24))) == []
