"""Every deadline of a case, as stored dates counted through govhall.core.workdays, each
with a flag when a calendar year it touches is missing (DESIGN.md rule 5; every period of
the law is working days, §82), ending at the close of its last working day.

7.2.3: 审批人员……应在规定时限内作出受理决定……超过受理期限不告知的，自收到申请材料之日起
即为受理。服务对象未在规定期限内补齐补正材料的，可作退件处理。
DESIGN.md legal defaults: acceptance review within the item's limit (default 5 working
days) from receipt, or from the day the last correction arrived; the correction period is a
per-item setting counted from the correction notice; the promised limit (承诺时限) counts
from acceptance, or from receipt when deemed accepted (行政许可法 §32).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from govhall.core import workdays


def add_days(day: dt.date, n: int) -> workdays.WorkdayResult:
    """n working days after `day` (the day itself not counted), provisional where the
    calendar lacks a year."""
    return workdays.add_workdays_info(day, n)


def review_deadlines(start: dt.date, guide: Any) -> dict[str, Any]:
    """The acceptance due date and the promised due date if deemed accepted, both counted
    from the day the materials (or the last correction) arrived."""
    acceptance = add_days(start, guide.acceptance_limit_days)
    promised = add_days(start, guide.promised_limit_days)
    return {
        "review_start": start,
        "acceptance_due": acceptance.date,
        "acceptance_due_provisional": acceptance.provisional,
        "deemed_promised_due": promised.date,
        "deemed_promised_provisional": promised.provisional,
    }


def promised_deadline(accepted_on: dt.date, guide: Any) -> dict[str, Any]:
    """The promised due date of a case accepted on `accepted_on` (the item's promised
    limit in working days from acceptance)."""
    due = add_days(accepted_on, guide.promised_limit_days)
    return {"promised_due": due.date, "promised_due_provisional": due.provisional}


def correction_deadline(notice_day: dt.date, guide: Any) -> dict[str, Any]:
    """The day corrections are due: the item's correction period from the notice."""
    due = add_days(notice_day, guide.correction_limit_days)
    return {"correction_due": due.date, "correction_due_provisional": due.provisional}


def review_closed(acceptance_due: dt.date, today: dt.date) -> bool:
    """The acceptance due day has closed: from the next day on, no decision can be made and
    the case is deemed accepted (not before: the whole due day belongs to the department)."""
    return acceptance_due < today
