"""System checks of the kernel."""

from __future__ import annotations

from django.core import checks
from django.db import DatabaseError


@checks.register(checks.Tags.database)
def calendar_years_entered(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn admins when this or next year's working-day calendar is missing.

    Tagged `database`: it runs with `migrate` and `check --database default`, never
    with a plain `check --deploy` (which must not need a database).
    """
    if not databases or "default" not in databases:
        return []
    from govhall.core import workdays

    try:
        missing = workdays.missing_years_ahead()
    except DatabaseError:
        return []  # tables not migrated yet
    if not missing:
        return []
    years = "、".join(str(y) for y in missing)
    return [
        checks.Warning(
            f"工作日历缺少 {years} 年：涉及这些年份的期限只按周末计算，标为“临时”。",
            hint="国务院办公厅发布放假安排后，请在管理后台“工作日历年度”中录入，"
            "或调用 POST /api/v1/calendar/years。",
            id="govhall.W001",
        )
    ]
