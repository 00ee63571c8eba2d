"""API plumbing shared by every app: problem+json errors, auth, pagination, health.

Every app's `api.py` exposes `router`; govhall/api.py mounts them on one NinjaAPI.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth
from pydantic import ConfigDict

from govhall.core.caching import ProcessCache

# The problem+json helpers live in core.problems; they are imported from here by the apps.
from govhall.core.problems import PROBLEM_CONTENT_TYPE as PROBLEM_CONTENT_TYPE
from govhall.core.problems import STATUS_TITLES as STATUS_TITLES
from govhall.core.problems import install_error_handlers as install_error_handlers
from govhall.core.problems import problem as problem
from govhall.core.problems import validation_problem as validation_problem

# Tokens already checked by this process, by key hash → (token row, user row): devices and
# window consoles send one with every request. The user handed to a request is a copy, so
# per-request memos never leak between requests. Revoking a token or changing its account
# takes effect at once here, elsewhere within TOKEN_CACHE_SECONDS.
_tokens = ProcessCache(
    "tokens", seconds="TOKEN_CACHE_SECONDS", clear_on=("core.ApiToken", settings.AUTH_USER_MODEL)
)


# What each device scope of a token reaches: (method, path under /api/v1/ as a regex).
DEVICE_SCOPE_ROUTES: dict[str, tuple[tuple[str, str], ...]] = {
    "issue": (("POST", r"tickets"),),
    "checkin": (("POST", r"appointments/[^/]+/check-in"),),
    "display": (("GET", r"display/[^/]+(/stream)?"), ("GET", r"queue/status")),
    "evaluate": (("*", r"evaluations(/.*)?"),),
}


def device_scope_allows(scopes: list[str], method: str, path: str) -> bool:
    """Whether a device token with `scopes` may call `method path` (path of the request)."""
    _, _, rest = path.partition("/api/v1/")
    rest = rest.rstrip("/")
    return any(
        want in ("*", method) and re.fullmatch(pattern, rest)
        for scope in scopes
        for want, pattern in DEVICE_SCOPE_ROUTES.get(scope, ())
    )


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` for staff and device accounts; never superusers
    (their power stays behind a session, CSRF and the admin's audit); a device account's
    token only for the operations of its scopes."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return self.token_account(request, token, check_routes=True)

    def token_account(self, request: HttpRequest, token: str, *, check_routes: bool) -> Any:
        """The account of a valid token, set as request.user; None when the token is unknown,
        revoked, expired or a superuser's. With `check_routes`, a device token also only
        for the API routes of its scopes (the /device/ sign-in page checks no route)."""
        from govhall.core.models import ApiToken

        now = timezone.now()
        key_hash = ApiToken.hash_key(token)

        def load() -> tuple[Any, Any]:
            found = (
                ApiToken.objects.select_related("user")
                .filter(key_hash=key_hash, revoked_at__isnull=True)
                .first()
            )
            return found, (found.user if found is not None else None)

        record, user = _tokens.get(key_hash, load)
        if record is None or not user.is_active or record.is_expired(now) or user.is_superuser:
            return None
        if (
            check_routes
            and user.is_device
            and not device_scope_allows(record.scopes, request.method, request.path)
        ):
            return None
        if record.last_used_at is None or now - record.last_used_at > dt.timedelta(minutes=5):
            # Throttled write: a busy device must not turn every read into a write.
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
            record.last_used_at = now
        request.user = copy.copy(user)
        return request.user


class StaffSessionAuth(SessionAuth):
    """Browser session (cookie + CSRF on writes)."""

    def __call__(self, request: HttpRequest) -> Any:
        # Without a session cookie there is nothing to protect from CSRF: answer 401
        # (log in), not 403 (CSRF failed), to a client that simply sent no credentials.
        if not request.COOKIES.get(self.param_name):
            return None
        return super().__call__(request)


STAFF_AUTH = [BearerTokenAuth(), StaffSessionAuth()]


def authenticated_caller(request: HttpRequest) -> tuple[str, Any] | None:
    """Who sent this request, checked as the API's authentication checks it, for code that
    runs before or outside it (idempotency scope, rate limits): ("token:<hash>", user) for
    a valid bearer token, ("user:<pk>", user) for a staff session, ("device:<pk>", user)
    for a hall device signed in at /device/ (core.devices), None for anyone else.
    A header that is not a valid token ("Bearer undefined") makes nobody a caller."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer " and header[7:].strip():
        token = header[7:].strip()
        user = BearerTokenAuth().authenticate(request, token)
        if user is not None:
            from govhall.core.models import ApiToken

            return "token:" + ApiToken.hash_key(token)[:40], user
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}", user
    from govhall.core.devices import device_user

    device = device_user(request)
    return (f"device:{device.pk}", device) if device is not None else None


