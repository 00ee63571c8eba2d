"""Channels: SMS invitations (once per matter, quiet hours), the evaluator device's poll,
the suggestion box and 办不成事 entry, surveys."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from govhall.core.testing import at
from govhall.evaluations import services, tokens
from govhall.evaluations.models import (
    BlockedReport,
    Complaint,
    Invitation,
    Rating,
    Survey,
    SurveyQuestion,
    SurveyResponse,
)
from govhall.evaluations.tests.conftest import WORKDAY, finish_ticket, finished_case
from govhall.org.testing import make_user

pytestmark = pytest.mark.django_db


def test_sms_invitation_once_per_matter(h, outbox):
    t1 = finish_ticket(h, now=WORKDAY)
    finish_ticket(h, phone="", now=WORKDAY)  # no phone: nobody to invite
    case = finished_case(h, now=WORKDAY)
    later = WORKDAY + dt.timedelta(minutes=5)
    assert services.invitations_send(now=later) == 2
    assert services.invitations_send(now=later + dt.timedelta(minutes=2)) == 0
    sent = outbox("evaluation_invite")
    assert sorted(m.to for m in sent) == sorted([t1.phone, case.phone])
    assert set(Invitation.objects.values_list("matter_key", flat=True)) == {
        f"ticket:{t1.pk}",
        f"case:{case.pk}",
    }
    # The link in the SMS rates exactly its matter.
    link = next(m for m in sent if m.to == t1.phone).params["link"]
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert tokens.read_token(token, now=later) == ("ticket", str(t1.pk))
    assert "请对本次服务进行评价" in sent[0].body


def test_rated_matter_is_not_invited(h, outbox):
    t = finish_ticket(h)
    services.rating_submit(kind="ticket", matter_id=t.pk, channel="device", level=5, now=WORKDAY)
    assert services.invitations_send(now=WORKDAY + dt.timedelta(minutes=1)) == 0
    assert outbox("evaluation_invite") == []


def test_invitation_respects_quiet_hours(h, outbox):
    evening = at(2026, 2, 12, 21, 10)  # Thursday evening, after 21:00
    finish_ticket(h, now=evening)
    assert services.invitations_send(now=evening + dt.timedelta(minutes=2)) == 1
    message = outbox("evaluation_invite")[0]
    assert message.due_at == at(2026, 2, 13, 8, 0)
    assert message.hold_reason == "免打扰时段"


def device_token(username: str) -> str:
    out = StringIO()
    call_command("create_api_token", username, "--scope", "evaluate", stdout=out)
    return out.getvalue().strip()


def _device_client(h):
    make_user("ev-evaluator", ("device", h.center), is_device=True, home_window=h.w1)
    client = Client()
    response = client.post("/device/", {"token": device_token("ev-evaluator")})
    assert response.status_code == 302, response.content
    return client


def test_device_poll_wakes_for_the_finished_ticket(h, time_machine):
    time_machine.move_to(WORKDAY)
    client = _device_client(h)
    assert client.get("/evaluations/device/poll/").json() == {"state": "idle"}
    assert client.get("/evaluations/device/").status_code == 200
    ticket = finish_ticket(h, now=WORKDAY)
    data = client.get("/evaluations/device/poll/").json()
    assert data["state"] == "rate" and data["number"] == ticket.number
    assert data["staff_name"] == "王丽娟" and data["badge_no"] == "QS-0201"
    r = client.post(
        "/api/v1/evaluations",
        {"token": data["token"], "channel": "device", "level": 5},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert client.get("/evaluations/device/poll/").json() == {"state": "idle"}
    # Another window's device sees nothing; an unsigned browser is sent to sign in.
    assert client.get("/evaluations/device/poll/?window=2").json() == {"state": "idle"}
    assert Client().get("/evaluations/device/").status_code == 302
    assert Client().get("/evaluations/device/poll/").status_code == 404
    # Goes back to idle once the wake window has passed.
    ticket2 = finish_ticket(h, now=WORKDAY + dt.timedelta(minutes=1))
    time_machine.move_to(WORKDAY + dt.timedelta(minutes=10))
    assert client.get("/evaluations/device/poll/").json() == {"state": "idle"}
    assert not Rating.objects.filter(matter_id=str(ticket2.pk)).exists()


def test_box_entries(h):
    client = Client()
    client.force_login(h.clerk1)
    case = finished_case(h)
    r = client.post(
        "/evaluations/box/",
        {"form": "rating", "case_no": case.number, "level": "1", "comment": "纸条：态度差"},
    )
    assert r.status_code == 302
    rating = Rating.objects.get()
    assert (rating.channel, rating.entered_by_id, rating.real_name) == ("box", h.clerk1.pk, False)
    assert rating.rectification.status == "verifying"
    r = client.post("/evaluations/box/", {"form": "rating", "case_no": case.number, "level": "5"})
    assert r.status_code == 409 and "只能评价一次" in r.content.decode()
    r = client.post("/evaluations/box/", {"form": "complaint", "content": "", "window": "1"})
    assert r.status_code == 422 and "请填写投诉内容" in r.content.decode()
    client.post("/evaluations/box/", {"form": "complaint", "content": "大厅太冷", "window": "1"})
    assert Complaint.objects.get().window_id == h.w1.pk
    r = client.post(
        "/evaluations/box/",
        {"form": "blocked", "matter": "跨省迁户", "reason": "需原籍证明", "real_name": "on",
         "name": "赵", "phone": "13911112222"},
    )  # fmt: skip
    assert r.status_code == 302
    assert BlockedReport.objects.get().rectification.real_name is True
    other = Client()
    other.force_login(h.other_manager)
    r = other.post("/evaluations/box/", {"form": "rating", "case_no": case.number, "level": "5"})
    assert r.status_code == 404


def test_survey_public_link_and_results(h):
    survey = Survey.objects.create(
        center=h.center, title="大厅环境满意度调查", created_at=WORKDAY, status="open"
    )
    q1 = SurveyQuestion.objects.create(
        survey=survey, position=1, kind="single", text="等候时间", options=["很短", "一般", "很长"]
    )
    q2 = SurveyQuestion.objects.create(
        survey=survey, position=2, kind="multiple", text="需改进", options=["座位", "指引", "饮水"]
    )
    q3 = SurveyQuestion.objects.create(survey=survey, position=3, kind="scale", text="总体")
    q4 = SurveyQuestion.objects.create(
        survey=survey, position=4, kind="text", text="建议", required=False
    )
    client = Client()
    assert client.get(f"/s/{survey.token}/").status_code == 200
    assert client.get("/s/nope/").status_code == 404
    r = client.post(f"/s/{survey.token}/", {f"q{q1.pk}": "很长", f"q{q3.pk}": "4"})
    assert r.status_code == 422 and "需改进" in r.content.decode()
    for answer in (["座位", "饮水"], ["座位"]):
        r = client.post(
            f"/s/{survey.token}/",
            {
                f"q{q1.pk}": "很长",
                f"q{q2.pk}": answer,
                f"q{q3.pk}": "4",
                f"q{q4.pk}": "<i>加椅子</i>",
            },
        )
        assert r.status_code == 200
    r = client.post(
        f"/s/{survey.token}/", {f"q{q1.pk}": "偶尔", f"q{q2.pk}": "座位", f"q{q3.pk}": "4"}
    )
    assert r.status_code == 422
    assert SurveyResponse.objects.count() == 2
    staff = Client()
    staff.force_login(h.manager)
    html = staff.get(f"/evaluations/surveys/{survey.pk}/").content.decode()
    assert '<strong id="survey-count">2</strong>' in html
    assert html.count("<svg") == 3 and "&lt;i&gt;加椅子&lt;/i&gt;" in html
    other = Client()
    other.force_login(h.other_manager)
    assert other.get(f"/evaluations/surveys/{survey.pk}/").status_code == 404


def test_device_token_rates_by_target_only_in_its_own_center(h, time_machine):
    time_machine.move_to(WORKDAY)
    ticket = finish_ticket(h)
    make_user("ev-dev-other", ("device", h.other), is_device=True)
    make_user("ev-dev-own", ("device", h.center), is_device=True)
    body = {"target": {"ticket_id": ticket.pk}, "channel": "device", "level": 5}
    for username, status in (("ev-dev-other", 404), ("ev-dev-own", 201)):
        r = Client().post(
            "/api/v1/evaluations",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {device_token(username)}",
        )
        assert r.status_code == status, r.content
    assert Rating.objects.get().channel == "device"


def test_window_qr_code_leads_to_that_windows_rating_page(h, settings, time_machine):
    from govhall.core.testing import qr_texts

    time_machine.move_to(WORKDAY)
    settings.SITE_URL = "https://zwfw.example.gov.cn"
    staff = Client()
    staff.force_login(h.manager)
    page = staff.get(f"/evaluations/qr/?center={h.center.code}").content.decode()
    assert f"/evaluations/qr/window/{h.w1.pk}.png" in page
    png = staff.get(f"/evaluations/qr/window/{h.w1.pk}.png")
    assert png["Content-Type"] == "image/png"
    (text,) = qr_texts(png.content)
    assert text.startswith("https://zwfw.example.gov.cn/e/") and text.endswith("/?c=qr")
    token = text.removeprefix("https://zwfw.example.gov.cn/e/").removesuffix("/?c=qr")
    assert tokens.read_token(token, now=WORKDAY) == ("window", str(h.w1.pk))
    other = Client()
    other.force_login(h.other_manager)
    assert other.get(f"/evaluations/qr/window/{h.w1.pk}.png").status_code == 404
