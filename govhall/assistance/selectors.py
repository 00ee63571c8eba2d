"""Reads of assistance for pages, the API and evaluations. Scope is applied here: proxies,
managers and inspectors see the 帮办/代办 records of their own centers; anything else is
404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.utils import timezone

from govhall.assistance.models import HelpRecord, ProxyCase, ProxyNote, ProxyStatus
from govhall.cases import selectors as case_selectors
from govhall.core.errors import NotFound
from govhall.documents.models import Document
from govhall.documents.selectors import documents_for
from govhall.evaluations import selectors as rating_selectors
from govhall.org.selectors import scope_for

READ_ROLES = frozenset({"proxy", "manager", "inspector"})
NOT_FOUND = "未找到该代办。"


def _center_ids(user: Any) -> frozenset[int] | None:
    """The centers whose records the user reads; None for superusers (every center)."""
    scope = scope_for(user)
    if scope.is_admin:
        return None
    return scope.centers_with_role(READ_ROLES)


def _scoped(user: Any, qs: QuerySet) -> QuerySet:
    ids = _center_ids(user)
    return qs if ids is None else qs.filter(center_id__in=ids)


def proxies_visible(user: Any) -> QuerySet[ProxyCase]:
    return _scoped(
        user,
        ProxyCase.objects.select_related("center", "item", "item__department", "proxy", "case"),
    )


def proxy_for(user: Any, number: str) -> ProxyCase:
    p = proxies_visible(user).filter(number=(number or "").strip()).first()
    if p is None:
        raise NotFound(NOT_FOUND)
    return p


def proxy_register(
    user: Any,
    *,
    status: str = "",
    item_code: str = "",
    proxy_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    q: str = "",
) -> QuerySet[ProxyCase]:
    """The 代办 register (6.6.2.2 d) with its filters."""
    qs = proxies_visible(user)
    if status:
        qs = qs.filter(status=status)
    if item_code:
        qs = qs.filter(item__code=item_code)
    if proxy_id:
        qs = qs.filter(proxy_id=proxy_id)
    qs = rating_selectors.in_period(qs, date_from, date_to, field="applied_at")
    if q:
        qs = qs.filter(Q(number__icontains=q.strip()) | Q(case__number=q.strip()))
    return qs.order_by("-applied_at", "-id")


def help_visible(user: Any) -> QuerySet[HelpRecord]:
    return _scoped(
        user, HelpRecord.objects.select_related("center", "item", "staff", "case", "ticket")
    )


def help_for(user: Any, record_id: int) -> HelpRecord:
    record = help_visible(user).filter(pk=record_id).first()
    if record is None:
        raise NotFound("未找到该帮办记录。")
    return record


def proxy_events(p: ProxyCase):
    return p.events.select_related("actor").order_by("at", "id")


def proxy_notes(p: ProxyCase) -> QuerySet[ProxyNote]:
    return p.notes.select_related("department", "by").order_by("at", "id")


def proxy_documents(p: ProxyCase) -> list[Document]:
    """The 代办's documents (委托书, 退还清单, 登记表) and its case's (receipt, notices,
    领取签收单): what is filed for the archive."""
    docs = list(documents_for(p).order_by("created_at", "id"))
    if p.case_id:
        docs += list(case_selectors.case_documents(p.case))
    return docs


def proxy_fee(p: ProxyCase):
    return case_selectors.case_fee(p.case) if p.case_id else None


def proxy_get(proxy_id: int) -> ProxyCase | None:
    """Unscoped, by id: the evaluations matter reader (the rating link is signed)."""
    return ProxyCase.objects.select_related("center", "item", "proxy").filter(pk=proxy_id).first()


def open_proxies(user: Any) -> QuerySet[ProxyCase]:
    return proxies_visible(user).filter(status__in=ProxyCase.OPEN).order_by("applied_at", "id")


# --- statistics -------------------------------------------------------------------------


def stats(user: Any, date_from: dt.date | None = None, date_to: dt.date | None = None) -> dict:
    """帮办/代办 counts per item and staff, completion and average time, ratings."""
    helps = rating_selectors.in_period(help_visible(user), date_from, date_to)
    proxies = rating_selectors.in_period(proxies_visible(user), date_from, date_to, "applied_at")
    help_totals = helps.aggregate(n=Count("id"), spent=Sum("minutes"), avg=Avg("minutes"))
    closed = proxies.filter(status=ProxyStatus.CLOSED)
    durations = [
        (p["closed_at"] - p["applied_at"]).total_seconds() / 86400
        for p in closed.values("applied_at", "closed_at")
        if p["closed_at"]
    ]
    ended = closed.count() + proxies.filter(status=ProxyStatus.TERMINATED).count()
    ratings = rating_selectors.counted(
        rating_selectors.ratings_visible(user).filter(matter_kind="proxy")
    )
    ids = _center_ids(user)
    if ids is not None:
        ratings = ratings.filter(center_id__in=ids)
    ratings = rating_selectors.in_period(ratings, date_from, date_to)
    return {
        "help": {
            "total": help_totals["n"],
            "minutes": help_totals["spent"] or 0,
            "avg_minutes": round(help_totals["avg"], 1) if help_totals["avg"] else None,
            "by_item": _by(helps, "item__name", minutes=True),
            "by_staff": _by(helps, "staff__display_name", minutes=True),
        },
        "proxy": {
            "total": proxies.count(),
            "open": proxies.filter(status__in=ProxyCase.OPEN).count(),
            "closed": closed.count(),
            "terminated": ended - closed.count(),
            "completion_rate": round(100 * closed.count() / ended, 1) if ended else None,
            "avg_days": round(sum(durations) / len(durations), 1) if durations else None,
            "by_item": _by(proxies, "item__name", closed=True),
            "by_staff": _by(proxies, "proxy__display_name", closed=True),
        },
        "ratings": rating_selectors.summary(ratings),
    }


def _by(qs: QuerySet, field: str, *, minutes: bool = False, closed: bool = False) -> list[dict]:
    extra: dict[str, Any] = {}
    if minutes:
        extra["minutes"] = Sum("minutes")
    if closed:
        extra["closed"] = Count("id", filter=Q(status=ProxyStatus.CLOSED))
    rows = qs.values(key=F(field)).annotate(total=Count("id"), **extra).order_by("-total", "key")
    return [{**r, "key": r["key"] or "（未指定）"} for r in rows]


def today() -> dt.date:
    return timezone.localdate()
