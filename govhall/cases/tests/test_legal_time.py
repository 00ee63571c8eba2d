"""Legal time with the clock moved: acceptance due across National Day and Spring Festival
(with its 调休 Saturday), a Friday-afternoon receipt, deemed acceptance exactly after the due
day closes, the correction pause and restart, provisional deadlines recomputed."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from govhall.cases import services
from govhall.cases.models import Case, CaseEvent
from govhall.core.services import calendar_year_enter
from govhall.core.testing import missing_year

from .conftest import at, intake

pytestmark = pytest.mark.django_db
D = dt.date


def test_friday_afternoon_receipt_counts_from_monday(center, item, clerk):
    case = intake(center, item, clerk, now=at(2026, 3, 6, 16, 45)).case  # Friday
    assert case.review_start == D(2026, 3, 6)
    assert case.acceptance_due == D(2026, 3, 13)  # Mon 9 … Fri 13
    assert not case.acceptance_due_provisional


def test_national_day_receipt_on_the_eve(center, item, clerk, approver):
    case = intake(center, item, clerk, now=at(2026, 9, 30, 10)).case
    # 1–7 Oct off; Thu 8, Fri 9, Sat 10 (调休), Mon 12, Tue 13.
    assert case.acceptance_due == D(2026, 10, 13)
    services.cases_deem_accepted(now=at(2026, 10, 13, 23, 59, 59))
    assert Case.objects.get().status == "received"
    case, _ = services.case_decide(
        case=case, decision="accept", actor=approver, now=at(2026, 10, 13, 17)
    )
    # Promised 10 working days from acceptance on Tue 13 Oct.
    assert case.promised_due == D(2026, 10, 27)


def test_spring_festival_with_its_adjusted_saturday_and_deemed_acceptance(
    center, item, clerk, outbox
):
    case = intake(center, item, clerk, now=at(2026, 2, 13, 16, 30)).case  # Friday
    # Sat 14 Feb is a working day (调休); 16–23 Feb off; Tue 24 … Fri 27.
    assert case.acceptance_due == D(2026, 2, 27)
    # Deemed promised due counts from receipt: 14, 24, 25, 26, 27, 28 (调休), 2, 3, 4, 5 Mar.
    assert case.deemed_promised_due == D(2026, 3, 5)

    assert services.cases_deem_accepted(now=at(2026, 2, 27, 23, 59, 59)) == 0
    assert Case.objects.get().status == "received"
    with time_machine.travel(at(2026, 2, 28, 0, 0, 0), tick=False):
        assert services.cases_deem_accepted() == 1
    deemed = Case.objects.get()
    assert deemed.status == "deemed_accepted" and deemed.deemed
    assert deemed.accepted_on == D(2026, 2, 13)  # as of the receipt date
    assert deemed.promised_due == D(2026, 3, 5)
    event = CaseEvent.objects.get(case=deemed, action="deemed_accepted")
    assert (event.from_status, event.to_status, event.actor) == (
        "received",
        "deemed_accepted",
        None,
    )
    (sms,) = outbox("case_deemed_accepted")
    assert not outbox("case_accepted")  # its own template, not the decision's
    assert sms.related_id == str(deemed.pk) and sms.to == deemed.phone
    assert "视为受理" in sms.body
    assert "2026年2月13日" in sms.body  # as of the receipt date
    assert "承诺办结日为2026年3月5日" in sms.body
    assert deemed.number in sms.body and "/progress/?case_no=" in sms.body
    # Idempotent: a second run changes and tells nothing.
    assert services.cases_deem_accepted(now=at(2026, 2, 28, 0, 5)) == 0
    assert len(outbox("case_deemed_accepted")) == 1
    assert CaseEvent.objects.filter(action="deemed_accepted").count() == 1


def test_accepted_in_time_counts_promised_due_from_acceptance(center, item, clerk, approver):
    case = intake(center, item, clerk, now=at(2026, 2, 13, 16, 30)).case
    case, _ = services.case_decide(
        case=case, decision="accept", actor=approver, now=at(2026, 2, 27, 17)
    )
    # From Fri 27 Feb: 28 (调休), 2, 3, 4, 5, 6, 9, 10, 11, 12 Mar.
    assert (case.accepted_on, case.promised_due) == (D(2026, 2, 27), D(2026, 3, 12))


def test_correction_pauses_and_restarts_the_acceptance_limit(center, item, clerk, approver):
    case = intake(center, item, clerk, now=at(2026, 3, 2, 9)).case  # Monday
    assert case.acceptance_due == D(2026, 3, 9)
    material = item.published.materials.order_by("position").first()
    case, _ = services.case_decide(
        case=case,
        decision="correct",
        items=[{"material_id": material.pk, "reason": "申请书未签字"}],
        actor=approver,
        now=at(2026, 3, 4, 10),
    )
    assert case.status == "correction_requested"
    assert case.correction_due == D(2026, 3, 11)  # 5 working days from Wed 4 Mar
    # Paused: the original due day passing deems nothing.
    assert services.cases_deem_accepted(now=at(2026, 3, 10, 9)) == 0
    case, receipt = services.case_corrections_supply(
        case=case,
        materials=[services.MaterialIn(material_id=material.pk, copies=1)],
        actor=clerk,
        now=at(2026, 3, 10, 15),
    )
    assert case.status == "received" and case.corrections_count == 1
    assert case.review_start == D(2026, 3, 10)
    assert case.acceptance_due == D(2026, 3, 17)  # restarted from the last correction
    assert receipt.kind == "correction_receipt"
    assert services.cases_deem_accepted(now=at(2026, 3, 17, 23, 59, 59)) == 0
    assert services.cases_deem_accepted(now=at(2026, 3, 18, 0, 0)) == 1
    case.refresh_from_db()
    assert case.accepted_on == D(2026, 3, 10)  # the day the last correction arrived


def _weekday_after(day: dt.date, n: int = 1) -> dt.date:
    """The nth Monday-to-Friday day after `day` (the weekends-only count of a missing year)."""
    while n:
        day += dt.timedelta(days=1)
        n -= day.weekday() < 5
    return day


def test_provisional_in_a_year_the_calendar_lacks_then_recomputed(
    center, item, clerk, django_capture_on_commit_callbacks
):
    year = missing_year()  # the first year the calendar table lacks
    received = D(year - 1, 12, 28)
    while received.weekday() >= 5:
        received -= dt.timedelta(days=1)
    case = intake(center, item, clerk, now=at(received.year, 12, received.day, 10)).case
    # The new year is not in the table: weekends only, so its first weekday counts — provisional.
    assert case.acceptance_due == _weekday_after(received, 5)
    assert case.acceptance_due_provisional
    new_years_day = _weekday_after(D(year - 1, 12, 31))
    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_enter(year=year, holidays={new_years_day: "元旦"}, workdays={}, actor=None)
    case.refresh_from_db()
    assert case.acceptance_due == _weekday_after(received, 6)
    assert not case.acceptance_due_provisional


def test_a_late_decision_is_refused_once_the_due_day_closed(center, item, clerk, approver):
    from govhall.core.errors import InvalidTransition

    case = intake(center, item, clerk, now=at(2026, 3, 6, 15)).case
    with pytest.raises(InvalidTransition):
        services.case_decide(
            case=case,
            decision="reject",
            reason="不符合条件",
            actor=approver,
            now=at(2026, 3, 14, 9),
        )
    assert Case.objects.get().status == "received"


def test_mail_in_receipt_date_is_the_sign_in_date(center, item, clerk):
    from .conftest import applicant, complete

    result = services.case_mail_sign_in(
        center=center,
        item=item,
        applicant=applicant(9),
        materials=complete(item),
        mail=services.MailIn(
            carrier="中国邮政EMS",
            tracking_no="EA123456789CN",
            signed_in_at=at(2026, 3, 6, 16, 0),  # Friday
            contents="申请书、营业执照复印件、平面图2份",
        ),
        actor=clerk,
        now=at(2026, 3, 9, 9, 30),  # registered on Monday
    )
    case = result.case
    assert case.channel == "mail" and case.mail_tracking_no == "EA123456789CN"
    assert case.received_at == at(2026, 3, 6, 16, 0)
    assert (case.review_start, case.acceptance_due) == (D(2026, 3, 6), D(2026, 3, 13))
