import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from govhall.core.jobs import heartbeat
from govhall.core.models import ApiToken, AuditEntry, CalendarYear
from govhall.core.testing import missing_year, weekday_on_or_after
from govhall.org.testing import make_user

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
PROBLEM = "application/problem+json"


def problem_of(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = json.loads(response.content)
    assert body["status"] == status
    assert body["detail"] and any("\u4e00" <= c <= "\u9fff" for c in body["detail"])
    assert {"type", "title", "code", "errors"} <= set(body)
    return body


def fields_of(body):
    return [e["field"] for e in body["errors"]]


def token_for(username, **extra) -> str:
    from io import StringIO

    out = StringIO()
    call_command("create_api_token", username, stdout=out, **extra)
    return out.getvalue().strip()


# A year the calendar table lacks, and days of it: its first Saturday of February (a 调休
# day in the test body), the Friday before and the Monday after.
Y = missing_year()
SAT = weekday_on_or_after(dt.date(Y, 2, 1), 5)
FRI, MON = SAT - dt.timedelta(days=1), SAT + dt.timedelta(days=2)


def year_body(year=Y, **extra):
    """A body for POST /calendar/years; `extra` replaces fields after the dates are built."""
    body = {
        "year": year,
        "notes": "国办发明电〔2026〕测试",
        "holidays": [{"date": f"{year}-01-01", "name": "元旦"}],
        "workdays": [{"date": SAT.replace(year=year).isoformat(), "name": "春节"}],
    }
    body.update(extra)
    return body


def calendar_editor(username: str):
    """A staff account allowed to enter the calendar (tokens are never for superusers)."""
    from django.contrib.auth.models import Permission

    user = make_user(username, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_calendaryear"))
    return user


@pytest.fixture
def admin_user():
    """Calendar admin with an API token (tokens are never for superusers)."""
    return calendar_editor("core_admin")


@pytest.fixture
def clerk():
    return make_user("core_clerk")


def post_json(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


# --- problem+json for every kind of error ------------------------------------------------


@pytest.mark.urls("govhall.core.tests.urls_errors")
@pytest.mark.parametrize(
    ("kind", "status", "code", "field"),
    [
        ("domain", 400, "domain_error", None),
        ("invalid", 422, "invalid_input", "id_number"),
        ("not_found", 404, "not_found", None),
        ("forbidden", 403, "forbidden", None),
        ("conflict", 409, "conflict", None),
        ("transition", 409, "invalid_transition", None),
        ("django_validation", 422, "invalid_input", "phone"),
        ("http404", 404, "not_found", None),
        ("permission", 403, "forbidden", None),
        ("boom", 500, "server_error", None),
    ],
)
def test_domain_errors_become_problem_json(client, kind, status, code, field):
    body = problem_of(client.get(f"/api/v1/raise/{kind}"), status)
    assert body["code"] == code
    if field:
        assert fields_of(body) == [field]


@pytest.mark.urls("govhall.core.tests.urls_errors")
def test_pydantic_errors_name_the_fields(client):
    body = problem_of(post_json(client, "/api/v1/people", {"name": "张三", "age": "老"}), 422)
    assert fields_of(body) == ["age"]
    assert "age" in body["detail"] and "整数" in body["detail"]
    body = problem_of(post_json(client, "/api/v1/people", {}), 422)
    assert sorted(fields_of(body)) == ["age", "name"]
    assert "必填" in body["detail"]
    bad_json = client.post("/api/v1/people", data="{", content_type="application/json")
    body = problem_of(bad_json, 400)
    assert body["code"] == "malformed_body" and fields_of(body) == ["body"]


@pytest.mark.urls("govhall.core.tests.urls_errors")
def test_staff_endpoint_without_credentials_is_401(client):
    body = problem_of(client.get("/api/v1/staff-only"), 401)
    assert body["code"] == "unauthenticated"


def test_unknown_api_paths_are_problem_json_404(client):
    for path in ["/api/v1/nope", "/api/v1/nope/deeper/still", "/api/v1/calendar/yearz"]:
        body = problem_of(client.get(path), 404)
        assert body["code"] == "not_found"
    problem_of(client.post("/api/v1/nope", data="{}", content_type="application/json"), 404)


def test_wrong_method_is_problem_json_405(client):
    body = problem_of(client.delete("/api/v1/health"), 405)
    assert body["code"] == "method_not_allowed"
    assert "GET" in body["detail"]


def test_real_endpoints_keep_working_next_to_the_catch_all(client):
    assert client.get("/api/v1/health").json() == {"status": "ok"}
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_the_queue_routes_are_declared_first_and_the_catch_all_last():
    from django.urls import get_resolver, resolve

    from govhall.api import api

    routes = [str(pattern.pattern) for pattern in api.urls[0]]
    # Django tries them in this order: the queue's (most of a hall's day) come first.
    assert routes[:3] == ["openapi.json", "docs", "tickets"]
    assert "windows/<window_id>/call-next" in routes[:12]
    assert {"openapi.json", "health", "calendar/years", "appointments/slots"} <= set(routes)
    # The problem+json 404 for any other API path stays behind the whole API.
    top = [str(p.pattern) for p in get_resolver().url_patterns]
    assert top[:2] == ["api/v1/", "^api/"]
    assert resolve("/api/v1/windows/7/call-next").kwargs == {"window_id": "7"}
    assert resolve("/api/v1/tickets/7/finish").kwargs == {"ticket_id": "7"}
    assert resolve("/api/v1/tickets/7").kwargs == {"ticket_id": "7"}
    assert resolve("/api/v1/tickets").kwargs == {}
    assert resolve("/api/v1/no/such/thing").func.__name__ == "api_not_found"


# --- tokens and sessions --------------------------------------------------------------------


def test_create_api_token_prints_a_key_once_and_stores_only_its_hash(clerk):
    now = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
    with time_machine.travel(now, tick=False):
        key = token_for("core_clerk", label="3号窗口评价器")
    assert key.startswith("gh_") and len(key) > 40
    token = ApiToken.objects.get(user=clerk)
    assert token.key_hash == ApiToken.hash_key(key)
    assert key not in {token.prefix, token.key_hash, token.label}
    assert token.expires_at == now + dt.timedelta(days=180)
    assert AuditEntry.objects.filter(action="govhall.core.api_token.created").count() == 1
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        token_for("nobody")
    with pytest.raises(CommandError):
        token_for("core_clerk", days=0)


def test_bearer_tokens_good_bad_expired_revoked(client, admin_user, clerk):
    url = "/api/v1/calendar/years"
    key = token_for("core_admin")
    created = post_json(client, url, year_body(), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert created.status_code == 201, created.content

    problem_of(post_json(client, url, year_body(), HTTP_AUTHORIZATION="Bearer gh_wrong"), 401)
    problem_of(post_json(client, url, year_body()), 401)

    expiring = token_for("core_admin", days=1)
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        response = post_json(client, url, year_body(), HTTP_AUTHORIZATION=f"Bearer {expiring}")
        problem_of(response, 401)

    ApiToken.objects.filter(key_hash=ApiToken.hash_key(key)).update(revoked_at=timezone.now())
    problem_of(post_json(client, url, year_body(), HTTP_AUTHORIZATION=f"Bearer {key}"), 401)

    clerk_key = token_for("core_clerk")
    body = problem_of(
        post_json(client, url, year_body(), HTTP_AUTHORIZATION=f"Bearer {clerk_key}"), 403
    )
    assert body["code"] == "forbidden"

    clerk.is_active = False
    clerk.save()
    problem_of(post_json(client, url, year_body(), HTTP_AUTHORIZATION=f"Bearer {clerk_key}"), 401)


def test_session_post_without_csrf_token_is_refused(admin_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)
    body = problem_of(post_json(browser, "/api/v1/calendar/years", year_body()), 403)
    assert "CSRF" in body["detail"]
    assert not CalendarYear.objects.filter(year=Y).exists()
    # With the token from the cookie, the same request passes.
    browser.get("/admin/")  # sets the csrftoken cookie
    csrf = browser.cookies["csrftoken"].value
    ok = post_json(browser, "/api/v1/calendar/years", year_body(), HTTP_X_CSRFTOKEN=csrf)
    assert ok.status_code == 201, ok.content


def test_anonymous_post_without_cookie_is_401_not_csrf_403():
    anonymous = Client(enforce_csrf_checks=True)
    problem_of(post_json(anonymous, "/api/v1/calendar/years", year_body()), 401)


# --- calendar endpoints ---------------------------------------------------------------------


def test_calendar_years_listing_and_detail(client):
    listing = client.get("/api/v1/calendar/years?page_size=200").json()
    years = [r["year"] for r in listing["results"]]
    assert listing["count"] == len(years)
    assert {2004, 2026} <= set(years)
    assert Y not in years
    detail = client.get("/api/v1/calendar/years/2026").json()
    days = {d["date"]: d for d in detail["days"]}
    assert days["2026-02-14"]["kind"] == "workday"
    assert days["2026-02-16"]["kind"] == "holiday"
    assert days["2026-02-16"]["name"] == "春节"
    body = problem_of(client.get(f"/api/v1/calendar/years/{Y}"), 404)
    assert fields_of(body) == ["year"]
    problem_of(client.get("/api/v1/calendar/years?page=0"), 422)


def test_calendar_workdays_endpoint(client):
    body = client.get("/api/v1/calendar/workdays?from=2026-02-13&n=5").json()
    assert body == {
        "from": "2026-02-13",
        "n": 5,
        "date": "2026-02-27",
        "deadline_at": "2026-02-27T23:59:59+08:00",
        "provisional": False,
        "provisional_years": [],
    }
    later = client.get(f"/api/v1/calendar/workdays?from={Y - 1}-12-28&n=5").json()
    assert later["provisional"] is True and later["provisional_years"] == [Y]
    assert client.get("/api/v1/calendar/workdays?from=2026-02-24&n=-1").json()["date"] == (
        "2026-02-14"
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-02-31&n=5", "from"),
        ("from=abc&n=5", "from"),
        ("n=5", "from"),
        ("from=2026-02-13", "n"),
        ("from=2026-02-13&n=x", "n"),
        ("from=2026-02-13&n=99999", "n"),
        ("from=1990-01-01&n=5", "from"),
        ("from=2000-01-05&n=-200", "n"),
    ],
)
def test_calendar_workdays_bad_input(client, query, field):
    body = problem_of(client.get(f"/api/v1/calendar/workdays?{query}"), 422)
    assert fields_of(body) == [field]


def test_calendar_year_post_enters_the_year(client, admin_user, django_capture_on_commit_callbacks):
    key = token_for("core_admin")
    from govhall.core import workdays

    assert workdays.add_workdays_info(FRI, 1).provisional
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(
            client, "/api/v1/calendar/years", year_body(), HTTP_AUTHORIZATION=f"Bearer {key}"
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["year"] == Y and body["source"] == "manual"
    assert body["holidays"] == 1 and body["workdays"] == 1
    info = workdays.add_workdays_info(FRI, 1)
    assert info.date == SAT and not info.provisional
    entry = AuditEntry.objects.get(action="govhall.core.calendar.year_entered")
    assert entry.actor_id == admin_user.pk


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"year": "二〇二七"}, "year"),
        ({"year": 1999}, "year"),
        ({"holidays": [{"date": f"{Y + 1}-01-01"}]}, "holidays"),
        ({"holidays": [{"date": "not a date"}]}, "holidays.0.date"),
        ({"workdays": [{"date": MON.isoformat()}]}, "workdays"),  # a Monday
        ({"holidays": [{"date": f"{Y}-01-01"}, {"date": f"{Y}-01-01"}]}, "holidays"),
        ({"notes": "长" * 201}, "notes"),
    ],
)
def test_calendar_year_post_bad_input_names_the_field(client, admin_user, change, field):
    key = token_for("core_admin")
    body = {**year_body(), **change}
    response = post_json(client, "/api/v1/calendar/years", body, HTTP_AUTHORIZATION=f"Bearer {key}")
    body = problem_of(response, 422)
    assert fields_of(body) == [field]
    assert not CalendarYear.objects.filter(year=Y).exists()


