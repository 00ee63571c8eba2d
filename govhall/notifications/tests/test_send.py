import pytest
from django.db import transaction

from govhall.core.errors import InvalidInput
from govhall.notifications.dispatch import dispatch_due
from govhall.notifications.models import (
    OutboxMessage,
    PhoneCallTask,
    SentSms,
    SmsOptOut,
    SmsTemplate,
    sms_segments,
)
from govhall.notifications.services import notification_send, opt_out_add
from govhall.notifications.templates_seed import BUILTIN_TEMPLATES, seed_templates

from .conftest import MORNING

pytestmark = pytest.mark.django_db

CONTRACT = {
    "appointment_confirmed": ("name", "item", "date", "time", "place", "code", "link"),
    "appointment_reminder": ("name", "item", "date", "time", "place", "code"),
    "appointment_rescheduled": ("name", "item", "reason", "new_date", "new_time", "code"),
    "appointment_cancelled": ("name", "item", "reason", "code"),
    "case_received": ("name", "item", "case_no", "link"),
    "case_accepted": ("name", "item", "case_no", "link"),
    "case_deemed_accepted": ("name", "item", "case_no", "received", "promised_due", "link"),
    "case_rejected": ("name", "item", "case_no", "link"),
    "case_correction": ("name", "item", "case_no", "link"),
    "pickup_ready": ("name", "item", "case_no", "place"),
    "case_denied": ("name", "item", "case_no", "link"),
    "case_extended": ("name", "item", "case_no", "days", "reason", "due"),
    "case_suspended": ("name", "item", "case_no", "step", "days", "link"),
    "case_mailed": ("name", "item", "case_no", "carrier", "tracking_no"),
    "case_deadline_alert": ("case_no", "item", "deadline", "level", "due"),
    "case_deadline_digest": ("count", "red", "yellow", "examples"),
    "consultation_reply": ("name", "answer_summary", "link"),
    "evaluation_invite": ("item", "link"),
    "queue_turn_near": ("number", "ahead", "category"),
    "verification_code": ("code", "minutes"),
}

CASE = {
    "name": "张三",
    "item": "食品经营许可",
    "case_no": "SCJG2026000123",
    "link": "https://x/d/ab",
}


def test_seeded_templates_match_the_contract_and_seeding_is_idempotent():
    rows = {t.code: t for t in SmsTemplate.objects.all()}
    assert set(CONTRACT) <= set(rows)
    for code, params in CONTRACT.items():
        assert tuple(rows[code].params) == params, code
    assert {c for c, t in rows.items() if t.is_legal} == {
        "case_received",
        "case_accepted",
        "case_deemed_accepted",
        "case_rejected",
        "case_correction",
        "case_denied",
        "case_extended",
        "case_suspended",
    }
    assert {c for c, t in rows.items() if t.is_urgent} == {"queue_turn_near", "verification_code"}
    assert {c for c, t in rows.items() if t.opt_out_allowed} == {
        "appointment_reminder",
        "evaluation_invite",
    }
    SmsTemplate.objects.filter(code="case_accepted").update(
        body="改过的{name}{item}{case_no}{link}"
    )
    assert seed_templates() == 0
    assert SmsTemplate.objects.get(code="case_accepted").body.startswith("改过的")
    assert SmsTemplate.objects.count() == len(BUILTIN_TEMPLATES)


def test_every_builtin_template_uses_exactly_its_parameters():
    from govhall.notifications.models import template_fields

    for code, t in BUILTIN_TEMPLATES.items():
        assert set(template_fields(t.body)) == set(t.params), code


def test_body_rendered_at_creation_with_center_signature(send, center):
    message = send(template="case_accepted", params=CASE, center=center)
    assert message.body == (
        "【测试县政务服务中心】张三您好，您申请的“食品经营许可”（办件编号SCJG2026000123）已受理，"
        "受理通知书：https://x/d/ab"
    )
    assert message.signature == "测试县政务服务中心"
    assert message.status == OutboxMessage.Status.PENDING
    assert message.due_at == MORNING
    # Later template edits do not change a queued text: it is fixed and auditable.
    SmsTemplate.objects.filter(code="case_accepted").update(body="新{name}{item}{case_no}{link}")
    message.refresh_from_db()
    assert "已受理" in message.body


def test_signature_falls_back_to_center_name_then_settings(send, settings):
    from govhall.org.testing import make_center

    plain = make_center("230000-N", "某某县政务服务中心")
    assert send(center=plain).body.startswith("【某某县政务服务中心】")
    settings.SMS_SIGNATURE = "黑龙江政务"
    assert send(center=None).body.startswith("【黑龙江政务】您的验证码为123456")


