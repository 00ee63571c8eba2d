import datetime as dt
import os
import re
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from govhall.core import workdays
from govhall.core.audit import log_action
from govhall.core.jobs import Job
from govhall.core.models import (
    ApiToken,
    AuditEntry,
    CalendarDay,
    CalendarYear,
    IdempotencyRecord,
    WorkerHeartbeat,
)
from govhall.core.testing import missing_year, weekday_on_or_after

pytestmark = pytest.mark.django_db


# --- admin ----------------------------------------------------------------------------------


def inline_data(rows):
    data = {
        "days-TOTAL_FORMS": str(len(rows)),
        "days-INITIAL_FORMS": "0",
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
    }
    for i, (date, kind, name) in enumerate(rows):
        data.update({f"days-{i}-date": date, f"days-{i}-kind": kind, f"days-{i}-name": name})
    return data


def test_admin_enters_a_year_by_hand_with_inline_days(
    admin_client, django_capture_on_commit_callbacks
):
    y = missing_year()
    saturday = weekday_on_or_after(dt.date(y, 2, 1), 5)
    friday, monday = saturday - dt.timedelta(days=1), saturday + dt.timedelta(days=2)
    assert admin_client.get("/admin/core/calendaryear/add/").status_code == 200
    calls = []

    def listener(sender, years, **kwargs):
        calls.append(set(years))

    workdays.calendar_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                "/admin/core/calendaryear/add/",
                {
                    "year": str(y),
                    "source": "manual",
                    "notes": "国办发明电〔2026〕（测试）",
                    **inline_data(
                        [
                            (f"{y}-01-01", "holiday", "元旦"),
                            (monday.isoformat(), "holiday", "春节"),
                            (saturday.isoformat(), "workday", "春节"),
                        ]
                    ),
                },
            )
    finally:
        workdays.calendar_changed.disconnect(listener)
    assert response.status_code == 302, response.content.decode()[:2000]
    year = CalendarYear.objects.get(year=y)
    assert year.days.count() == 3
    assert calls == [{y}]  # one signal for the year and its three inline rows
    assert workdays.is_workday(saturday)
    assert not workdays.is_workday(monday)
    assert not workdays.add_workdays_info(friday, 1).provisional
    assert AuditEntry.objects.filter(action="govhall.core.calendar.year_entered").exists()
    listing = admin_client.get("/admin/core/calendaryear/").content.decode()
    assert "工作日历年度" in listing


def test_admin_rejects_a_day_outside_its_year(admin_client):
    y = missing_year()
    response = admin_client.post(
        "/admin/core/calendaryear/add/",
        {"year": str(y), "source": "manual", **inline_data([(f"{y + 1}-01-01", "holiday", "x")])},
    )
    assert response.status_code == 200
    assert "日期不在所属年度内" in response.content.decode()
    assert not CalendarYear.objects.filter(year=y).exists()