# --- health and readiness ------------------------------------------------------------------


def test_health(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_ready_needs_a_fresh_heartbeat(client):
    nov = dt.datetime(Y - 1, 11, 26, 10, tzinfo=SH)
    with time_machine.travel(nov, tick=False):
        body = client.get("/api/v1/ready").json()
        assert body["checks"]["worker"] == "后台进程从未运行"
        assert client.get("/api/v1/ready").status_code == 503
        heartbeat("w1")
        response = client.get("/api/v1/ready")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"] == "ready"
        assert body["checks"] == {"database": "ok", "worker": "ok"}
        assert body["calendar_missing_years"] == [Y]  # announced, not yet due
        assert body["calendar_overdue_years"] == []
        assert f"{Y} 年" in body["notices"][0] and "已应录入" not in body["notices"][0]
    with time_machine.travel(nov + dt.timedelta(minutes=5), tick=False):
        response = client.get("/api/v1/ready")
        assert response.status_code == 503
        assert "秒未更新" in response.json()["checks"]["worker"]


def test_a_calendar_year_not_entered_is_a_notice_not_an_outage(client):
    """From 1 December next year's calendar is overdue: ready says so and stays 200, so a
    load balancer keeps the servers in rotation while deadlines into it are provisional."""
    dec = dt.datetime(Y - 1, 12, 15, 10, tzinfo=SH)
    with time_machine.travel(dec, tick=False):
        heartbeat("w1")
        response = client.get("/api/v1/ready")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"] == "ready"
        assert body["calendar_overdue_years"] == [Y]
        assert body["notices"] == [
            f"工作日历缺少 {Y} 年（已应录入）：涉及该年的期限只按周末临时计算，"
            "请在管理后台录入放假安排。"
        ]
        from govhall.core.services import calendar_year_enter

        calendar_year_enter(year=Y, holidays={dt.date(Y, 1, 1): "元旦"}, workdays={}, actor=None)
        body = client.get("/api/v1/ready").json()
        assert body["calendar_missing_years"] == body["calendar_overdue_years"] == []
        assert body["notices"] == []


def test_checked_tokens_are_forgotten_on_revocation_and_after_the_cache_time(
    client, admin_user, settings
):
    from unittest import mock

    url = "/api/v1/calendar/years"
    key = token_for("core_admin")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert post_json(client, url, year_body(), **auth).status_code == 201
    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(key))
    # Revoked through the model (admin action, services): refused at once.
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    problem_of(post_json(client, url, year_body(), **auth), 401)

    # Changed behind the ORM's back (no signal): refused once the cache time has passed.
    # The process cache's clock is moved by hand, never waited for.
    settings.TOKEN_CACHE_SECONDS = 0.2
    other = token_for("core_admin")
    other_auth = {"HTTP_AUTHORIZATION": f"Bearer {other}"}
    start = 1000.0  # the process cache's monotonic clock, set by the test
    with mock.patch("govhall.core.caching.time.monotonic", return_value=start) as clock:
        CalendarYear.objects.filter(year=2027).delete()
        assert post_json(client, url, year_body(), **other_auth).status_code == 201
        revoked = timezone.now()
        ApiToken.objects.filter(key_hash=ApiToken.hash_key(other)).update(revoked_at=revoked)
        clock.return_value = start + 0.19  # still within the cache time: accepted once more
        CalendarYear.objects.filter(year=2027).delete()
        assert post_json(client, url, year_body(), **other_auth).status_code == 201
        clock.return_value = start + 0.21  # past it: the revocation is seen
        problem_of(post_json(client, url, year_body(), **other_auth), 401)


def test_favicon_is_served_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("govhall/favicon.svg")
    page = client.get("/")
    assert b'rel="icon"' in page.content and b"favicon.svg" in page.content
