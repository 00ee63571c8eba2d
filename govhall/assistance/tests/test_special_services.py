"""Special-group services (6.7.3): the request workflow, aid loans, scope and input."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.assistance import services
from govhall.assistance.models import AidLoan, SpecialRequest
from govhall.core.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from govhall.core.models import AuditEntry
from govhall.notifications.models import OutboxMessage

from .special_fixtures import *  # noqa: F403
from .special_fixtures import NOW, at

pytestmark = pytest.mark.django_db


def home_request(center, actor, **extra):
    return services.special_request_create(
        center=center,
        kind=extra.pop("kind", "home"),
        group=extra.pop("group", "elderly"),
        name=extra.pop("name", "王桂兰"),
        phone=extra.pop("phone", "13812345678"),
        address=extra.pop("address", "松江县幸福路18号3单元501"),
        description="卧床老人，需办理养老保险资格认证",
        actor=actor,
        now=NOW,
        **extra,
    )


def test_home_visit_from_request_to_record(center, guide, proxy, item):
    req = home_request(center, guide, item=item)
    assert req.status == "requested" and req.number.startswith("TS20260213-")
    req = services.special_request_schedule(
        request=req, scheduled_at=at(2026, 2, 14, 9, 30), staff=proxy, actor=guide, now=NOW
    )
    assert req.status == "scheduled" and req.staff == proxy
    sms = OutboxMessage.objects.get(template="special_service_scheduled")
    assert "上门服务已安排在02月14日 09:30" in sms.body and "赵帮办" in sms.body
    # Moved to another time: recorded, still scheduled, the person told again.
    req = services.special_request_schedule(
        request=req, scheduled_at=at(2026, 2, 14, 14, 0), staff=proxy, actor=guide, now=NOW
    )
    assert req.status == "scheduled" and req.scheduled_at == at(2026, 2, 14, 14, 0)
    assert OutboxMessage.objects.filter(template="special_service_scheduled").count() == 2
    req = services.special_request_complete(
        request=req,
        visit_note="上门完成人脸识别认证，讲解了年度认证时间",
        items_handled="养老保险待遇领取资格认证",
        applicant_signed=True,
        actor=proxy,
        now=at(2026, 2, 14, 15, 0),
    )
    assert req.status == "done" and req.applicant_signed and req.done_at == at(2026, 2, 14, 15)
    assert [e.action for e in req.events.order_by("id")] == [
        "requested",
        "scheduled",
        "rescheduled",
        "done",
    ]
    assert AuditEntry.objects.filter(action="govhall.assistance.specialrequest.done").exists()
    with pytest.raises(InvalidTransition):
        services.special_request_cancel(request=req, reason="重复", actor=guide, now=NOW)


def test_wrong_state_is_refused(center, guide):
    req = home_request(center, guide, kind="accompany", address="")
    with pytest.raises(InvalidTransition, match="不能登记完成"):
        services.special_request_complete(request=req, visit_note="x", actor=guide, now=NOW)
    services.special_request_cancel(request=req, reason="本人已自行办理", actor=guide, now=NOW)
    req.refresh_from_db()
    assert req.status == "cancelled" and req.cancel_reason == "本人已自行办理"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "fly"}, "kind"),
        ({"group": "nobody"}, "group"),
        ({"name": " "}, "name"),
        ({"phone": "12345"}, "phone"),
        ({"address": ""}, "address"),  # home service needs the place
        ({"preferred_at": at(2026, 2, 12, 9)}, "preferred_at"),
    ],
)
def test_bad_input_names_the_field(center, guide, changes, field):
    with pytest.raises(InvalidInput) as exc:
        home_request(center, guide, **changes)
    assert exc.value.errors[0]["field"] == field
    assert not SpecialRequest.objects.exists()


def test_other_center_and_approver_get_not_found(center, guide, stranger, approver, proxy):
    with pytest.raises(NotFound):
        home_request(center, stranger)
    with pytest.raises(NotFound):
        home_request(center, approver)  # a department's approver is not hall staff
    req = home_request(center, guide)
    with pytest.raises(NotFound):
        services.special_request_cancel(request=req, reason="x", actor=stranger, now=NOW)
    with pytest.raises(InvalidInput) as exc:
        services.special_request_schedule(
            request=req, scheduled_at=at(2026, 2, 14, 9), staff=stranger, actor=guide, now=NOW
        )
    assert exc.value.errors[0]["field"] == "staff"


def test_aid_is_not_lent_twice_and_returns_once(center, guide, wheelchair, stranger):
    loan = services.aid_lend(
        aid=wheelchair, borrower_name="刘建国", borrower_phone="13900001234", actor=guide, now=NOW
    )
    assert loan.masked_name == "刘*国" and loan.masked_phone == "139****1234"
    with pytest.raises(Conflict, match="已借出"):
        services.aid_lend(aid=wheelchair, borrower_name="张三", actor=guide, now=NOW)
    with pytest.raises(NotFound):
        services.aid_return(loan=loan, actor=stranger, now=NOW)
    services.aid_return(loan=loan, actor=guide, now=NOW + dt.timedelta(hours=1))
    with pytest.raises(Conflict, match="已归还"):
        services.aid_return(loan=loan, actor=guide, now=NOW + dt.timedelta(hours=2))
    again = services.aid_lend(aid=wheelchair, borrower_name="张三", actor=guide, now=NOW)
    assert AidLoan.objects.filter(returned_at__isnull=True).get() == again
    with pytest.raises(NotFound):
        services.aid_lend(aid=wheelchair, borrower_name="张三", actor=stranger, now=NOW)
