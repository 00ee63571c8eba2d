"""Fixtures for evaluation tests: a queue center (make_queue) with a department, an immediate
item (its cases finish at intake), finished tickets and cases, staff of every role, and a
second center for the scope tests."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from govhall.cases import services as case_services
from govhall.cases.services import output as case_output
from govhall.cases.tests.conftest import applicant, complete
from govhall.cases.tests.flow_fixtures import signature_png
from govhall.catalog.testing import make_item
from govhall.core.testing import at
from govhall.notifications.models import OutboxMessage
from govhall.org.testing import make_center, make_department, make_user
from govhall.queueing import services as queue_services
from govhall.queueing.tests.conftest import (  # noqa: F401  (fixtures used here too)
    make_queue,
    opening_hours,
    plain_live_server,
)

WORKDAY = at(2026, 2, 13, 10, 0)  # Friday before the Spring Festival holiday


def finish_ticket(h: SimpleNamespace, *, phone: str = "13800001111", now: dt.datetime = WORKDAY):
    """Issue a ticket of category A, call it to window 1 and finish it (clerk1)."""
    from govhall.queueing.models import WindowSession

    ticket = queue_services.ticket_issue(
        center=h.center, category=h.cats["A"], phone=phone, channel="kiosk", now=now
    )
    if not WindowSession.objects.filter(window=h.w1, closed_at__isnull=True).exists():
        queue_services.window_open(window=h.w1, actor=h.clerk1, now=now)
    called = queue_services.window_call_next(window=h.w1, actor=h.clerk1, now=now)
    assert called.pk == ticket.pk
    return queue_services.ticket_finish(ticket=called, actor=h.clerk1, now=now)


def finished_case(h: SimpleNamespace, n: int = 1, *, now: dt.datetime = WORKDAY):
    result = case_services.case_intake(
        center=h.center,
        item=h.item,
        channel="window",
        applicant=applicant(n),
        materials=complete(h.item),
        actor=h.clerk1,
        window=h.w1,
        now=now,
    )
    # A 即办件 is approved at the window; the result then goes to the output window and
    # is picked up against a signature (Cases II), which finishes the case.
    approver = make_user(f"ev-approver-{n}", ("approver", h.center, h.dept))
    case = case_output.case_result_handover(case=result.case, actor=approver, now=now)
    case = case_output.case_result_receive(case=case, ok=True, actor=h.clerk1, now=now)
    case, _ = case_output.case_pickup(
        case=case, signature_png=signature_png(), id_checked=True, actor=h.clerk1, now=now
    )
    return case


@pytest.fixture
def h(db):
    q = make_queue("EV-1")
    dept = make_department(q.center, "SCJG", "青松县市场监督管理局", short_name="青市监")
    other_dept = make_department(q.center, "GAJ", "青松县公安局", short_name="青公")
    q.w1.department = dept
    q.w1.save()
    q.clerk1.display_name = "王丽娟"
    q.clerk1.badge_no = "QS-0201"
    q.clerk1.save()
    item = make_item(
        q.center, dept, "EV-IMM", "个体工商户名称变更", is_immediate=True,
        materials=[{"name": "申请书", "position": 1}],
    )  # fmt: skip
    q.cats["A"].items.add(item)
    other = make_center("EV-2", "另一县政务服务中心")
    return SimpleNamespace(
        **vars(q),
        dept=dept,
        other_dept=other_dept,
        item=item,
        approver=make_user("ev-approver", ("approver", q.center, dept)),
        other_approver=make_user("ev-approver-o", ("approver", q.center, other_dept)),
        other=other,
        other_manager=make_user("ev-other-mgr", ("manager", other)),
    )


@pytest.fixture
def outbox():
    def messages(template=None):
        qs = OutboxMessage.objects.order_by("id")
        return list(qs.filter(template=template) if template else qs)

    return messages


@pytest.fixture(autouse=True)
def _plain(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
