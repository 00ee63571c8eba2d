"""Kernel state changes: the calendar table."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from govhall.core import workdays as workdays_module
from govhall.core import workflow
from govhall.core.audit import log_action
from govhall.core.errors import InvalidInput
from govhall.core.models import CalendarDay, CalendarYear

MIN_YEAR = 2000
MAX_YEAR = 2100


def calendar_package_years() -> list[int]:
    import chinese_calendar

    years = {d.year for d in chinese_calendar.holidays} | {
        d.year for d in chinese_calendar.workdays
    }
    return sorted(years)


@transaction.atomic
def calendar_seed_missing_years(*, actor: Any = None, now: dt.datetime | None = None) -> list[int]:
    """Enter every year the chinese-calendar package knows and the table lacks.

    Years already in the table are never touched: an admin's edits win.
    """
    import chinese_calendar

    known = set(CalendarYear.objects.values_list("year", flat=True))
    added = [y for y in calendar_package_years() if y not in known]
    if not added:
        return []
    years = {y: CalendarYear(year=y, source="chinese_calendar") for y in added}
    CalendarYear.objects.bulk_create(years.values())
    chinese = {h.value: h.chinese for h in chinese_calendar.Holiday}
    rows = [
        CalendarDay(date=d, year_id=d.year, kind=CalendarDay.HOLIDAY, name=chinese.get(n, n))
        for d, n in chinese_calendar.holidays.items()
        if d.year in years
    ] + [
        CalendarDay(date=d, year_id=d.year, kind=CalendarDay.WORKDAY, name=chinese.get(n, n))
        for d, n in chinese_calendar.workdays.items()
        if d.year in years
    ]
    CalendarDay.objects.bulk_create(rows)
    log_action(
        actor=actor,
        action="govhall.core.calendar.seeded",
        object_type="calendar",
        data={"years": added},
        now=now,
    )
    # bulk_create sends no model signals: announce the new years once, after commit.
    workdays_module.calendar_touched(set(added))
    return added


@transaction.atomic
def calendar_year_enter(
    *,
    year: int,
    holidays: dict[dt.date, str],
    workdays: dict[dt.date, str],
    notes: str = "",
    actor: Any,
    now: dt.datetime | None = None,
) -> CalendarYear:
    """Enter (or replace) a year's holidays and adjusted working days.

    `holidays` are days off (usually weekdays), `workdays` are adjusted weekend working
    days (调休). Sends `calendar_changed(years={year})` once, after commit.
    """
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(f"年份须在 {MIN_YEAR} 到 {MAX_YEAR} 之间。", field="year")
    for field, days in (("holidays", holidays), ("workdays", workdays)):
        for day in days:
            if day.year != year:
                raise InvalidInput(f"日期 {day} 不在 {year} 年内。", field=field)
    weekday = next((d for d in sorted(workdays) if d.weekday() < 5), None)
    if weekday is not None:
        raise InvalidInput(f"调休上班日 {weekday} 不是周末，无需录入。", field="workdays")
    overlap = set(holidays) & set(workdays)
    if overlap:
        raise InvalidInput(f"日期 {min(overlap)} 不能既是假日又是调休上班日。", field="workdays")
    with workdays_module.calendar_batch():
        record, _ = CalendarYear.objects.update_or_create(
            year=year, defaults={"source": "manual", "notes": notes}
        )
        CalendarDay.objects.filter(year=record).delete()
        _bulk_days(record, holidays, workdays)
    log_action(
        actor=actor,
        action="govhall.core.calendar.year_entered",
        obj=record,
        data={"holidays": len(holidays), "workdays": len(workdays), "notes": notes},
        now=workflow.resolve_now(now),
    )
    return record


def _bulk_days(record: CalendarYear, holidays: dict, workdays: dict) -> None:
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(date=d, year=record, kind=CalendarDay.HOLIDAY, name=n)
            for d, n in holidays.items()
        ]
        + [
            CalendarDay(date=d, year=record, kind=CalendarDay.WORKDAY, name=n)
            for d, n in workdays.items()
        ]
    )


@transaction.atomic
def api_token_set_expiry(
    *, token: Any, expires_at: dt.datetime, actor: Any, now: dt.datetime | None = None
) -> Any:
    """Move a token's end, at most ApiToken.MAX_LIFETIME after its creation; audited."""
    from govhall.core.models import ApiToken

    if expires_at is None:
        raise InvalidInput("令牌须有过期时间。", field="expires_at")
    latest = token.created_at + ApiToken.MAX_LIFETIME
    if expires_at > latest:
        raise InvalidInput(
            f"令牌有效期最长 {ApiToken.MAX_LIFETIME.days} 天"
            f"（至 {timezone.localtime(latest):%Y-%m-%d %H:%M}）。",
            field="expires_at",
        )
    before = ApiToken.objects.filter(pk=token.pk).values_list("expires_at", flat=True).get()
    if before == expires_at:
        return token
    ApiToken.objects.filter(pk=token.pk).update(expires_at=expires_at)
    token.expires_at = expires_at
    log_action(
        actor=actor,
        action="govhall.core.api_token.expiry_changed",
        obj=token,
        data={
            "prefix": token.prefix,
            "from": before.astimezone(dt.UTC) if before else None,
            "to": expires_at.astimezone(dt.UTC),
        },
        now=now,
    )
    return token
