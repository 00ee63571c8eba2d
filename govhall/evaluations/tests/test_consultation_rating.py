"""An answered consultation is a rated matter (9.4 e: the SMS invitation “after a
consultation is answered”): invited once, rated once; one not answered yet is neither."""

import datetime as dt

import pytest
from django.test import Client

from govhall.consultations import services as consultation_services
from govhall.core.errors import Conflict
from govhall.core.testing import at
from govhall.evaluations import services, tokens
from govhall.evaluations.models import Rating
from govhall.org.testing import make_user

pytestmark = pytest.mark.django_db
NOW = at(2026, 3, 2, 10)


def record(h, *, phone="13912345678", answered=True, kind="question"):
    consultant = make_user("ev-consultant", ("consultant", h.center), display_name="李咨询")
    return consultation_services.consultation_record(
        center=h.center, channel="desk", question="营业执照怎么变更", actor=consultant, now=NOW,
        phone=phone, answered_now=answered, answer="请带上身份证到3号窗口。", item=h.item,
        kind=kind,
    )  # fmt: skip


def test_answered_consultation_is_invited_once_and_rated_once(h, outbox, time_machine):
    answered = record(h)
    record(h, phone="0451-82345678")  # a landline: no SMS (it would become a call task)
    pending = record(h, answered=False)
    record(h, kind="complaint")  # a complaint goes to the rectification loop, not invited
    later = NOW + dt.timedelta(minutes=2)
    assert services.invitations_send(now=later) == 1
    assert services.invitations_send(now=later + dt.timedelta(minutes=2)) == 0
    (message,) = outbox("evaluation_invite")
    assert message.to == "13912345678" and "个体工商户名称变更" in message.body
    token = message.body.split("/e/")[1].split("/")[0]
    assert tokens.read_token(token, now=later) == ("consultation", str(answered.pk))
    time_machine.move_to(later)
    phone = Client()
    page = phone.get(f"/e/{token}/").content.decode()
    assert answered.number in page and "李咨询" in page
    assert phone.post(f"/e/{token}/", {"level": "4", "channel": "sms"}).status_code == 200
    rating = Rating.objects.get()
    assert (rating.matter_key, rating.channel, rating.level) == (
        f"consultation:{answered.pk}", "sms", 4,
    )  # fmt: skip
    assert rating.staff.display_name == "李咨询" and rating.item_id == h.item.pk
    assert phone.post(f"/e/{token}/", {"level": "1", "channel": "sms"}).status_code == 409
    with pytest.raises(Conflict):
        services.rating_submit(
            kind="consultation", matter_id=pending.pk, channel="online", level=5, now=later
        )
    assert Rating.objects.count() == 1
