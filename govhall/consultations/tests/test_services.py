"""Consultation services: first-receiver ownership through transfers, reply dates across
holidays and 调休, replies by SMS / phone call / letter, the overdue job (once per level),
refused transitions, bad input writing nothing, scope in the services."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from govhall.consultations import selectors, services
from govhall.consultations.models import (
    CenterSettings,
    Consultation,
    ConsultationEvent,
    OverdueAlert,
    Status,
)
from govhall.core.errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from govhall.core.models import AuditEntry
from govhall.documents.models import Document
from govhall.notifications.models import PhoneCallTask

from .conftest import at, ledgered

pytestmark = pytest.mark.django_db


def test_first_receiver_stays_owner_through_two_transfers(
    center, consultant, clerk, department, approver
):
    c = ledgered(center, consultant, now=at(2026, 3, 2, 9))
    assert (c.status, c.owner, c.assignee) == (Status.PENDING, consultant, consultant)
    c = services.consultation_transfer(
        consultation=c,
        to_user=clerk.pk,
        note="请窗口确认",
        actor=consultant,
        now=at(2026, 3, 2, 10),
    )
    assert (c.status, c.owner, c.assignee, c.department) == (
        Status.TRANSFERRED,
        consultant,
        clerk,
        None,
    )
    c = services.consultation_transfer(
        consultation=c, to_department=department.code, actor=clerk, now=at(2026, 3, 2, 11)
    )
    c.refresh_from_db()
    assert (c.owner, c.assignee, c.department) == (consultant, None, department)
    transfers = list(ConsultationEvent.objects.filter(consultation=c, action="transferred"))
    assert [(e.actor, e.to_user, e.to_department) for e in transfers] == [
        (consultant, clerk, None),
        (clerk, None, department),
    ]
    assert "请窗口确认" in transfers[0].reason
    # The department replies; the owner is told (awaiting close) and closes it.
    c = services.consultation_reply(
        consultation=c, answer="可以电话备案。", channel="online", actor=approver
    )
    assert c.status == Status.REPLIED and c.owner == consultant
    assert list(selectors.awaiting_close(consultant)) == [c]
    with pytest.raises(Forbidden):
        services.consultation_close(consultation=c, actor=clerk)
    c = services.consultation_close(consultation=c, actor=consultant)
    assert c.status == Status.CLOSED and c.closed_at is not None


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # National Day 2025: Oct 1–8 off, Saturday Oct 11 a 调休 working day.
        (at(2025, 9, 30, 15), dt.date(2025, 10, 11)),
        # Spring Festival 2026: Saturday Feb 14 works, Feb 15–23 off.
        (at(2026, 2, 13, 10), dt.date(2026, 2, 25)),
        # An ordinary week: Monday + 3 working days.
        (at(2026, 3, 2, 10), dt.date(2026, 3, 5)),
    ],
)
def test_reply_date_counts_working_days_across_holidays(center, consultant, received, due):
    c = ledgered(center, consultant, now=received)
    assert c.reply_due == due and not c.reply_due_provisional


def test_reply_days_are_per_center(center, consultant):
    CenterSettings.objects.create(center=center, reply_days=5)
    c = ledgered(center, consultant, now=at(2026, 3, 2, 10))
    assert c.reply_due == dt.date(2026, 3, 9)


def test_answered_at_once_is_done_and_cannot_be_replied(center, consultant):
    c = services.consultation_record(
        center=center,
        channel="desk",
        question="营业执照要带什么？",
        answered_now=True,
        answer="身份证原件。",
        actor=consultant,
        now=at(2026, 3, 2, 9),
    )
    assert c.status == Status.ANSWERED and c.reply_channel == "desk" and c.reply_due is None
    with pytest.raises(InvalidTransition):
        services.consultation_reply(consultation=c, answer="再答一次", actor=consultant)
    with pytest.raises(InvalidTransition):
        services.consultation_transfer(consultation=c, to_user=consultant.pk, actor=consultant)


def test_sms_reply_goes_through_the_outbox(center, consultant, outbox, settings):
    settings.SITE_URL = "https://zw.example.cn"
    c = ledgered(center, consultant, now=at(2026, 3, 2, 9))
    c = services.consultation_reply(
        consultation=c,
        answer="可以，拨打12393办理电话备案。",
        channel="sms",
        actor=consultant,
        now=at(2026, 3, 3, 9),
    )
    (message,) = outbox("consultation_reply")
    assert message.to == "13812345678"
    assert message.params["link"] == f"https://zw.example.cn/consult/lookup/?code={c.lookup_code}"
    assert "拨打12393" in message.body and "刘淑芬" not in message.body
    # The owner replied: nobody else to tell, closed at once.
    assert c.status == Status.CLOSED and c.reply_channel == "sms"


def test_sms_reply_to_a_person_without_a_name(center, consultant, outbox):
    c = ledgered(center, consultant, now=at(2026, 3, 2, 9), name="")
    services.consultation_reply(consultation=c, answer="可以。", channel="sms", actor=consultant)
    (message,) = outbox("consultation_reply")
    assert message.body.startswith("【青松测试县政务服务中心】咨询人您好")


def test_sms_reply_needs_a_mobile(center, consultant, outbox):
    c = ledgered(center, consultant, now=at(2026, 3, 2, 9), phone="0450-51234567")
    with pytest.raises(InvalidInput) as exc:
        services.consultation_reply(consultation=c, answer="答复", channel="sms", actor=consultant)
    assert exc.value.errors[0]["field"] == "channel"
    c.refresh_from_db()
    assert c.status == Status.PENDING and outbox() == []


def test_phone_call_reply_task_and_its_result(center, consultant, outbox):
    c = ledgered(center, consultant, now=at(2026, 3, 2, 9), phone="0450-51234567")
    c = services.consultation_reply(
        consultation=c, answer="可以电话备案", channel="call", actor=consultant
    )
    task = PhoneCallTask.objects.get(pk=c.call_task_id)
    assert task.reason == PhoneCallTask.Reason.REQUESTED and task.phone == "0450-51234567"
    assert "可以电话备案" in task.script
    assert c.status == Status.PENDING  # replied only when the call reaches the person
    with pytest.raises(InvalidTransition):  # one open call task at a time
        services.consultation_reply(consultation=c, answer="x", channel="call", actor=consultant)

    c = services.consultation_call_result(
        consultation=c, outcome="no_answer", note="无人接听", actor=consultant
    )
    task.refresh_from_db()
    assert (task.calls, task.status, c.status) == (1, "open", Status.PENDING)
    assert ConsultationEvent.objects.filter(consultation=c, action="call_attempt").count() == 1

    c = services.consultation_call_result(consultation=c, outcome="reached", actor=consultant)
    task.refresh_from_db()
    assert (task.calls, task.status, task.outcome) == (2, "done", "reached")
    assert c.status == Status.CLOSED and c.reply_channel == "call"
    assert outbox("consultation_reply") == []  # no SMS besides the call


def test_call_result_recorded_on_the_call_screen_replies_by_the_job(center, consultant):
    c = ledgered(center, consultant, now=at(2026, 3, 2, 9))
    c = services.consultation_reply(consultation=c, answer="答复", channel="call", actor=consultant)
    from govhall.notifications.services import call_task_record_outcome

    call_task_record_outcome(task_id=c.call_task_id, outcome="reached", actor=consultant)
    assert services.consultations_sync_calls() == 1
    assert services.consultations_sync_calls() == 0
    c.refresh_from_db()
    assert c.status == Status.CLOSED


def test_letter_reply_is_a_pdf(center, consultant):
    c = ledgered(center, consultant, now=at(2026, 3, 2, 9), channel="letter")
    c = services.consultation_reply(
        consultation=c, answer="您来信所询事项可以办理。", channel="letter", actor=consultant
    )
    letter = Document.objects.get(pk=c.letter_id)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.read_bytes())).pages)
    assert "咨询答复函" in text and "您来信所询事项可以办理" in text and c.number in text
    assert "刘淑芬" not in text


def test_overdue_alerts_once_per_level(center, consultant, manager, outbox):
    c = ledgered(center, consultant, now=at(2026, 3, 2, 9))  # due Thu Mar 5
    assert services.consultations_flag_overdue(now=at(2026, 3, 5, 23)) == 0
    assert services.consultations_flag_overdue(now=at(2026, 3, 6, 8)) == 1
    assert services.consultations_flag_overdue(now=at(2026, 3, 6, 9)) == 0  # run twice
    alerts = OverdueAlert.objects.filter(consultation=c, level=1)
    assert {a.recipient for a in alerts} == {consultant, manager}
    assert len(outbox("consultation_overdue")) == 2
    # Level 2 after two working days past the date (Mon Mar 9 is the 2nd).
    assert services.consultations_flag_overdue(now=at(2026, 3, 7, 9)) == 0
    assert services.consultations_flag_overdue(now=at(2026, 3, 9, 9)) == 1
    assert services.consultations_flag_overdue(now=at(2026, 3, 10, 9)) == 0
    assert OverdueAlert.objects.filter(consultation=c).count() == 4
    assert len(outbox("consultation_overdue")) == 4
    c.refresh_from_db()
    assert c.overdue_level == 2
    assert list(selectors.alerts_for(manager).values_list("level", flat=True)) == [2, 1]


def test_overdue_job_jumps_levels_and_skips_replied(center, consultant, manager):
    late = ledgered(center, consultant, now=at(2026, 3, 2, 9))
    done = ledgered(center, consultant, now=at(2026, 3, 2, 9))
    services.consultation_reply(consultation=done, answer="答复", actor=consultant)
    assert services.consultations_flag_overdue(now=at(2026, 3, 20, 9)) == 2  # levels 1 and 2
    assert not OverdueAlert.objects.filter(consultation=done).exists()
    assert OverdueAlert.objects.filter(consultation=late, level=2).count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"question": "   "}, "question"),
        ({"question": "问" * 2001}, "question"),
        ({"phone": "12345"}, "phone"),
        ({"channel": "fax"}, "channel"),
        ({"answered_now": True, "answer": ""}, "answer"),
        ({"phone": ""}, "phone"),  # a phone question that waits for a reply needs a number
        ({"kind": "rescue"}, "action_taken"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(center, consultant, changes, field):
    values = dict(
        center=center,
        channel="phone",
        question="能否电话办理？",
        phone="13812345678",
        actor=consultant,
        now=at(2026, 3, 2, 9),
    )
    values.update(changes)
    audits = AuditEntry.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.consultation_record(**values)
    assert exc.value.errors[0]["field"] == field
    assert Consultation.objects.count() == 0 and AuditEntry.objects.count() == audits


def test_rescue_request_records_what_was_done(center, consultant):
    c = services.consultation_record(
        center=center,
        channel="desk",
        kind="rescue",
        question="老人在等候区头晕",
        action_taken="扶至休息区，联系家属",
        passed_to="家属",
        answered_now=True,
        answer="已协助",
        actor=consultant,
        now=at(2026, 3, 2, 9),
    )
    assert (c.kind, c.action_taken, c.passed_to) == ("rescue", "扶至休息区，联系家属", "家属")


def test_services_refuse_another_center(center, consultant, stranger, approver, other_approver):
    c = ledgered(center, consultant, now=at(2026, 3, 2, 9))
    for actor in (stranger, approver, other_approver):  # departments see only transferred
        with pytest.raises(NotFound):
            services.consultation_reply(consultation=c, answer="x", actor=actor)
        with pytest.raises(NotFound):
            services.consultation_transfer(consultation=c, to_user=consultant.pk, actor=actor)
    with pytest.raises(NotFound):
        services.consultation_record(
            center=center, channel="desk", question="q", actor=stranger, now=at(2026, 3, 2, 9)
        )


def test_transfer_targets_must_be_of_the_center(center, consultant, stranger, other_center):
    c = ledgered(center, consultant, now=at(2026, 3, 2, 9))
    with pytest.raises(InvalidInput) as exc:
        services.consultation_transfer(consultation=c, to_user=stranger.pk, actor=consultant)
    assert exc.value.errors[0]["field"] == "to_user"
    with pytest.raises(InvalidInput) as exc:
        services.consultation_transfer(consultation=c, to_department="NOPE", actor=consultant)
    assert exc.value.errors[0]["field"] == "to_department"
    with pytest.raises(InvalidInput) as exc:
        services.consultation_transfer(consultation=c, actor=consultant)
    assert exc.value.errors[0]["field"] == "to_user"
    c.refresh_from_db()
    assert c.status == Status.PENDING


def test_online_consultation_is_taken_up_by_its_first_handler(center, consultant, clerk):
    c = services.online_consultation_submit(
        center=center, question="周六能办身份证吗？", phone="", now=at(2026, 3, 2, 9)
    )
    assert c.owner is None and c.status == Status.PENDING and len(c.lookup_code) == 8
    c = services.consultation_transfer(consultation=c, to_user=clerk.pk, actor=consultant)
    assert c.owner == consultant


def test_phone_reveal_is_audited(center, consultant):
    c = ledgered(center, consultant, now=at(2026, 3, 2, 9))
    phone = services.consultation_phone_reveal(consultation=c, actor=consultant)
    assert phone == "13812345678"
    entry = AuditEntry.objects.filter(action="govhall.consultations.consultation.phone_revealed")
    assert entry.get().actor == consultant
