"""9.5: 差评 → rectification, due dates in working days across holidays, callback before
closing a real-name one, overdue alerts once per level, appeals."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from govhall.core.errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from govhall.core.testing import at
from govhall.evaluations import selectors, services
from govhall.evaluations.models import EvaluationSettings, OverdueAlert, Rating, RectStatus
from govhall.evaluations.tests.conftest import WORKDAY, finish_ticket

pytestmark = pytest.mark.django_db


def bad(h, *, now=WORKDAY, real_name=True, level=1):
    ticket = finish_ticket(h, now=now)
    return services.rating_submit(
        kind="ticket", matter_id=ticket.pk, channel="sms", level=level, comment="等了很久",
        real_name=real_name, name="张先生", phone="13912345678", now=now,
    )  # fmt: skip


def test_only_bad_ratings_open_a_rectification(h):
    ticket = finish_ticket(h)
    good = services.rating_submit(
        kind="ticket", matter_id=ticket.pk, channel="sms", level=3, now=WORKDAY
    )
    assert not hasattr(good, "rectification") or good.rectification is None
    rect = bad(h, level=2).rectification
    assert rect.status == RectStatus.VERIFYING and rect.real_name
    assert rect.department_id == h.dept.pk
    assert [e.action for e in rect.events.all()] == ["opened"]


def test_due_across_spring_festival_2026(h):
    # Fri 13 Feb 2026 + 5 working days: Sat 14 Feb is a 调休 workday (1), 15–23 Feb holiday,
    # then 24, 25, 26, 27 Feb → due Friday 27 Feb.
    rect = bad(h, now=at(2026, 2, 13, 10)).rectification
    assert rect.step_due == dt.date(2026, 2, 27)
    assert rect.step_due_provisional is False


def test_due_across_national_day_2025_and_each_step_restarts(h):
    # Tue 30 Sep 2025 + 5: 1–8 Oct off; 9, 10, Sat 11 (调休), 13, 14 → Tue 14 Oct.
    rect = bad(h, now=at(2025, 9, 30, 15)).rectification
    assert rect.step_due == dt.date(2025, 10, 14)
    # Verified on Thu 9 Oct with a 3-day limit: 10, Sat 11, 13 → Mon 13 Oct.
    EvaluationSettings.objects.create(center=h.center, step_days=3)
    rect = services.rectification_verify(
        rect=rect, founded=True, note="属实", actor=h.manager, now=at(2025, 10, 9, 9)
    )
    assert rect.status == RectStatus.RECTIFYING and rect.step_due == dt.date(2025, 10, 13)


def test_step_limit_is_1_to_15_working_days(h):
    row = EvaluationSettings(center=h.center, step_days=16)
    with pytest.raises(ValidationError):
        row.full_clean()
    with pytest.raises(IntegrityError):
        EvaluationSettings.objects.create(center=h.center, step_days=16)


def test_full_loop_and_callback_required_before_closing_real_name(h):
    rect = bad(h).rectification
    with pytest.raises(InvalidTransition):  # not yet verified
        services.rectification_close(rect=rect, actor=h.manager, now=WORKDAY)
    with pytest.raises(InvalidInput) as exc:
        services.rectification_verify(rect=rect, founded=True, note=" ", actor=h.manager)
    assert exc.value.errors[0]["field"] == "note"
    rect = services.rectification_verify(
        rect=rect, founded=True, note="调取录像，等候超时属实", actor=h.manager, now=WORKDAY
    )
    with pytest.raises(InvalidTransition):
        services.rectification_callback(rect=rect, result="x", satisfaction=5, actor=h.manager)
    rect = services.rectification_rectify(
        rect=rect, measures="高峰期增开窗口", responsible="林晓峰", actor=h.manager, now=WORKDAY
    )
    assert rect.status == RectStatus.CALLBACK
    with pytest.raises(InvalidTransition) as exc:
        services.rectification_close(rect=rect, actor=h.manager, now=WORKDAY)
    assert "回访" in exc.value.message
    rect = services.rectification_callback(
        rect=rect, result="已电话回访，对整改满意", satisfaction=4, actor=h.manager, now=WORKDAY
    )
    assert rect.status == RectStatus.CLOSING and rect.callback_satisfaction == 4
    rect = services.rectification_close(rect=rect, note="办结", actor=h.manager, now=WORKDAY)
    assert rect.status == RectStatus.CLOSED and rect.closed_at == WORKDAY
    actions = list(rect.events.values_list("action", "from_status", "to_status"))
    assert actions == [
        ("opened", "", "verifying"),
        ("verify", "verifying", "rectifying"),
        ("rectify", "rectifying", "callback"),
        ("callback", "callback", "closing"),
        ("close", "closing", "closed"),
    ]
    with pytest.raises(InvalidTransition):
        services.rectification_close(rect=rect, actor=h.manager, now=WORKDAY)


def test_anonymous_one_may_close_without_callback(h):
    rect = bad(h, real_name=False).rectification
    rect = services.rectification_verify(rect=rect, founded=True, note="属实", actor=h.manager)
    rect = services.rectification_rectify(
        rect=rect, measures="培训", responsible="王", actor=h.manager
    )
    rect = services.rectification_close(rect=rect, note="匿名无法回访", actor=h.manager)
    assert rect.status == RectStatus.CLOSED and rect.callback_at is None


def test_unfounded_real_name_is_still_called_back(h):
    rect = bad(h).rectification
    rect = services.rectification_verify(rect=rect, founded=False, note="录像显示", actor=h.manager)
    assert rect.status == RectStatus.CALLBACK and rect.founded is False


def test_scope_other_center_404_and_department(h):
    rect = bad(h).rectification
    with pytest.raises(NotFound):
        services.rectification_verify(rect=rect, founded=True, note="x", actor=h.other_manager)
    with pytest.raises(NotFound):
        services.rectification_verify(rect=rect, founded=True, note="x", actor=h.other_approver)
    rect = services.rectification_verify(rect=rect, founded=True, note="x", actor=h.approver)
    assert rect.status == RectStatus.RECTIFYING
    assert list(selectors.rectifications_visible(h.other_approver)) == []
    assert list(selectors.rectifications_visible(h.approver)) == [rect]


def test_overdue_alerts_once_per_level(h):
    rect = bad(h, now=at(2026, 3, 2, 10)).rectification  # Mon; +5 → Mon 9 Mar
    assert rect.step_due == dt.date(2026, 3, 9)
    assert services.rectifications_alert_overdue(now=at(2026, 3, 9, 23)) == 0
    assert services.rectifications_alert_overdue(now=at(2026, 3, 10, 8)) == 1
    assert services.rectifications_alert_overdue(now=at(2026, 3, 10, 18)) == 0  # same level
    # Level 2 once another 5 working days have passed (after Mon 16 Mar).
    assert services.rectifications_alert_overdue(now=at(2026, 3, 16, 18)) == 0
    assert services.rectifications_alert_overdue(now=at(2026, 3, 17, 8)) == 1
    assert services.rectifications_alert_overdue(now=at(2026, 3, 18, 8)) == 0
    levels = list(OverdueAlert.objects.values_list("step", "level"))
    assert levels == [("verifying", 1), ("verifying", 2)]
    rect.refresh_from_db()
    assert rect.ever_overdue and rect.step_alert_level == 2
    # The next step starts its own levels.
    rect = services.rectification_verify(
        rect=rect, founded=True, note="x", actor=h.manager, now=at(2026, 3, 18, 9)
    )
    assert rect.step_alert_level == 0 and rect.step_due == dt.date(2026, 3, 25)
    assert services.rectifications_alert_overdue(now=at(2026, 3, 26, 8)) == 1
    assert OverdueAlert.objects.filter(step="rectifying", level=1).count() == 1


def test_late_step_counts_against_on_time_rate(h):
    on_time = bad(h, now=at(2026, 3, 2, 10)).rectification
    late = bad(h, now=at(2026, 3, 2, 11)).rectification
    for rect, day in ((on_time, 9), (late, 10)):
        rect = services.rectification_verify(
            rect=rect, founded=False, note="x", actor=h.manager, now=at(2026, 3, day, 16)
        )
        rect = services.rectification_callback(
            rect=rect, result="已解释", satisfaction=3, actor=h.manager, now=at(2026, 3, day, 17)
        )
        services.rectification_close(rect=rect, actor=h.manager, now=at(2026, 3, day, 17))
    rates = selectors.rectification_rates(selectors.rectifications_visible(h.manager))
    assert (rates["closed"], rates["on_time"], rates["on_time_rate"]) == (2, 1, 50.0)
    assert (rates["real_name_done"], rates["called_back"], rates["callback_rate"]) == (2, 2, 100.0)


def test_appeal_upheld_excludes_from_statistics_and_keeps_the_record(h):
    rating = bad(h)
    ticket2 = finish_ticket(h)
    services.rating_submit(kind="ticket", matter_id=ticket2.pk, channel="sms", level=5)
    counted = selectors.counted(selectors.ratings_visible(h.manager))
    assert selectors.summary(counted)["bad"] == 1
    with pytest.raises(Forbidden):
        services.appeal_file(rating=rating, reason="恶意", actor=h.clerk2)  # not their service
    appeal = services.appeal_file(
        rating=rating, reason="恶意差评：录像显示服务正常", evidence="录像 10:00-10:05",
        actor=h.clerk1,
    )  # fmt: skip
    with pytest.raises(Forbidden):
        services.appeal_decide(appeal=appeal, upheld=True, note="成立", actor=h.clerk1)
    appeal = services.appeal_decide(appeal=appeal, upheld=True, note="经核实成立", actor=h.manager)
    assert appeal.status == "upheld"
    rating.refresh_from_db()
    assert rating.excluded is True and Rating.objects.filter(pk=rating.pk).exists()
    counted = selectors.counted(selectors.ratings_visible(h.manager))
    s = selectors.summary(counted)
    assert (s["total"], s["bad"], s["satisfaction_rate"]) == (1, 0, 100.0)
    with pytest.raises(InvalidTransition):
        services.appeal_decide(appeal=appeal, upheld=False, note="改", actor=h.manager)


def test_complaint_and_blocked_report_open_rectifications(h):
    c = services.complaint_create(
        center=h.center, channel="box", content="窗口人员玩手机", window=h.w1,
        real_name=False, name="李", phone="13900000000", actor=h.manager,
    )  # fmt: skip
    assert (c.phone, c.name, c.department_id) == ("", "", h.dept.pk)
    b = services.blocked_report_create(
        center=h.center, matter="跨省迁户", reason="系统不支持", outcome="已协调公安局",
        item=h.item, name="赵", phone="13911112222", actor=h.clerk1,
    )  # fmt: skip
    assert c.rectification.status == b.rectification.status == RectStatus.VERIFYING
    assert b.rectification.real_name and b.rectification.department_id == h.dept.pk
    with pytest.raises(NotFound):
        services.blocked_report_create(
            center=h.center, matter="x", reason="y", actor=h.other_manager
        )
    with pytest.raises(InvalidInput) as exc:
        services.blocked_report_create(center=h.center, matter="x", reason="", actor=h.manager)
    assert exc.value.errors[0]["field"] == "reason"
