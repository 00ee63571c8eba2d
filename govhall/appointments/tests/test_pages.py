"""Public booking pages, confirmation page and PDF, staff screens, export, demo."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core.management import call_command

from govhall.appointments import services
from govhall.appointments.models import Appointment, BookingRule, Slot, Status
from govhall.core.testing import pdf_qr_texts
from govhall.notifications.models import OutboxMessage

from .conftest import at, make_item, person_id

NOW = at(2026, 3, 5, 10)


def _slot(rule, when):
    services.slots_materialise(rule=rule, date_from=when.date(), date_to=when.date())
    return Slot.objects.get(rule=rule, start=when)


def _book(center, item, rule, when=None, n=1, phone="13800000001"):
    return services.appointment_book(
        center=center,
        item=item,
        slot=_slot(rule, when or at(2026, 3, 9, 9, 0)),
        name="张三丰",
        phone=phone,
        id_number=person_id(n),
        channel="phone",
        now=NOW,
    )


@pytest.mark.django_db
def test_public_booking_flow_with_sms_code(client, center, item, rule):
    with time_machine.travel(NOW, tick=False) as traveller:
        home = client.get("/booking/")
        assert home.status_code == 200 and item.name in home.content.decode()
        slots = client.get(f"/booking/item/{item.code}/")
        html = slots.content.decode()
        assert "3月6日" in html and "3月7日" not in html  # Saturday 7 March: no slots
        slot = _slot(rule, at(2026, 3, 6, 9, 0))
        form_url = f"/booking/item/{item.code}/{slot.pk}/"
        form = client.get(form_url)
        assert "经营场所使用证明" in form.content.decode()  # materials shown before booking
        sent = client.post("/booking/sms-code/", {"phone": "13800000001"})
        assert sent.status_code == 200 and sent.json()["ok"]
        code = OutboxMessage.objects.get(template="verification_code").params["code"]
        bad = client.post(
            form_url,
            {
                "name": "张三丰",
                "phone": "13800000001",
                "id_number": "123",
                "verification_code": code,
            },
        )
        assert bad.status_code == 422 and "身份证号码应为18位" in bad.content.decode()
        # The failed attempt spent the code: a new one is needed.
        traveller.shift(dt.timedelta(seconds=61))
        assert client.post("/booking/sms-code/", {"phone": "13800000001"}).json()["ok"]
        code = OutboxMessage.objects.filter(template="verification_code").latest("id")
        code = code.params["code"]
        response = client.post(
            form_url,
            {
                "name": "张三丰",
                "phone": "13800000001",
                "id_number": person_id(1),
                "verification_code": code,
            },
        )
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert response["Location"] == f"/booking/c/{appointment.code}/"
    page = client.get(response["Location"]).content.decode()
    assert appointment.code in page and "<svg" in page
    assert person_id(1) not in page and "230102" not in page and "138****0001" not in page
    assert f"尾号{person_id(1)[-4:]}" in page and "尾号0001" in page
    assert "张*丰" in page and "张三丰" not in page
    for name in ("经营者身份证明", "经营场所使用证明", "委托书"):
        assert name in page
    css = client.get("/static/appointments/appointments.css")
    assert "@media print" in b"".join(css.streaming_content).decode()


@pytest.mark.django_db
def test_confirmation_pdf_has_chinese_text_code_and_materials(client, center, item, rule, settings):
    from pypdf import PdfReader

    settings.SITE_URL = "http://hall.example"

    appointment = _book(center, item, rule)
    response = client.get(f"/booking/c/{appointment.code}/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(p.extract_text() for p in reader.pages)
    assert appointment.code in text
    assert "预约确认单" in text and "经营场所使用证明" in text and "委托书" in text
    assert person_id(1) not in text
    fonts = str(reader.pages[0]["/Resources"]["/Font"])
    assert "/F" in fonts
    assert pdf_qr_texts(response.content) == [f"http://hall.example/booking/c/{appointment.code}/"]


@pytest.mark.django_db
def test_cancel_page(client, center, item, rule):
    appointment = _book(center, item, rule)
    with time_machine.travel(NOW, tick=False):
        prefilled = client.get(f"/booking/cancel/?code={appointment.code}")
        assert f'value="{appointment.code}"' in prefilled.content.decode()
        sent = client.post("/booking/cancel/", {"code": appointment.code, "action": "send"})
        assert sent.status_code == 200
        assert "验证码已发送至尾号0001的手机" in sent.content.decode()
        code = OutboxMessage.objects.get(template="verification_code").params["code"]
        ok = client.post(
            "/booking/cancel/",
            {"code": appointment.code.lower(), "verification_code": code, "action": "cancel"},
        )
    assert ok.status_code == 200 and "已取消" in ok.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED


@pytest.mark.django_db
def test_kiosk_checkin_page_messages(client, center, item, rule):
    appointment = _book(center, item, rule, when=at(2026, 3, 9, 10, 0))
    page = client.get("/booking/checkin/?kiosk=1")
    html = page.content.decode()
    assert page.status_code == 200 and 'class="keypad"' in html and "kiosk.js" in html
    assert "site-header" not in html
    with time_machine.travel(at(2026, 3, 9, 8, 0), tick=False):
        early = client.post(
            "/booking/checkin/", {"kiosk": "1", "value": appointment.code, "mode": "code"}
        )
    assert early.status_code == 422 and "09:30 以后签到" in early.content.decode()
    with time_machine.travel(at(2026, 3, 9, 11, 0), tick=False):
        late = client.post("/booking/checkin/", {"kiosk": "1", "value": appointment.code})
    assert "视为主动放弃" in late.content.decode()


@pytest.mark.django_db
def test_staff_day_view_and_exports(client, center, item, rule, consultant):
    a = _book(center, item, rule)
    b = _book(center, item, rule, n=2, phone="13800000002")
    services.appointment_mark_no_show(appointment=b, now=at(2026, 3, 9, 10, 0))
    assert client.get("/appointments/").status_code == 302  # login required
    client.force_login(consultant)
    page = client.get("/appointments/", {"date": "2026-03-09"}).content.decode()
    assert a.code in page and b.code in page and "未到" in page
    assert "已预约 1 · 已签到 0 · 未到 1" in page
    assert person_id(1) not in page
    csv_response = client.get("/appointments/", {"date": "2026-03-09", "export": "csv"})
    body = csv_response.content.decode("utf-8-sig")
    assert csv_response["Content-Type"].startswith("text/csv")
    assert "预约码" in body and a.code in body and person_id(1) not in body
    xlsx = client.get("/appointments/", {"date": "2026-03-09", "export": "xlsx"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert a.code in values and "未到（视为放弃）" in values


@pytest.mark.django_db
def test_staff_screens_need_a_role(client, center):
    from govhall.org.testing import make_user

    clerk = make_user("clerk-x", ("clerk", center))
    client.force_login(clerk)
    assert client.get("/appointments/").status_code == 403


@pytest.mark.django_db
def test_staff_phone_booking_shows_block_warning(client, center, item, rule, consultant):
    for day in (9, 10):
        x = _book(center, item, rule, when=at(2026, 3, day, 9, 0), n=7)
        services.appointment_mark_no_show(appointment=x, now=at(2026, 3, 11, 8))
    client.force_login(consultant)
    with time_machine.travel(at(2026, 3, 11, 8, 30), tick=False):
        slot = _slot(rule, at(2026, 3, 12, 9, 0))
        # The ID number in a URL lands in the access log: a GET lookup is ignored ...
        leaked = client.get("/appointments/new/", {"item": item.code, "id_number": person_id(7)})
        assert "网上预约暂停至" not in leaked.content.decode()
        assert person_id(7) not in leaked.content.decode()
        # ... the lookup is a POST.
        page = client.post(
            "/appointments/new/",
            {"item": item.code, "id_number": person_id(7), "action": "check"},
        )
        assert page.status_code == 200
        assert "网上预约暂停至2026年06月08日" in page.content.decode()
        assert Appointment.objects.filter(status=Status.BOOKED).count() == 0
        response = client.post(
            "/appointments/new/",
            {
                "item": item.code,
                "slot": slot.pk,
                "name": "张三丰",
                "phone": "0451-1234567",
                "id_number": person_id(7),
                "channel": "phone",
            },
        )
        assert response.status_code == 302
        detail = client.get(response["Location"]).content.decode()
    new = Appointment.objects.filter(status=Status.BOOKED).get()
    assert new.channel == "phone" and new.created_by == consultant and new.block_warning
    assert "网上预约暂停至" in detail


@pytest.mark.django_db
def test_staff_detail_reschedule_with_reason(client, center, item, rule, consultant):
    a = _book(center, item, rule)
    client.force_login(consultant)
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/appointments/a/{a.code}/")
        assert page.status_code == 200 and "中心改约" in page.content.decode()
        new_slot = _slot(rule, at(2026, 3, 10, 14, 0))
        no_reason = client.post(
            f"/appointments/a/{a.code}/",
            {"action": "reschedule", "slot": new_slot.pk, "reason": ""},
        )
        assert no_reason.status_code == 422 and "请填写原因" in no_reason.content.decode()
        moved = client.post(
            f"/appointments/a/{a.code}/",
            {"action": "reschedule", "slot": new_slot.pk, "reason": "断网"},
        )
    assert moved.status_code == 302
    new = Appointment.objects.get(rescheduled_from=a)
    assert moved["Location"] == f"/appointments/a/{new.code}/"


@pytest.mark.django_db
def test_workbench_screens_registered():
    from govhall.org.workbench import screens_for

    ours = {"appointments.day", "appointments.new"}
    assert ours <= {s.key for s in screens_for({"consultant"})}
    assert not {s.key for s in screens_for({"clerk"})} & ours


@pytest.mark.django_db
def test_demo_load_is_idempotent(department):
    from govhall.org.models import Center

    out = io.StringIO()
    call_command("load_demo", stdout=out)
    county = Center.objects.get(code="HL-239901")
    assert county.departments.filter(code="BDC").exists()
    dept = county.departments.get(code="GAJ")
    make_item(county, dept, code="GAJ-DEMO-1", name="户口迁移")
    call_command("load_demo", stdout=out)
    rules = BookingRule.objects.filter(center=county)
    total = rules.count()
    # Every bookable published item of the county has exactly one rule, the new one too.
    assert rules.filter(item__code="GAJ-DEMO-1", capacity=5).count() == 1
    assert total == rules.values("item").distinct().count()
    call_command("load_demo", stdout=out)
    assert rules.count() == total
    assert re.search(rf"预约规则：新建 0 条，共 {total} 条", out.getvalue())


@pytest.mark.django_db
def test_slot_label_weekday(rule):
    slot = _slot(rule, at(2026, 2, 14, 9, 0))
    assert slot.label() == "2026年02月14日（星期六）09:00–09:30"
    assert dt.date(2026, 2, 14) == slot.date


@pytest.mark.django_db
def test_openapi_lists_the_appointment_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/appointments/slots",
        "/api/v1/appointments",
        "/api/v1/appointments/{code}/cancel",
        "/api/v1/appointments/{code}/cancel-code",
        "/api/v1/appointments/{code}/reschedule",
        "/api/v1/appointments/{code}/check-in",
    ):
        assert path in paths
    assert paths["/api/v1/appointments/slots"]["get"]["tags"] == ["预约服务"]


@pytest.mark.django_db
def test_empty_booking_form_names_each_empty_field_once(client, center, item, rule):
    with time_machine.travel(NOW, tick=False):
        slot = _slot(rule, at(2026, 3, 6, 9, 0))
        response = client.post(f"/booking/item/{item.code}/{slot.pk}/", {})
    html = response.content.decode()
    assert response.status_code == 422
    for message in ("请填写姓名。", "请填写身份证号码。", "请填写手机号码。", "请填写短信验证码。"):
        assert html.count(message) == 1, message
    assert html.count("请按提示修改下列标出的项目。") == 1
    assert not Appointment.objects.exists()
