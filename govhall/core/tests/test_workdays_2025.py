"""The 2025 calendar, written out by hand from the State Council's notice (国办发明电〔2024〕
12 号, 关于2025年部分节假日安排的通知) as an oracle independent of the chinese-calendar
package that seeds the table: a wrong row in the package, or in the seeding, fails here.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from govhall.core import workdays

pytestmark = pytest.mark.django_db

D = dt.date
SH = ZoneInfo("Asia/Shanghai")


def _days(first: dt.date, last: dt.date) -> set[dt.date]:
    return {first + dt.timedelta(days=k) for k in range((last - first).days + 1)}


HOLIDAYS_2025 = (
    {D(2025, 1, 1)}  # 元旦 (Wed)
    | _days(D(2025, 1, 28), D(2025, 2, 4))  # 春节 (Tue 28 Jan – Tue 4 Feb)
    | _days(D(2025, 4, 4), D(2025, 4, 6))  # 清明节
    | _days(D(2025, 5, 1), D(2025, 5, 5))  # 劳动节
    | _days(D(2025, 5, 31), D(2025, 6, 2))  # 端午节
    | _days(D(2025, 10, 1), D(2025, 10, 8))  # 国庆节、中秋节
)
# 调休: weekend days that are working days.
ADJUSTED_WORKDAYS_2025 = {
    D(2025, 1, 26),  # Sun, 春节
    D(2025, 2, 8),  # Sat, 春节
    D(2025, 4, 27),  # Sun, 劳动节
    D(2025, 9, 28),  # Sun, 国庆节
    D(2025, 10, 11),  # Sat, 国庆节
}


def official_2025(day: dt.date) -> bool:
    if day in ADJUSTED_WORKDAYS_2025:
        return True
    return day.weekday() < 5 and day not in HOLIDAYS_2025


def test_adjusted_days_are_weekends():
    assert {d.weekday() for d in ADJUSTED_WORKDAYS_2025} <= {5, 6}
    assert len(HOLIDAYS_2025) == 1 + 8 + 3 + 5 + 3 + 8


def test_every_day_of_2025_matches_the_notice():
    wrong = [
        d
        for d in _days(D(2025, 1, 1), D(2025, 12, 31))
        if workdays.is_workday(d) != official_2025(d)
    ]
    assert sorted(wrong) == []
    # 261 weekdays (2025 starts on a Wednesday), 18 of them holidays, and 5 调休 days.
    assert sum(official_2025(d) for d in _days(D(2025, 1, 1), D(2025, 12, 31))) == 248


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2025, 1, 24), 1, D(2025, 1, 26)),  # Fri → Sun 26 Jan, 调休
        (D(2025, 1, 26), 1, D(2025, 1, 27)),
        (D(2025, 1, 27), 1, D(2025, 2, 5)),  # over the whole Spring Festival
        (D(2025, 2, 7), 1, D(2025, 2, 8)),  # Fri → Sat 8 Feb, 调休
        (D(2025, 2, 8), 1, D(2025, 2, 10)),
        (D(2025, 1, 24), 5, D(2025, 2, 7)),  # 26, 27 Jan, 5, 6, 7 Feb
        (D(2025, 4, 25), 1, D(2025, 4, 27)),  # Fri → Sun 27 Apr, 调休
        (D(2025, 4, 30), 1, D(2025, 5, 6)),  # over 劳动节
        (D(2025, 5, 30), 1, D(2025, 6, 3)),  # over 端午节
        (D(2025, 9, 26), 1, D(2025, 9, 28)),  # Fri → Sun 28 Sep, 调休
        (D(2025, 9, 30), 1, D(2025, 10, 9)),  # over National Day (1–8 Oct)
        (D(2025, 10, 9), 2, D(2025, 10, 11)),  # Thu, Fri, Sat 11 Oct 调休
        (D(2025, 9, 29), 5, D(2025, 10, 13)),  # 30 Sep, 9, 10, 11, 13 Oct
        (D(2025, 10, 13), -1, D(2025, 10, 11)),
        (D(2025, 10, 9), -1, D(2025, 9, 30)),
        (D(2025, 2, 5), -2, D(2025, 1, 26)),
    ],
)
def test_add_workdays_across_2025_holidays(start, n, expected):
    assert workdays.add_workdays(start, n) == expected


def test_five_working_day_deadline_over_national_day_2025():
    received = dt.datetime(2025, 9, 29, 10, 0, tzinfo=SH)  # Mon
    info = workdays.deadline_info(received, 5)
    assert info.due_at == dt.datetime(2025, 10, 13, 23, 59, 59, tzinfo=SH)
    assert not info.provisional
    assert workdays.workdays_between(D(2025, 9, 30), D(2025, 10, 11)) == 3