class PageQuery(Schema):
    page: int = 1
    page_size: int = 20


def paginate(queryset: QuerySet | list, page: int, page_size: int) -> tuple[int, list]:
    """Validate page numbers and slice. Raises InvalidInput naming the field."""
    from govhall.core.errors import InvalidInput

    if page < 1:
        raise InvalidInput("页码须为大于0的整数。", field="page")
    if page_size < 1 or page_size > 200:
        raise InvalidInput("每页条数须在1到200之间。", field="page_size")
    count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
    start = (page - 1) * page_size
    if start >= count:
        # Past the end: empty, without asking the database for an OFFSET it may not hold.
        return count, []
    return count, list(queryset[start : start + page_size])


router = Router(tags=["运维"])


class HealthOut(Schema):
    status: str


@router.get("/health", response=HealthOut, auth=None, summary="存活检查")
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", auth=None, summary="就绪检查：数据库、后台进程心跳（工作日历缺失只提示）")
def ready(request: HttpRequest) -> HttpResponse:
    """503 only for what stops the service working: the database, the worker. A calendar
    year not yet entered is a notice (DESIGN.md 5: its deadlines are provisional and
    admins are warned): a probe failing on it would take every server out of rotation
    each 1 December until someone enters next year."""
    from govhall.core import workdays
    from govhall.core.models import WorkerHeartbeat

    checks: dict[str, Any] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"
        return JsonResponse({"status": "unavailable", "checks": checks}, status=503)
    now = timezone.now()
    beat = WorkerHeartbeat.objects.order_by("-seen_at").first()
    max_age = dt.timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS)
    if beat is None:
        checks["worker"] = "后台进程从未运行"
    elif beat.age(now) > max_age:
        checks["worker"] = f"后台进程心跳已 {int(beat.age(now).total_seconds())} 秒未更新"
    else:
        checks["worker"] = "ok"
    ok = all(v == "ok" for v in checks.values())
    missing, overdue = workdays.missing_years_ahead(), workdays.overdue_missing_years()
    return JsonResponse(
        {
            "status": "ready" if ok else "degraded",
            "checks": checks,
            "calendar_missing_years": missing,
            "calendar_overdue_years": overdue,
            "notices": _calendar_notices(missing, set(overdue)),
        },
        status=200 if ok else 503,
        json_dumps_params={"ensure_ascii": False},
    )


def _calendar_notices(missing: list[int], overdue: set[int]) -> list[str]:
    """A notice for each calendar year not entered (the overdue ones say so)."""
    return [
        f"工作日历缺少 {year} 年{'（已应录入）' if year in overdue else ''}："
        "涉及该年的期限只按周末临时计算，请在管理后台录入放假安排。"
        for year in missing
    ]


# --- working-day calendar: public reads, admin entry ---------------------------------

calendar_router = Router(tags=["工作日历"])
router.add_router("/", calendar_router)


class CalendarDayIn(Schema):
    date: dt.date
    name: str = Field("", max_length=64)


class CalendarYearIn(Schema):
    year: int = Field(..., ge=2000, le=2100)
    notes: str = Field("", max_length=200)
    holidays: list[CalendarDayIn] = Field(default_factory=list, max_length=366)
    workdays: list[CalendarDayIn] = Field(default_factory=list, max_length=366)


class CalendarDayOut(Schema):
    date: dt.date
    kind: str
    name: str


class CalendarYearOut(Schema):
    year: int
    source: str
    notes: str
    updated_at: dt.datetime
    holidays: int
    workdays: int


class CalendarYearDetailOut(CalendarYearOut):
    days: list[CalendarDayOut]


class CalendarYearList(Schema):
    count: int
    results: list[CalendarYearOut]
    missing_years: list[int]


