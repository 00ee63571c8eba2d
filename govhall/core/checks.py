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


@checks.register(checks.Tags.database)
def postgres_autovacuum_on(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn when PostgreSQL runs without autovacuum. Every call and finish leaves a dead
    row version of its ticket, every sealed audit entry another; unvacuumed, the queue's
    index scans step over more of them all day (bench/queue_load.py without VACUUM:
    call-next 640 → 100 requests/s by a third round)."""
    if not databases or "default" not in databases:
        return []
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    try:
        setting = _postgres_setting("autovacuum")
    except DatabaseError:
        return []
    if setting == "on":
        return []
    return [
        checks.Warning(
            "PostgreSQL 未开启 autovacuum：排队叫号表的失效行不被清理，叫号会越来越慢。",
            hint="在 postgresql.conf 中设置 autovacuum = on（默认即开启）并重新加载配置。",
            id="govhall.W002",
        )
    ]


def _postgres_setting(name: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [name])
        return cursor.fetchone()[0]
