"""Browser tests: book online on a phone-sized screen, then check in at the kiosk."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from govhall.appointments.models import Appointment, VerificationCode
from govhall.core.testing import qr_texts, reload_live_server_middleware
from govhall.notifications.models import OutboxMessage
from govhall.org.testing import log_in_browser
from govhall.queueing.api import status_url
from govhall.queueing.models import Ticket

from .conftest import at, person_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _live_server_plain_http(request, live_server, _plain_http):
    """The session-wide live server read the production settings (HTTPS redirect) when it
    built its middleware; rebuild it with this test's plain-HTTP settings, and again after
    the settings are restored."""
    request.addfinalizer(lambda: reload_live_server_middleware(live_server))
    reload_live_server_middleware(live_server)


@pytest.fixture(autouse=True)
def _pinned_clock():
    """The booking pages list slots from today on, and check-in opens shortly before a slot:
    a fixed Monday evening (today's slots are over, the first free one is tomorrow
    morning) makes every run see the same day, whenever it runs. The live server runs in
    this process, so it sees the same clock; the clock ticks on from there."""
    with time_machine.travel(at(2026, 3, 9, 18, 0), tick=True):
        yield


def _book_online(page, live_server, item, screenshot, prefix):
    page.goto(f"{live_server.url}/booking/")
    page.get_by_text(item.name).click()
    page.wait_for_selector(".appt-slot[data-slot]")
    screenshot(page, f"{prefix}-02-slots")
    page.locator(".appt-slot[data-slot]").first.click()
    page.wait_for_selector("#book-form")
    page.fill("input[name=name]", "张三丰")
    page.fill("input[name=id_number]", person_id(3))
    page.fill("input[name=phone]", "13800000003")
    page.click("#send-code")
    page.wait_for_function("document.getElementById('code-msg').textContent.length > 0")
    code = OutboxMessage.objects.get(template="verification_code", to="13800000003").params["code"]
    page.fill("input[name=verification_code]", code)
    screenshot(page, f"{prefix}-03-form")
    page.click("button[type=submit]")
    page.wait_for_selector("#appt-code")
    screenshot(page, f"{prefix}-04-confirmation")
    return Appointment.objects.get(id_number=person_id(3))


def _kiosk_enter(page, live_server, code):
    page.goto(f"{live_server.url}/booking/checkin/?kiosk=1")
    for ch in code:
        page.click(f"#keypad .key[data-key='{ch}']")
    assert page.input_value("#checkin-value") == code
    page.click("#checkin-submit")


def test_book_online_on_phone_then_kiosk_says_when_check_in_opens(
    live_server, phone_page, screenshot, item, rule
):
    phone_page.goto(f"{live_server.url}/booking/")
    screenshot(phone_page, "appt-01-items")
    appointment = _book_online(phone_page, live_server, item, screenshot, "appt")
    text = phone_page.inner_text("main")
    assert appointment.code in text
    assert "经营者身份证明" in text and "委托书" in text
    assert f"尾号{person_id(3)[-4:]}" in text and "尾号0003" in text
    assert person_id(3)[:6] not in text and "138****" not in text
    assert OutboxMessage.objects.filter(template="appointment_confirmed").count() == 1
    # The phone-sized page does not scroll sideways.
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    # At the kiosk the day before, the code is accepted but check-in has not opened yet.
    _kiosk_enter(phone_page, live_server, appointment.code)
    phone_page.wait_for_selector("#checkin-error")
    assert "签到时间未到" in phone_page.inner_text("#checkin-error")
    screenshot(phone_page, "appt-06-kiosk-too-early")


def test_kiosk_keypad_on_a_kiosk_screen(live_server, page, screenshot, center, item, rule):
    from govhall.org.testing import make_user

    log_in_browser(make_user("kiosk-1", ("device", center)), live_server.url, page.context)
    page.goto(f"{live_server.url}/booking/checkin/?kiosk=1")
    page.click("text=身份证号")
    assert page.is_visible("#keypad-id") and not page.is_visible("#keypad")
    for ch in "2301":
        page.click(f"#keypad-id .key[data-key='{ch}']")
    page.click(".key[data-key='DEL']")
    assert page.input_value("#checkin-value") == "230"
    screenshot(page, "appt-05-kiosk")


def test_book_online_then_check_in_at_kiosk_gets_priority_ticket(
    live_server, phone_page, page, screenshot, item, rule, queue_category
):
    appointment = _book_online(phone_page, live_server, item, screenshot, "appt-flow")
    # The person arrives on the day: move the booking to a slot starting in ten minutes.
    start = timezone.now() + dt.timedelta(minutes=10)
    end = start + dt.timedelta(minutes=30)
    Appointment.objects.filter(pk=appointment.pk).update(slot_start=start, slot_end=end)
    _kiosk_enter(page, live_server, appointment.code)
    page.wait_for_selector("#ticket-number")
    # The status page is offered as a QR code to scan, not as a URL to type.
    qr = page.locator(".checkin-qr svg").screenshot()
    screenshot(page, "appt-07-ticket")
    appointment.refresh_from_db()
    assert appointment.ticket_url == status_url(Ticket.objects.get(pk=appointment.ticket_id))
    assert qr_texts(qr) == [appointment.ticket_url]
    assert appointment.status == "checked_in"
    assert page.inner_text("#ticket-number") == appointment.ticket_number != ""


def test_staff_day_screen(live_server, page, screenshot, center, item, rule, consultant):
    from govhall.appointments import services

    now = timezone.now()
    rule.days_ahead = 10
    rule.save()
    day = rule.bookable_dates(timezone.localdate())[0]
    tz = timezone.get_current_timezone()
    for n, hour in ((1, 9), (2, 9), (4, 10)):
        a = services.appointment_book(
            center=center,
            item=item,
            slot=_slot_on(rule, dt.datetime.combine(day, dt.time(hour, 0), tzinfo=tz)),
            name="李小龙",
            phone=f"1380000000{n}",
            id_number=person_id(n),
            channel="phone",
            actor=consultant,
            now=now,
        )
    log_in_browser(consultant, live_server.url, page.context)
    page.goto(f"{live_server.url}/appointments/?date={day.isoformat()}")
    assert a.code in page.inner_text("main")
    screenshot(page, "appt-08-staff-day")
    page.goto(f"{live_server.url}/appointments/a/{a.code}/")
    screenshot(page, "appt-09-staff-detail")
    page.goto(f"{live_server.url}/appointments/new/?item={item.code}")
    screenshot(page, "appt-10-staff-new")


def _slot_on(rule, start):
    from govhall.appointments import services
    from govhall.appointments.models import Slot

    services.slots_materialise(rule=rule, date_from=start.date(), date_to=start.date())
    return Slot.objects.get(rule=rule, start=start)


def test_public_cancel_and_check_in_pages(live_server, page, phone_page, screenshot, item, rule):
    """The changed public pages, on a desktop and a 390 px phone: cancel asks for an SMS
    code sent to the booked phone; check-in on the internet takes the booking code only."""
    appointment = _book_online(phone_page, live_server, item, screenshot, "appt-sec")
    for p, size in ((page, "desktop"), (phone_page, "phone")):
        p.goto(f"{live_server.url}/booking/c/{appointment.code}/")
        screenshot(p, f"appt-sec-confirmation-{size}")
        p.goto(f"{live_server.url}/booking/cancel/?code={appointment.code}")
        # The last code was sent over a minute ago (one a minute per phone).
        VerificationCode.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))
        p.click("#cancel-send")
        p.wait_for_selector("#cancel-sent")
        assert "验证码已发送至尾号0003的手机" in p.inner_text("#cancel-sent")
        screenshot(p, f"appt-sec-cancel-{size}")
        p.goto(f"{live_server.url}/booking/checkin/")
        assert p.locator("input[name=mode][value=id]").count() == 0
        screenshot(p, f"appt-sec-checkin-{size}")
        assert p.evaluate("document.documentElement.scrollWidth") <= (
            390 if size == "phone" else 1920
        )
    sent = OutboxMessage.objects.filter(template="verification_code", to="13800000003")
    assert sent.count() == 3  # the booking's code, then a cancel code from each screen