class WorkdaysOut(Schema):
    start: dt.date = Field(..., alias="from")
    n: int
    date: dt.date
    deadline_at: dt.datetime
    provisional: bool
    provisional_years: list[int]

    model_config = ConfigDict(populate_by_name=True)


def _year_out(record: Any) -> dict[str, Any]:
    from govhall.core.models import CalendarDay

    days = list(record.days.all())
    return {
        "year": record.year,
        "source": record.source,
        "notes": record.notes,
        "updated_at": record.updated_at,
        "holidays": sum(d.kind == CalendarDay.HOLIDAY for d in days),
        "workdays": sum(d.kind == CalendarDay.WORKDAY for d in days),
        "days": [{"date": d.date, "kind": d.kind, "name": d.name} for d in days],
    }


@calendar_router.get(
    "/calendar/years", response=CalendarYearList, auth=None, summary="已录入的工作日历年度"
)
def calendar_years(request: HttpRequest, params: Query[PageQuery]) -> dict[str, Any]:
    from govhall.core import workdays
    from govhall.core.models import CalendarYear

    queryset = CalendarYear.objects.prefetch_related("days").order_by("year")
    count, records = paginate(queryset, params.page, params.page_size)
    return {
        "count": count,
        "results": [_year_out(r) for r in records],
        "missing_years": workdays.missing_years_ahead(),
    }


@calendar_router.get(
    "/calendar/years/{year}",
    response=CalendarYearDetailOut,
    auth=None,
    summary="一个年度的节假日与调休上班日",
)
def calendar_year_detail(request: HttpRequest, year: int) -> dict[str, Any]:
    from govhall.core.errors import NotFound
    from govhall.core.models import CalendarYear

    record = CalendarYear.objects.prefetch_related("days").filter(year=year).first()
    if record is None:
        raise NotFound(f"{year} 年的工作日历尚未录入。", field="year")
    return _year_out(record)


@calendar_router.post(
    "/calendar/years",
    response={201: CalendarYearDetailOut},
    summary="录入（或替换）一个年度的节假日与调休上班日（管理员）",
)
def calendar_year_post(request: HttpRequest, payload: CalendarYearIn) -> Status:
    from govhall.core.errors import Forbidden, InvalidInput
    from govhall.core.services import calendar_year_enter

    user = request.user
    if not (user.is_superuser or user.has_perm("core.change_calendaryear")):
        raise Forbidden("只有系统管理员可以录入工作日历。")
    for field in ("holidays", "workdays"):
        dates = [d.date for d in getattr(payload, field)]
        if len(set(dates)) != len(dates):
            raise InvalidInput(f"{field} 中有重复的日期。", field=field)
    record = calendar_year_enter(
        year=payload.year,
        holidays={d.date: d.name for d in payload.holidays},
        workdays={d.date: d.name for d in payload.workdays},
        notes=payload.notes,
        actor=user,
    )
    record.refresh_from_db()
    return Status(201, _year_out(record))


@calendar_router.get(
    "/calendar/workdays",
    response=WorkdaysOut,
    by_alias=True,
    auth=None,
    summary="工作日计算：某日之后第 n 个工作日及其截止时间",
)
def calendar_workdays(
    request: HttpRequest,
    start: dt.date = Query(..., alias="from"),  # noqa: B008
    n: int = Query(..., ge=-3660, le=3660),
) -> dict[str, Any]:
    from govhall.core import workdays
    from govhall.core.errors import InvalidInput

    if not dt.date(2000, 1, 1) <= start <= dt.date(2100, 12, 31):
        raise InvalidInput("日期须在 2000-01-01 到 2100-12-31 之间。", field="from")
    try:
        result = workdays.add_workdays_info(start, n)
    except ValueError as exc:  # counted back past the first year of the calendar
        raise InvalidInput("结果早于工作日历的起始年份（2000年）。", field="n") from exc
    low, high = sorted((start, result.date))
    known = workdays.known_years()
    return {
        "from": start,
        "n": n,
        "date": result.date,
        "deadline_at": workdays.end_of_day(result.date),
        "provisional": result.provisional,
        "provisional_years": [y for y in range(low.year, high.year + 1) if y not in known],
    }
