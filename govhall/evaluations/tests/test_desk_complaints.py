"""Complaints taken at the consultation desk open a rectification here, once per complaint:
a second run opens nothing more (on PostgreSQL also two workers at the same moment)."""

import datetime as dt

import pytest
from django.test import Client

from govhall.consultations import services as consultation_services
from govhall.core.testing import at
from govhall.evaluations import services
from govhall.evaluations.models import Complaint, Rectification, RectStatus
from govhall.evaluations.tests.test_concurrency import run
from govhall.org.testing import make_user

NOW = at(2026, 3, 2, 10)  # Monday


def desk(h, *, kind="complaint", phone="13912345678", question="窗口人员态度生硬", item=None):
    consultant = make_user("ev-desk", ("consultant", h.center), display_name="李咨询")
    return consultation_services.consultation_record(
        center=h.center, channel="desk", question=question, actor=consultant, now=NOW,
        name="赵女士", phone=phone, kind=kind, item=item, answered_now=True,
        answer="已记录，转整改。",
    )  # fmt: skip


@pytest.mark.django_db
def test_desk_complaint_opens_one_rectification(h):
    complaint_at_desk = desk(h, item=h.item)
    desk(h, kind="question", question="营业执照怎么办")  # a question: nothing to rectify
    anonymous = desk(h, phone="", question="大厅没有饮水机")
    assert services.complaints_take_from_desk(now=NOW + dt.timedelta(minutes=1)) == 2
    assert services.complaints_take_from_desk(now=NOW + dt.timedelta(minutes=2)) == 0
    assert Complaint.objects.count() == 2 and Rectification.objects.count() == 2
    named = Complaint.objects.get(source_key=f"consultation:{complaint_at_desk.pk}")
    assert named.channel == "desk" and named.real_name and named.phone == "13912345678"
    assert "窗口人员态度生硬" in named.content and complaint_at_desk.number in named.content
    assert named.department_id == h.dept.pk and named.at == NOW
    rect = named.rectification
    assert rect.status == RectStatus.VERIFYING and rect.real_name
    assert rect.step_due == dt.date(2026, 3, 9)  # 5 working days
    anon = Complaint.objects.get(source_key=f"consultation:{anonymous.pk}")
    assert not anon.real_name and anon.phone == "" and anon.name == ""
    # The rectification is on the staff list of the center, not of another center.
    staff = Client()
    staff.force_login(h.manager)
    assert staff.get(f"/evaluations/rectifications/{rect.pk}/").status_code == 200
    other = Client()
    other.force_login(h.other_manager)
    assert other.get(f"/evaluations/rectifications/{rect.pk}/").status_code == 404


@pytest.mark.django_db
def test_old_desk_complaints_outside_the_lookback_are_left(h):
    desk(h)
    later = NOW + dt.timedelta(days=services.desk.LOOKBACK_DAYS + 1)
    assert services.complaints_take_from_desk(now=later) == 0
    assert services.complaints_take_from_desk(now=NOW) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_take_a_desk_complaint_once(h):
    for n in range(3):
        desk(h, question=f"投诉{n}")
    later = NOW + dt.timedelta(minutes=1)
    results = run(2, lambda i: services.complaints_take_from_desk(now=later))
    assert all(isinstance(r, int) for r in results) and sum(results) == 3, results
    assert Complaint.objects.count() == 3 and Rectification.objects.count() == 3
