"""Staff pages (/appointments/): the day's bookings and exports, phone/on-site booking,
one booking's detail with check-in, center reschedule and cancel.

Thin: each page calls the same services and selectors as the API. Personal data is masked
on every page and export, and arrives only by POST (never in a URL or the access log).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from govhall.appointments import selectors, services
from govhall.appointments.models import Appointment, Channel, Slot, Status
from govhall.appointments.views import _errors_of, _slots_by_date, _weekday
from govhall.core.errors import DomainError
from govhall.core.masking import mask_id_number, mask_name, mask_phone
from govhall.org.models import Center
from govhall.org.selectors import scope_for

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
    # Personal data only ever arrives by POST (never in the URL or the access log).
    data = request.POST if request.method == "POST" else {}
    errors: dict[str, str] = {}
    error = ""
    warning = ""
    checking = data.get("action") == "check"
    if item is not None and data.get("id_number"):
        number = (data.get("id_number") or "").strip().upper()
        block = selectors.booking_block(id_number=number, phone=None, now=timezone.now())
        warning = block.message(staff=True) if block else ""
    if request.method == "POST" and item is not None and not checking:
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
    slots = services.slots_offer(rule=rule, now=timezone.now(), staff=True) if rule else []
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
            for s in services.slots_offer(rule=appointment.rule, now=timezone.now(), staff=True)
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
