import datetime as dt

import pytest

from govhall.core import workdays

pytestmark = pytest.mark.django_db


def test_spring_festival_2026_five_workdays():
    # Fri 13 Feb received; Sat 14 Feb is 调休 (on); 15–23 Feb Spring Festival (off).
    assert workdays.is_workday(dt.date(2026, 2, 14))
    assert not workdays.is_workday(dt.date(2026, 2, 16))
    assert workdays.add_workdays(dt.date(2026, 2, 13), 5) == dt.date(2026, 2, 27)