def test_audit_log_is_read_only_in_the_admin(admin_client):
    with transaction.atomic():
        entry = log_action(actor=None, action="govhall.core.test.admin", object_type="x")
    assert admin_client.get("/admin/core/auditentry/").status_code == 200
    assert admin_client.get("/admin/core/auditentry/add/").status_code == 403
    page = admin_client.get(f"/admin/core/auditentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # view only
    response = admin_client.post(
        f"/admin/core/auditentry/{entry.pk}/change/", {"action": "govhall.core.test.forged"}
    )
    assert response.status_code == 403
    assert admin_client.post(f"/admin/core/auditentry/{entry.pk}/delete/").status_code == 403
    entry.refresh_from_db()
    assert entry.action == "govhall.core.test.admin"


def test_machine_records_are_read_only(admin_client):
    WorkerHeartbeat.objects.create(name="w", seen_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    IdempotencyRecord.objects.create(scope="s", key="k", request_hash="h", status_code=201)
    for model in ["workerheartbeat", "idempotencyrecord"]:
        assert admin_client.get(f"/admin/core/{model}/").status_code == 200
        assert admin_client.get(f"/admin/core/{model}/add/").status_code == 403


def test_api_tokens_list_and_revoke_without_showing_the_key(admin_client):
    from govhall.org.testing import make_user

    make_user("board1", is_device=True)
    out = StringIO()
    call_command("create_api_token", "board1", "--label", "叫号屏", stdout=out)
    key = out.getvalue().strip()
    token = ApiToken.objects.get()
    listing = admin_client.get("/admin/core/apitoken/").content.decode()
    assert token.prefix in listing and "有效" in listing
    assert key not in listing and token.key_hash not in listing
    change = admin_client.get(f"/admin/core/apitoken/{token.pk}/change/").content.decode()
    assert key not in change and token.key_hash not in change
    assert admin_client.get("/admin/core/apitoken/add/").status_code == 403
    response = admin_client.post(
        "/admin/core/apitoken/",
        {"action": "revoke", "_selected_action": [str(token.pk)]},
        follow=True,
    )
    assert "已吊销 1 个令牌" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(action="govhall.core.api_token.revoked").count() == 1


def test_calendar_days_admin_changelist(admin_client):
    page = admin_client.get("/admin/core/calendarday/?year__year__exact=2026")
    assert page.status_code == 200
    assert "春节" in page.content.decode()
    assert CalendarDay.objects.filter(year_id=2026).exists()


# --- commands -------------------------------------------------------------------------------


def test_run_worker_once_beats_and_runs_discovered_jobs(monkeypatch):
    ran = []

    def job(now):
        ran.append(now)
        return 3

    def failing(now):
        raise RuntimeError("boom")

    monkeypatch.setattr(
        "govhall.core.management.commands.run_worker.discover_jobs",
        lambda: [Job("failing", failing, 60), Job("test.sweep", job, 60)],
    )
    out = StringIO()
    call_command("run_worker", "--once", stdout=out)
    assert len(ran) == 1  # one failing job does not stop the others
    assert WorkerHeartbeat.objects.count() == 1
    assert "test.sweep：3" in out.getvalue()


def test_run_worker_discovers_app_jobs():
    from govhall.core.jobs import discover_jobs

    jobs = discover_jobs()
    assert all(isinstance(j, Job) for j in jobs)
    assert len({j.name for j in jobs}) == len(jobs)
    call_command("run_worker", "--once", stdout=StringIO())  # the real jobs run cleanly
    assert WorkerHeartbeat.objects.exists()


def test_verify_audit_on_an_intact_log():
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "完整" in out.getvalue()


def test_check_deploy_is_clean_with_debug_off(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("DJANGO_", "DATABASE_URL", "SECURE_", "SESSION_", "CSRF_", "PDF_FONT_PATH")
        )
    }
    env.update(
        DJANGO_SETTINGS_MODULE="govhall.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50)[:50],
        SECURE_SSL_REDIRECT="1",
        SESSION_COOKIE_SECURE="1",
        CSRF_COOKIE_SECURE="1",
        ALLOWED_HOSTS="govhall.example.gov.cn",
        GOVHALL_DATA_DIR=str(tmp_path),
    )
    env.pop("GOVHALL_TESTING", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    # The one warning a machine may add: no Chinese font for PDFs (govhall.W020), which a
    # fresh machine without fonts-wqy-zenhei has; the deployment settings raise nothing.
    issues = re.findall(r"\(((?:govhall|security|[a-z_]+)\.[A-Z]\d+)\)", output)
    assert set(issues) <= {"govhall.W020"}, output
    if not issues:
        assert result.returncode == 0, output
        assert "no issues" in result.stdout


def test_old_idempotency_records_are_purged():
    from govhall.core.jobs import JOBS, discover_jobs, purge_idempotency_records

    now = dt.datetime(2026, 2, 13, 10, tzinfo=dt.UTC)
    old = IdempotencyRecord.objects.create(scope="s", key="old", request_hash="h")
    fresh = IdempotencyRecord.objects.create(scope="s", key="fresh", request_hash="h")
    IdempotencyRecord.objects.filter(pk=old.pk).update(created_at=now - dt.timedelta(hours=73))
    IdempotencyRecord.objects.filter(pk=fresh.pk).update(created_at=now - dt.timedelta(hours=1))
    assert purge_idempotency_records(now) == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]
    assert JOBS[0].name in {j.name for j in discover_jobs()}


@pytest.mark.django_db
@pytest.mark.postgres
def test_postgres_without_autovacuum_is_warned_about(monkeypatch):
    from govhall.core import checks

    monkeypatch.setattr(checks, "_postgres_setting", lambda name: "off")
    messages = checks.postgres_autovacuum_on(databases=["default"])
    assert [m.id for m in messages] == ["govhall.W002"]
    assert "autovacuum" in messages[0].msg
    monkeypatch.setattr(checks, "_postgres_setting", lambda name: "on")
    assert checks.postgres_autovacuum_on(databases=["default"]) == []
    assert checks.postgres_autovacuum_on(databases=None) == []  # plain `check`: no DB


@pytest.mark.django_db
@pytest.mark.postgres
def test_postgres_setting_is_read_from_the_server():
    from govhall.core.checks import _postgres_setting

    assert _postgres_setting("autovacuum") in {"on", "off"}
