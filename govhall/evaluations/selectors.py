"""Reads of evaluations for pages, the API and other apps. Scope is applied here: staff see
their center's records, department users their department's; anything else is 404."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from govhall.core.errors import NotFound
from govhall.evaluations.models import (
    BAD_LEVELS,
    Appeal,
    Channel,
    Level,
    Rating,
    Rectification,
    RectStatus,
)
from govhall.org.selectors import scope_for
from govhall.queueing import selectors_served as queue_selectors

# The device page wakes for a ticket finished within this many seconds.
DEVICE_WAKE_SECONDS = 180
GOOD_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED, Level.BASICALLY)


def ratings_visible(user: Any) -> QuerySet[Rating]:
    return scope_for(user).filter(
        Rating.objects.select_related("window", "staff", "department", "item", "center"),
        center_field="center",
        department_field="department",
    )


def rating_for(user: Any, rating_id: int) -> Rating:
    rating = ratings_visible(user).filter(pk=rating_id).first()
    if rating is None:
        raise NotFound("未找到该评价。")
    return rating


def rectifications_visible(user: Any) -> QuerySet[Rectification]:
    return scope_for(user).filter(
        Rectification.objects.select_related("rating", "complaint", "blocked", "department"),
        center_field="center",
        department_field="department",
    )


def rectification_for(user: Any, rect_id: int) -> Rectification:
    rect = rectifications_visible(user).filter(pk=rect_id).first()
    if rect is None:
        raise NotFound("未找到该整改记录。")
    return rect


def appeals_visible(user: Any) -> QuerySet[Appeal]:
    return scope_for(user).filter(
        Appeal.objects.select_related("rating", "appellant"),
        center_field="rating__center",
        department_field="rating__department",
    )


def appeal_for(user: Any, appeal_id: int) -> Appeal:
    appeal = appeals_visible(user).filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound("未找到该申诉。")
    return appeal


# --- statistics ----------------------------------------------------------------------------

GROUPS = {
    "window": ("window__number", "窗口"),
    "staff": ("staff__display_name", "工作人员"),
    "department": ("department__name", "部门"),
    "item": ("item__name", "事项"),
    "channel": ("channel", "渠道"),
    "month": ("month", "月份"),
}


def counted(qs: QuerySet[Rating]) -> QuerySet[Rating]:
    """Ratings that count: not excluded by an upheld appeal, not appended ones."""
    return qs.filter(excluded=False, appended_to__isnull=True)


def in_period(qs: QuerySet, start: dt.date | None, end: dt.date | None, field: str = "at"):
    tz = timezone.get_default_timezone()
    if start:
        qs = qs.filter(**{f"{field}__gte": dt.datetime.combine(start, dt.time.min, tzinfo=tz)})
    if end:
        end_at = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        qs = qs.filter(**{f"{field}__lt": end_at})
    return qs


def _rate(part: int, total: int) -> float | None:
    return round(100 * part / total, 1) if total else None


def stats_by(qs: QuerySet[Rating], group: str) -> list[dict[str, Any]]:
    """Per group: total, 好评 (非常满意/满意/基本满意), 差评, satisfaction and 差评 rates (%)."""
    field, _ = GROUPS[group]
    if group == "month":
        qs = qs.annotate(month=TruncMonth("at", tzinfo=timezone.get_default_timezone()))
    rows = (
        qs.values(field)
        .annotate(
            total=Count("id"),
            good=Count("id", filter=Q(level__in=GOOD_LEVELS)),
            bad=Count("id", filter=Q(level__in=BAD_LEVELS)),
        )
        .order_by(field)
    )
    labels = dict(Channel.choices)
    out = []
    for r in rows:
        key = r[field]
        if group == "month" and key is not None:
            key = f"{key:%Y-%m}"
        elif group == "channel":
            key = labels.get(key, key)
        elif group == "window" and key is not None:
            key = f"{key}号窗口"
        out.append(
            {
                "key": key if key not in (None, "") else "（未指定）",
                "total": r["total"],
                "good": r["good"],
                "bad": r["bad"],
                "satisfaction_rate": _rate(r["good"], r["total"]),
                "bad_rate": _rate(r["bad"], r["total"]),
            }
        )
    return out


def summary(qs: QuerySet[Rating]) -> dict[str, Any]:
    total = qs.count()
    good = qs.filter(level__in=GOOD_LEVELS).count()
    bad = qs.filter(level__in=BAD_LEVELS).count()
    levels = OrderedDict((label, 0) for _, label in sorted(Level.choices, reverse=True))
    for r in qs.values("level").annotate(n=Count("id")):
        levels[Level(r["level"]).label] = r["n"]
    return {
        "total": total,
        "good": good,
        "bad": bad,
        "satisfaction_rate": _rate(good, total),
        "bad_rate": _rate(bad, total),
        "levels": levels,
    }


def rectification_rates(qs: QuerySet[Rectification]) -> dict[str, Any]:
    """On-time rate: closed ones no step of which ran past its due day, of all closed.
    Callback rate: real-name ones called back, of real-name ones past the callback step
    (closed, or waiting to close)."""
    closed = qs.filter(status=RectStatus.CLOSED)
    n_closed = closed.count()
    on_time = closed.filter(ever_overdue=False).count()
    real = qs.filter(real_name=True, status__in=[RectStatus.CLOSING, RectStatus.CLOSED])
    n_real = real.count()
    called = real.filter(callback_at__isnull=False).count()
    return {
        "open": qs.exclude(status=RectStatus.CLOSED).count(),
        "closed": n_closed,
        "on_time": on_time,
        "on_time_rate": _rate(on_time, n_closed),
        "real_name_done": n_real,
        "called_back": called,
        "callback_rate": _rate(called, n_real),
    }


def rectification_sources(qs: QuerySet[Rectification]) -> dict[str, int]:
    """How many rectifications each source opened: 差评, complaints, 办不成事 reports (each
    handled the same way, 9.5)."""
    return qs.aggregate(
        rating=Count("id", filter=Q(rating__isnull=False)),
        complaint=Count("id", filter=Q(complaint__isnull=False)),
        blocked=Count("id", filter=Q(blocked__isnull=False)),
    )


def month_bounds(month: str | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of a "YYYY-MM" month; this month when absent or malformed."""
    try:
        first = dt.date.fromisoformat(f"{month}-01") if month else today.replace(day=1)
    except ValueError:
        first = today.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def window_ranking(qs: QuerySet[Rating]) -> list[dict[str, Any]]:
    """The month's window ranking: satisfaction rate, then number of ratings."""
    rows = [r for r in stats_by(qs.exclude(window__isnull=True), "window")]
    return sorted(rows, key=lambda r: (-(r["satisfaction_rate"] or 0), -r["total"], r["key"]))


# --- the evaluator device --------------------------------------------------------------------


def device_pending(window_id: int, now: dt.datetime) -> dict[str, Any] | None:
    """The ticket just finished at the window and not yet rated: the device wakes for it."""
    since = now - dt.timedelta(seconds=DEVICE_WAKE_SECONDS)
    ticket = queue_selectors.window_last_finished(window_id, since)
    if ticket is None or Rating.objects.filter(matter_key=f"ticket:{ticket.pk}").exists():
        return None
    staff = ticket.staff
    return {
        "ticket_id": ticket.pk,
        "number": ticket.number,
        "staff_name": str(staff) if staff else "",
        "badge_no": staff.badge_no if staff else "",
        "photo_url": staff.photo.url if staff and staff.photo else "",
        "finished_at": timezone.localtime(ticket.finished_at).isoformat(),
    }