def test_missing_parameter_is_a_clear_error(send):
    with pytest.raises(InvalidInput) as exc:
        send(template="case_accepted", params={"name": "张三", "item": "x"})
    assert "case_no" in exc.value.message and "link" in exc.value.message
    assert exc.value.errors[0]["field"] == "params"
    assert OutboxMessage.objects.count() == 0


def test_unknown_template_is_rejected(send):
    with pytest.raises(InvalidInput) as exc:
        send(template="no_such_template", params={"code": "1", "minutes": 5})
    assert exc.value.errors[0]["field"] == "template"


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        notification_send(template="verification_code", to="13800138000", params={})


def test_mobile_number_is_normalised(send):
    assert send(to="+86 138-0013-8000").to == "13800138000"


@pytest.mark.parametrize("to", ["", "0451-86221234", "86221234", "12345"])
def test_no_mobile_number_creates_a_phone_call_task(send, center, to):
    message = send(template="case_correction", to=to, params=CASE, center=center)
    assert message.channel == OutboxMessage.Channel.PHONE_CALL
    assert message.status == OutboxMessage.Status.CALL
    task = PhoneCallTask.objects.get(message=message)
    assert task.reason == PhoneCallTask.Reason.NO_MOBILE
    assert task.phone == to.strip()
    assert task.center == center
    assert task.script.startswith("张三您好")  # the A.3.5 greeting is said from the call page
    assert "需补正材料" in task.script
    # Nothing goes to the SMS gateway for it.
    dispatch_due(MORNING)
    assert SentSms.objects.count() == 0


def test_opt_out_suppresses_reminders_but_never_legal_notices(send):
    with transaction.atomic():
        opt_out_add(phone="13800138000", source="短信回复TD")
    reminder = send(
        template="appointment_reminder",
        params={
            "name": "张三",
            "item": "x",
            "date": "3月13日",
            "time": "09:00",
            "place": "1号窗口",
            "code": "A1",
        },
    )
    legal = send(template="case_rejected", params=CASE)
    code = send()
    assert reminder.status == OutboxMessage.Status.CANCELLED
    assert "退订" in reminder.last_error
    assert legal.status == OutboxMessage.Status.PENDING
    assert code.status == OutboxMessage.Status.PENDING
    result = dispatch_due(MORNING)
    assert result.sent == 2
    assert set(SentSms.objects.values_list("template", flat=True)) == {
        "case_rejected",
        "verification_code",
    }


def test_opt_out_after_queueing_still_holds_at_dispatch(send):
    reminder = send(template="evaluation_invite", params={"item": "x", "link": "https://x"})
    SmsOptOut.objects.create(phone="13800138000", created_at=MORNING)
    dispatch_due(MORNING)
    reminder.refresh_from_db()
    assert reminder.status == OutboxMessage.Status.CANCELLED
    assert SentSms.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_change_that_rolls_back_sends_nothing(center):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        notification_send(
            template="case_accepted", to="13800138000", params=CASE, center=center, now=MORNING
        )
        assert OutboxMessage.objects.count() == 1  # visible inside the transaction only
        raise Boom
    assert OutboxMessage.objects.count() == 0
    result = dispatch_due(MORNING)
    assert result.claimed == 0
    assert SentSms.objects.count() == 0
    # The same call committed is sent: the test above can fail.
    with transaction.atomic():
        notification_send(
            template="case_accepted", to="13800138000", params=CASE, center=center, now=MORNING
        )
    assert dispatch_due(MORNING).sent == 1
    assert SentSms.objects.count() == 1


def test_sms_segments_rule():
    assert sms_segments("字" * 70) == 1
    assert sms_segments("字" * 71) == 2
    assert sms_segments("字" * 134) == 2
    assert sms_segments("字" * 135) == 3


def test_non_text_parameters_are_stored_as_sent_and_center_may_be_an_id(send, center):
    import datetime as dt

    message = send(
        template="appointment_reminder",
        params={
            "name": "张三",
            "item": "x",
            "date": dt.date(2026, 3, 13),
            "time": dt.time(9, 30),
            "place": "1号窗口",
            "code": 17,
        },
        center=center.pk,
    )
    message.refresh_from_db()
    assert message.params["date"] == "2026-03-13" and message.params["code"] == "17"
    assert message.center == center and message.body.startswith("【测试县政务服务中心】")
    with pytest.raises(InvalidInput):
        send(center=999999)


def test_demo_loader_is_idempotent():
    import io

    from govhall.notifications import demo

    out = io.StringIO()
    demo.load(out)
    demo.load(out)
    assert SmsTemplate.objects.count() == len(BUILTIN_TEMPLATES)
