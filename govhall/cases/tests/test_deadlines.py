"""The deadline rules of a case (services/deadlines.py) on their own, across holidays, 调休
and a year the calendar lacks: each field and each flag, and the close of the due day."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from govhall.cases.services import deadlines
from govhall.core.testing import missing_year

pytestmark = pytest.mark.django_db
D = dt.date

# Distinct limits, so a rule that took another one's limit shows.
GUIDE = SimpleNamespace(acceptance_limit_days=5, correction_limit_days=3, promised_limit_days=10)


def test_add_days_skips_the_day_itself_weekends_and_holidays():
    assert deadlines.add_days(D(2026, 3, 6), 1).date == D(2026, 3, 9)  # Friday → Monday
    assert deadlines.add_days(D(2026, 3, 6), 0).date == D(2026, 3, 6)
    # National Day 2026: 1–7 Oct off, Sat 10 Oct worked (调休).
    result = deadlines.add_days(D(2026, 9, 30), 3)
    assert result.date == D(2026, 10, 10)
    assert result.provisional is False


def test_review_deadlines_count_from_receipt_across_spring_festival():
    # Fri 13 Feb 2026; Sat 14 worked (调休); 15–23 off; Sat 28 Feb worked (调休).
    assert deadlines.review_deadlines(D(2026, 2, 13), GUIDE) == {
        "review_start": D(2026, 2, 13),
        "acceptance_due": D(2026, 2, 27),  # 14, 24, 25, 26, 27
        "acceptance_due_provisional": False,
        "deemed_promised_due": D(2026, 3, 5),  # … 28 Feb, 2, 3, 4, 5 Mar
        "deemed_promised_provisional": False,
    }


def test_promised_due_counts_from_acceptance():
    assert deadlines.promised_deadline(D(2026, 10, 13), GUIDE) == {
        "promised_due": D(2026, 10, 27),
        "promised_due_provisional": False,
    }


def test_correction_due_counts_the_items_correction_period_from_the_notice():
    assert deadlines.correction_deadline(D(2026, 3, 4), GUIDE) == {
        "correction_due": D(2026, 3, 9),  # Thu 5, Fri 6, Mon 9
        "correction_due_provisional": False,
    }


def test_every_deadline_in_a_year_the_calendar_lacks_is_provisional():
    start = D(missing_year(), 6, 1)
    review = deadlines.review_deadlines(start, GUIDE)
    assert review["acceptance_due_provisional"] is True
    assert review["deemed_promised_provisional"] is True
    assert review["acceptance_due"] > start and review["deemed_promised_due"] > start
    assert deadlines.promised_deadline(start, GUIDE)["promised_due_provisional"] is True
    assert deadlines.correction_deadline(start, GUIDE)["correction_due_provisional"] is True


def test_the_review_closes_after_the_whole_due_day():
    due = D(2026, 2, 27)
    assert deadlines.review_closed(due, D(2026, 2, 26)) is False
    assert deadlines.review_closed(due, due) is False  # the due day belongs to the department
    assert deadlines.review_closed(due, D(2026, 2, 28)) is True
