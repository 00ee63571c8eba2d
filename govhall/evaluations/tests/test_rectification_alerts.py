"""Overdue alerts of rectifications go out by SMS through the outbox: to the staff member
concerned and the department's approvers, level 2 also to the managers; once per step and
level (also with two runs at once), held in quiet hours."""

import datetime as dt

import pytest

from govhall.core.testing import at
from govhall.evaluations import services
from govhall.evaluations.models import OverdueAlert
from govhall.evaluations.tests.conftest import finish_ticket

pytestmark = pytest.mark.django_db
TEMPLATE = "evaluation_rectification_overdue"
CLERK, APPROVER, MANAGER, OTHER = "13700000001", "13700000002", "13700000003", "13700000004"


@pytest.fixture
def phones(h):
    for user, phone in (
        (h.clerk1, CLERK), (h.approver, APPROVER), (h.manager, MANAGER),
        (h.other_approver, OTHER), (h.other_manager, "13700000005"),
    ):  # fmt: skip
        user.phone = phone
        user.save(update_fields=["phone"])


def bad(h, now):
    ticket = finish_ticket(h, now=now)
    return services.rating_submit(
        kind="ticket", matter_id=ticket.pk, channel="sms", level=1, comment="等了很久",
        real_name=True, name="张先生", phone="13912345678", now=now,
    ).rectification  # fmt: skip


def test_overdue_alerts_are_sent_by_sms_once_per_step_and_level(h, phones, outbox):
    rect = bad(h, at(2026, 3, 2, 10))  # Mon; verification due Mon 9 Mar
    assert rect.step_due == dt.date(2026, 3, 9)
    assert services.rectifications_alert_overdue(now=at(2026, 3, 9, 20)) == 0
    assert outbox(TEMPLATE) == []
    # Level 1 at 06:00 the next day: the clerk rated and the department's approver; held
    # by the outbox until quiet hours end at 08:00.
    assert services.rectifications_alert_overdue(now=at(2026, 3, 10, 6)) == 1
    first = outbox(TEMPLATE)
    assert sorted(m.to for m in first) == [CLERK, APPROVER]
    assert {m.due_at for m in first} == {at(2026, 3, 10, 8)}
    assert {m.hold_reason for m in first} == {"免打扰时段"}
    body = first[0].body
    assert f"#{rect.pk}" in body and "待核实" in body and "已逾期" in body and "2026-03-09" in body
    assert {m.related_id for m in first} == {str(rect.pk)}
    # Again the same day, and a second worker: nothing more.
    assert services.rectifications_alert_overdue(now=at(2026, 3, 10, 9)) == 0
    assert services.rectifications_alert_overdue(now=at(2026, 3, 10, 9)) == 0
    assert len(outbox(TEMPLATE)) == 2
    # Level 2 after another 5 working days: the managers are told as well, in the day.
    assert services.rectifications_alert_overdue(now=at(2026, 3, 17, 9)) == 1
    second = outbox(TEMPLATE)[2:]
    assert sorted(m.to for m in second) == [CLERK, APPROVER, MANAGER]
    assert {m.due_at for m in second} == {at(2026, 3, 17, 9)}
    assert "二级" in second[0].body
    assert services.rectifications_alert_overdue(now=at(2026, 3, 20, 9)) == 0
    assert len(outbox(TEMPLATE)) == 5
    # The next step has its own levels.
    rect = services.rectification_verify(
        rect=rect, founded=True, note="属实", actor=h.manager, now=at(2026, 3, 20, 10)
    )
    assert rect.step_due == dt.date(2026, 3, 27)  # Fri 20 + 5 working days
    assert services.rectifications_alert_overdue(now=at(2026, 3, 27, 18)) == 0
    assert services.rectifications_alert_overdue(now=at(2026, 3, 28, 9)) == 1
    third = outbox(TEMPLATE)[5:]
    assert sorted(m.to for m in third) == [CLERK, APPROVER] and "待整改" in third[0].body
    assert OverdueAlert.objects.count() == 3
    assert OTHER not in {m.to for m in outbox(TEMPLATE)}  # another department's approver


def test_without_staff_or_department_the_managers_are_told(h, phones, outbox):
    complaint = services.complaint_create(
        center=h.center, channel="box", content="大厅太冷", actor=h.manager, now=at(2026, 3, 2, 10)
    )
    rect = complaint.rectification
    assert rect.department_id is None
    assert services.rectifications_alert_overdue(now=at(2026, 3, 10, 9)) == 1
    assert [m.to for m in outbox(TEMPLATE)] == [MANAGER]
