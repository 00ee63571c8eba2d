"""Pages: the public booking flow (/booking/) and the staff screens (/appointments/).

Thin: each page calls the same services and selectors as the API.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from itertools import groupby
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from govhall.appointments import printing, selectors, services
from govhall.appointments.models import Appointment, BookingRule, Channel, Slot, Status
from govhall.core.errors import DomainError
from govhall.core.masking import mask_id_number, mask_name, mask_phone
from govhall.org.models import Center
from govhall.org.selectors import scope_for

# --- helpers ---------------------------------------------------------------------------------


def _public_center(request: HttpRequest) -> Center:
    code = request.GET.get("center") or request.POST.get("center") or ""
    centers = Center.objects.filter(is_active=True)
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
    slots = selectors.available_slots(rule=rule, now=timezone.now())
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
                verification = services.verification_code_verify(
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
        "successor": getattr(appointment, "rescheduled_to", None)
        if appointment.status == Status.RESCHEDULED
        else None,
    }


def confirmation(request: HttpRequest, code: str) -> HttpResponse:
    appointment = selectors.appointment_by_code(code)
    if appointment is None:
        raise Http404("未找到该预约。")
    return render(request, "appointments/confirmation.html", _confirmation_context(appointment))


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


def booking_cancel(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    errors: dict[str, str] = {}
    error = ""
    done = None
    if request.method == "POST":
        appointment = selectors.appointment_by_code(data.get("code", ""))
        try:
            if appointment is None:
                raise DomainError("未找到该预约码，请核对。", field="code")
            done = services.appointment_cancel(appointment=appointment, phone=data.get("phone", ""))
        except DomainError as exc:
            errors, error = _errors_of(exc), exc.message
    return render(
        request,
        "appointments/booking_cancel.html",
        {"data": data, "errors": errors, "error": error, "done": done},
        status=422 if error else 200,
    )


def booking_checkin(request: HttpRequest) -> HttpResponse:
    kiosk = request.GET.get("kiosk") == "1" or request.POST.get("kiosk") == "1"
    center = _public_center(request)
    error = ""
    done = None
    if request.method == "POST":
        value = (request.POST.get("value") or "").strip().upper()
        by_id = request.POST.get("mode") == "id" or len(value) >= 15
        try:
            done = services.appointment_check_in(
                center=center,
                code=None if by_id else value,
                id_number=value if by_id else None,
                actor=request.user if request.user.is_authenticated else None,
            )
        except DomainError as exc:
            error = exc.message
    return render(
        request,
        "appointments/checkin.html",
        {"center": center, "kiosk": kiosk, "error": error, "done": done},
        status=422 if error else 200,
    )


# --- staff -----------------------------------------------------------------------------------


def _staff_center(request: HttpRequest) -> Center:
    scope = scope_for(request.user)
    centers = selectors.staff_centers(scope)
    code = request.GET.get("center") or request.POST.get("center")
    center = centers.filter(code=code).first() if code else centers.order_by("code").first()
    if center is None:
        raise PermissionDenied("您没有预约管理权限。")
    return center


def _day(request: HttpRequest) -> dt.date:
    raw = request.GET.get("date", "")
    try:
        return dt.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        return timezone.localdate()


@login_required
def staff_day(request: HttpRequest) -> HttpResponse:
    center = _staff_center(request)
    day = _day(request)
    bookings = list(selectors.day_bookings(center=center, day=day))
    export = request.GET.get("export")
    if export in {"csv", "xlsx"}:
        return _export(bookings, center, day, export)
    groups = []
    for item, by_item in groupby(bookings, key=lambda a: a.item):
        rows = list(by_item)
        slots = [(slot, list(g)) for slot, g in groupby(rows, key=lambda a: a.slot)]
        groups.append((item, slots))
    counts = {s: sum(1 for a in bookings if a.status == s) for s in Status.values}
    return render(
        request,
        "appointments/staff_day.html",
        {
            "center": center,
            "day": day,
            "weekday": _weekday(day),
            "prev": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "groups": groups,
            "counts": counts,
            "total": len(bookings),
            "centers": selectors.staff_centers(scope_for(request.user)),
        },
    )


EXPORT_HEADER = [
    "预约码",
    "事项",
    "时段",
    "姓名",
    "证件号码",
    "电话",
    "渠道",
    "状态",
    "签到时间",
    "排队号",
]


def _export_rows(bookings: list[Appointment]) -> list[list[str]]:
    rows = []
    for a in bookings:
        rows.append(
            [
                a.code,
                a.item.name,
                a.slot.label(),
                mask_name(a.name),
                mask_id_number(a.id_number),
                mask_phone(a.phone),
                a.get_channel_display(),
                a.get_status_display(),
                f"{timezone.localtime(a.checked_in_at):%H:%M}" if a.checked_in_at else "",
                a.ticket_number,
            ]
        )
    return rows


def _export(bookings: list[Appointment], center: Center, day: dt.date, kind: str) -> HttpResponse:
    rows = _export_rows(bookings)
    name = f"appointments-{center.code}-{day:%Y%m%d}"
    if kind == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(EXPORT_HEADER)
        writer.writerows(rows)
        # BOM so that Excel opens the Chinese text as UTF-8.
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = f"{day:%Y-%m-%d}"
    sheet.append([f"{center.name} {day:%Y年%m月%d日} 预约名单"])
    sheet.append(EXPORT_HEADER)
    for row in rows:
        sheet.append(row)
    for column, width in zip("ABCDEFGHIJ", (12, 30, 36, 10, 22, 16, 10, 12, 10, 10), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@login_required
def staff_new(request: HttpRequest) -> HttpResponse:
    """Phone and on-site bookings registered by the consultant (6.3.2): the materials list
    is shown on screen so it can be read out in one go."""
    center = _staff_center(request)
    pairs = selectors.bookable_items(center)
    item_code = request.GET.get("item") or request.POST.get("item") or ""
    item = next((i for i, _ in pairs if i.code == item_code), None)
    rule = next((r for i, r in pairs if i.code == item_code), None)
    data = request.POST if request.method == "POST" else request.GET
    errors: dict[str, str] = {}
    error = ""
    warning = ""
    if item is not None and (data.get("id_number") or request.GET.get("id_number")):
        number = (data.get("id_number") or request.GET.get("id_number") or "").strip().upper()
        block = selectors.booking_block(id_number=number, now=timezone.now())
        warning = block.message(staff=True) if block else ""
    if request.method == "POST" and item is not None:
        slot = Slot.objects.filter(pk=data.get("slot") or 0, rule=rule).first()
        try:
            if slot is None:
                raise DomainError("请选择时段。", field="slot")
            appointment = services.appointment_book(
                center=center,
                item=item,
                slot=slot,
                name=data.get("name", ""),
                phone=data.get("phone", ""),
                id_number=data.get("id_number", ""),
                channel=data.get("channel") or Channel.PHONE,
                actor=request.user,
            )
        except DomainError as exc:
            errors, error = _errors_of(exc), exc.message
        else:
            messages.success(request, f"已登记预约，预约码 {appointment.code}。")
            if appointment.block_warning:
                messages.warning(request, appointment.block_warning)
            return redirect("appointments:staff_detail", code=appointment.code)
    slots = selectors.available_slots(rule=rule, now=timezone.now(), staff=True) if rule else []
    return render(
        request,
        "appointments/staff_new.html",
        {
            "center": center,
            "pairs": pairs,
            "item": item,
            "days": [(d, _weekday(d), g) for d, g in _slots_by_date(slots)],
            "materials": selectors.materials_of(item.published) if item else [],
            "data": data,
            "errors": errors,
            "error": error,
            "warning": warning,
            "channels": [(Channel.PHONE, "电话预约"), (Channel.ONSITE, "现场预约")],
        },
        status=422 if error else 200,
    )


def _staff_appointment(request: HttpRequest, code: str) -> Appointment:
    appointment = selectors.appointment_by_code(code)
    if appointment is None or not selectors.can_manage(
        scope_for(request.user), appointment.center_id
    ):
        raise Http404("未找到该预约。")
    return appointment


@login_required
def staff_detail(request: HttpRequest, code: str) -> HttpResponse:
    appointment = _staff_appointment(request, code)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        reason = request.POST.get("reason", "")
        try:
            if action == "cancel":
                services.appointment_cancel_by_center(
                    appointment=appointment, reason=reason, actor=request.user
                )
                messages.success(request, "已取消并短信告知预约人。")
                return redirect("appointments:staff_detail", code=appointment.code)
            if action == "reschedule":
                slot = Slot.objects.filter(pk=request.POST.get("slot") or 0).first()
                if slot is None:
                    raise DomainError("请选择新时段。", field="slot")
                new = services.appointment_reschedule(
                    appointment=appointment, reason=reason, new_slot=slot, actor=request.user
                )
                messages.success(request, f"已改约，新预约码 {new.code}，已短信告知预约人。")
                return redirect("appointments:staff_detail", code=new.code)
            if action == "checkin":
                done = services.appointment_check_in(
                    center=appointment.center, code=appointment.code, actor=request.user
                )
                messages.success(request, f"已签到，排队号 {done.ticket_number}。")
                return redirect("appointments:staff_detail", code=appointment.code)
        except DomainError as exc:
            error = exc.message
    slots = []
    if appointment.status == Status.BOOKED:
        slots = [
            s
            for s in selectors.available_slots(
                rule=appointment.rule, now=timezone.now(), staff=True
            )
            if s.pk != appointment.slot_id and s.remaining > 0
        ]
    return render(
        request,
        "appointments/staff_detail.html",
        {
            "center": appointment.center,
            "a": appointment,
            "events": appointment.events.select_related("actor"),
            "materials": selectors.materials_of(appointment.guide),
            "slots": slots,
            "error": error,
            "link": reverse("appointments:confirmation", args=[appointment.code]),
        },
        status=422 if error else 200,
    )
