"""Public progress look-up (API.md "Cases"): case number + the phone's last four digits,
rate-limited; a wrong number looks the same as an unknown case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from govhall.cases import selectors
from govhall.core.errors import DomainError

router = Router(tags=["办件"])

PUBLIC_LOOKUPS_PER_MINUTE = 20


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"


class PublicQuery(Schema):
    phone_last4: str = ""


class PublicDocument(Schema):
    kind: str
    title: str
    number: str
    date: dt.datetime
    url: str


class PublicCaseOut(Schema):
    case_no: str
    item_name: str
    department: str
    center: str
    applicant: str
    status: str
    stage: str
    received_at: dt.datetime
    acceptance_due: dt.date | None
    correction_due: dt.date | None
    accepted_on: dt.date | None
    promised_due: dt.date | None
    documents: list[PublicDocument]


def public_rate_limit(request: HttpRequest) -> None:
    """A few look-ups a minute per client address: case numbers are guessable."""
    key = "cases:public:" + (request.META.get("REMOTE_ADDR") or "?")
    cache.add(key, 0, 60)
    try:
        count = cache.incr(key)
    except ValueError:
        count = 1
    if count > PUBLIC_LOOKUPS_PER_MINUTE:
        raise RateLimited("查询过于频繁，请一分钟后再试。")


@router.get(
    "/public/cases/{case_no}",
    response=PublicCaseOut,
    auth=None,
    summary="申请人查询办件进度（办件编号 + 手机号后四位；姓名脱敏）",
)
def case_public(request: HttpRequest, case_no: str, q: Query[PublicQuery]) -> dict[str, Any]:
    public_rate_limit(request)
    case = selectors.public_case(case_no, q.phone_last4)
    data = selectors.public_progress(case, timezone.now())
    data["received_at"] = timezone.localtime(data["received_at"])
    return data
