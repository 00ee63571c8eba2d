"""Pages: the public booking flow (/booking/) and the staff screens (/appointments/).

Thin: each page calls the same services and selectors as the API.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from govhall.appointments import printing, selectors, services
from govhall.appointments.models import Appointment, BookingRule, Channel, Slot, Status
from govhall.core import ratelimit
from govhall.core.errors import DomainError
from govhall.org import selectors as org_selectors
from govhall.org.models import Center
from govhall.org.selectors import scope_for

# --- helpers ---------------------------------------------------------------------------------


def _public_center(request: HttpRequest) -> Center:
    code = request.GET.get("center") or request.POST.get("center") or ""
    centers = org_selectors.centers_public()
    if code:
        center = centers.filter(code=code).first()
    else:
        default = getattr(settings, "GOVHALL_CENTER_CODE", "")
        center = (default and centers.filter(code=default).first()) or centers.filter(
            booking_rules__is_active=True
        ).order_by("code").first()
    if center is None:
        raise Http404("未找到提供预约的中心。")
    return center


# The booking form's required fields, in the order the form shows them.
BOOKING_REQUIRED = {
    "name": "请填写姓名。",
    "id_number": "请填写身份证号码。",
    "phone": "请填写手机号码。",
}
FORM_ERROR = "请按提示修改下列标出的项目。"


def _missing(data: Any, *, code_required: bool) -> dict[str, str]:
    """Every empty required field at once, each named once (beside its field)."""
    wanted = {**BOOKING_REQUIRED}
    if code_required:
        wanted["verification_code"] = "请填写短信验证码。"
    return {f: m for f, m in wanted.items() if not str(data.get(f, "")).strip()}


def _errors_of(exc: DomainError) -> dict[str, str]:
    return {e["field"]: e["message"] for e in exc.errors}


def _slots_by_date(slots: list[Slot]) -> list[tuple[dt.date, list[Slot]]]:
    return [(day, list(group)) for day, group in groupby(slots, key=lambda s: s.date)]


def _weekday(day: dt.date) -> str:
    return "星期" + "一二三四五六日"[day.weekday()]


# --- public booking --------------------------------------------------------------------------


def booking_home(request: HttpRequest) -> HttpResponse:
    center = _public_center(request)
    pairs = selectors.bookable_items(center)
    groups = [
        (dept, [item for item, _ in group])
        for dept, group in groupby(pairs, key=lambda p: p[0].department)
    ]
    return render(request, "appointments/booking_home.html", {"center": center, "groups": groups})


def _item_and_rule(request: HttpRequest, item_code: str) -> tuple[Center, Any, BookingRule]:
    center = _public_center(request)
    item = selectors.item_by_code(center=center, code=item_code)
    if item is None or selectors.bookable_guide(item) is None:
        raise Http404("该事项不提供预约。")
    rule = selectors.rule_for_item(center=center, item=item)
    if rule is None:
        raise Http404("该事项不提供预约。")
    return center, item, rule


def booking_slots(request: HttpRequest, item_code: str) -> HttpResponse:
    """One day at a time (a phone screen cannot show ten days of slots), with a row of
    date chips showing the places left each day."""
    center, item, rule = _item_and_rule(request, item_code)
    slots = services.slots_offer(rule=rule, now=timezone.now())
    days = [
        {"date": d, "weekday": _weekday(d), "slots": group, "left": sum(s.remaining for s in group)}
        for d, group in _slots_by_date(slots)
    ]
    chosen = request.GET.get("date", "")
    current = next((d for d in days if d["date"].isoformat() == chosen), None)
    current = current or next((d for d in days if d["left"]), days[0] if days else None)
    return render(
        request,
        "appointments/booking_slots.html",
        {"center": center, "item": item, "rule": rule, "days": days, "current": current},
    )


@ratelimit.limited_page("booking", methods=frozenset({"POST"}))
def booking_form(request: HttpRequest, item_code: str, slot_id: int) -> HttpResponse:
    center, item, rule = _item_and_rule(request, item_code)
    slot = Slot.objects.filter(pk=slot_id, rule=rule).first()
    if slot is None:
        raise Http404("时段不存在。")
    errors: dict[str, str] = {}
    error = ""
    data = request.POST if request.method == "POST" else {}
    posted = request.method == "POST"
    missing = _missing(data, code_required=services.online_code_required()) if posted else {}
    if missing:
        errors, error = missing, FORM_ERROR
    elif request.method == "POST":
        try:
            verification = None
            if services.online_code_required():
                verification = services.verification_code_use(
                    phone=data.get("phone", ""), code=data.get("verification_code", "")
                )
            appointment = services.appointment_book(
                center=center,
                item=item,
                slot=slot,
                name=data.get("name", ""),
                phone=data.get("phone", ""),
                id_number=data.get("id_number", ""),
                channel=Channel.ONLINE,
                verification=verification,
            )
        except DomainError as exc:
            errors = _errors_of(exc)
            # A field's message is shown beside it; the top line only points there.
            error = (
                FORM_ERROR
                if set(errors) & {*BOOKING_REQUIRED, "verification_code"}
                else exc.message
            )
        else:
            return redirect("appointments:confirmation", code=appointment.code)
    return render(
        request,
        "appointments/booking_form.html",
        {
            "center": center,
            "item": item,
            "slot": slot,
            "rule": rule,
            "materials": selectors.materials_of(item.published),
            "data": data,
            "errors": errors,
            "error": error,
            "code_required": services.online_code_required(),
        },
        status=422 if error else 200,
    )


@require_POST
@ratelimit.limited_page("sms_code", as_json=True)
def booking_sms_code(request: HttpRequest) -> JsonResponse:
    try:
        services.verification_code_request(phone=request.POST.get("phone", ""))
    except DomainError as exc:
        return JsonResponse({"ok": False, "detail": exc.message}, status=exc.status)
    return JsonResponse({"ok": True, "detail": "验证码已发送，请查收短信（10分钟内有效）。"})


def _confirmation_context(appointment: Appointment) -> dict[str, Any]:
    link = services.confirmation_link(appointment)
    return {
        "center": appointment.center,
        "a": appointment,
        "materials": selectors.materials_of(appointment.guide),
        "link": link,
        "qr_svg": printing.qr_svg(link, scale=3),
        "notices": printing.notice_lines(appointment),
        # Anyone holding the code sees this page: last four digits only.
        "public_id": selectors.public_id_number(appointment.id_number),
        "public_phone": selectors.public_phone(appointment.phone),
        "successor": getattr(appointment, "rescheduled_to", None)
        if appointment.status == Status.RESCHEDULED
        else None,
    }


@ratelimit.limited_page("lookup")
def confirmation(request: HttpRequest, code: str) -> HttpResponse:
    appointment = selectors.appointment_by_code(code)
    if appointment is None:
        raise Http404("未找到该预约。")
    return render(request, "appointments/confirmation.html", _confirmation_context(appointment))


@ratelimit.limited_page("lookup")
def confirmation_pdf(request: HttpRequest, code: str) -> HttpResponse:
    appointment = selectors.appointment_by_code(code)
    if appointment is None:
        raise Http404("未找到该预约。")
    pdf = printing.confirmation_pdf(
        appointment,
        selectors.materials_of(appointment.guide),
        services.confirmation_link(appointment),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="appointment-{appointment.code}.pdf"'
    return response


@ratelimit.limited_page("cancel", methods=frozenset({"POST"}))
def booking_cancel(request: HttpRequest) -> HttpResponse:
    """Cancel online: the booking code, then an SMS code sent to the booked phone."""
    data = request.POST if request.method == "POST" else {"code": request.GET.get("code", "")}
    errors: dict[str, str] = {}
    error = ""
    done = None
    sent = ""
    if request.method == "POST":
        appointment = selectors.appointment_by_code(data.get("code", ""))
        try:
            if appointment is None:
                raise DomainError("未找到该预约码，请核对。", field="code")
            if data.get("action") == "send":
                services.appointment_cancel_code_request(appointment=appointment)
                sent = selectors.public_phone(appointment.phone)
            else:
                done = services.appointment_cancel(
                    appointment=appointment, verification_code=data.get("verification_code", "")
                )
        except DomainError as exc:
            errors, error = _errors_of(exc), exc.message
    return render(
        request,
        "appointments/booking_cancel.html",
        {"data": data, "errors": errors, "error": error, "done": done, "sent": sent},
        status=422 if error else 200,
    )


def _trusted_checkin(request: HttpRequest, center: Center) -> bool:
    """A hall device (kiosk, guide desk) or staff of this center is signed in."""
    if not request.user.is_authenticated:
        return False
    scope = scope_for(request.user)
    return scope.has_role("device", center.pk) or selectors.can_manage(scope, center.pk)


ID_CHECKIN_REFUSED = "按身份证号签到请到大厅自助取号机或导服台办理；此处请输入预约码。"


@ratelimit.limited_page("checkin", methods=frozenset({"POST"}))
def booking_checkin(request: HttpRequest) -> HttpResponse:
    """Check-in by booking code for anyone; by ID number only on a signed-in hall device or
    staff session, so that nobody on the internet learns whether an ID number has a booking
    today or checks someone in from outside."""
    kiosk = request.GET.get("kiosk") == "1" or request.POST.get("kiosk") == "1"
    center = _public_center(request)
    trusted = _trusted_checkin(request, center)
    error = ""
    status = 200
    done = None
    if request.method == "POST":
        value = (request.POST.get("value") or "").strip().upper()
        by_id = request.POST.get("mode") == "id" or len(value) >= 15
        if by_id and not trusted:
            error, status = ID_CHECKIN_REFUSED, 403
        else:
            try:
                done = services.appointment_check_in(
                    center=center,
                    code=None if by_id else value,
                    id_number=value if by_id else None,
                    actor=request.user if request.user.is_authenticated else None,
                )
            except DomainError as exc:
                error, status = exc.message, 422
    return render(
        request,
        "appointments/checkin.html",
        {"center": center, "kiosk": kiosk, "error": error, "done": done, "by_id": trusted},
        status=status,
    )
