"""Staff pages for special groups (6.7.3) and emergency help (6.7.5): requests for
accompaniment and home/bedside service, aids and loans, the green channel, the extended
hours and their statistics; the emergency log, equipment, contacts and drills. Thin: forms
in, the services, templates out; names and phones masked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from govhall.assistance import selectors_special as sel
from govhall.assistance import services
from govhall.assistance.models_emergency import EmergencyKind
from govhall.assistance.models_special import SpecialGroup, SpecialRequest
from govhall.core.errors import DomainError, InvalidInput, NotFound
from govhall.org import selectors_hours as hours


def _center(request: HttpRequest) -> tuple[Any, list]:
    centers = list(sel.hall_centers(request.user).order_by("code"))
    if not centers:
        raise PermissionDenied("您没有特殊群体服务和应急救助的权限。")
    code = request.GET.get("center") or request.POST.get("center")
    return next((c for c in centers if c.code == code), centers[0]), centers


def _moment(value: str, field: str) -> dt.datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise InvalidInput("时间格式不正确。", field=field)
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _day(value: str, field: str) -> dt.date | None:
    try:
        return parse_date(value) if value else None
    except ValueError as exc:
        raise InvalidInput("日期格式不正确。", field=field) from exc


@contextmanager
def _not_found_as_404() -> Iterator[None]:
    """Another center's object: 404, as from the API."""
    try:
        yield
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _error(exc: DomainError) -> dict[str, str]:
    return {"field": exc.errors[0]["field"] if exc.errors else "", "message": exc.message}


def _special_post(request: HttpRequest, center: Any) -> str:
    p, user = request.POST, request.user
    action = p.get("action", "")
    if action == "create":
        item_code = p.get("item_code", "").strip()
        item = next(
            (g.item for g in sel.green_channel_of(center) if g.item.code == item_code), None
        )
        services.special_request_create(
            center=center,
            kind=p.get("kind", ""),
            group=p.get("group", ""),
            name=p.get("name", ""),
            phone=p.get("phone", ""),
            address=p.get("address", ""),
            item=item,
            description=p.get("description", ""),
            preferred_at=_moment(p.get("preferred_at", ""), "preferred_at"),
            actor=user,
        )
        return "已登记服务申请。"
    if action in ("schedule", "complete", "cancel"):
        found = sel.special_request_get(user, int(p.get("id") or 0))
        if action == "schedule":
            staff_id = int(p.get("staff") or 0)
            staff = next((u for u in sel.hall_staff_of(center) if u.pk == staff_id), None)
            services.special_request_schedule(
                request=found,
                scheduled_at=_moment(p.get("scheduled_at", ""), "scheduled_at"),
                staff=staff,
                actor=user,
            )
            return f"{found.number} 已安排，已短信告知服务对象。"
        if action == "complete":
            services.special_request_complete(
                request=found,
                visit_note=p.get("visit_note", ""),
                items_handled=p.get("items_handled", ""),
                applicant_signed=p.get("applicant_signed") == "1",
                actor=user,
            )
            return f"{found.number} 已登记服务记录。"
        services.special_request_cancel(request=found, reason=p.get("reason", ""), actor=user)
        return f"{found.number} 已取消。"
    if action == "lend":
        aid = sel.aid_get(user, int(p.get("aid") or 0))
        services.aid_lend(
            aid=aid,
            borrower_name=p.get("borrower_name", ""),
            borrower_phone=p.get("borrower_phone", ""),
            actor=user,
        )
        return f"{aid} 已借出。"
    if action == "return":
        loan = services.aid_return(loan=sel.loan_get(user, int(p.get("loan") or 0)), actor=user)
        return f"{loan.aid} 已归还。"
    raise InvalidInput("未知操作。", field="action")


@login_required
def special(request: HttpRequest) -> HttpResponse:
    center, centers = _center(request)
    error = None
    if request.method == "POST":
        try:
            with _not_found_as_404():
                messages.success(request, _special_post(request, center))
            return redirect(reverse("assistance:special") + f"?center={center.code}")
        except (DomainError, ValueError) as exc:
            error = (
                _error(exc)
                if isinstance(exc, DomainError)
                else {"field": "id", "message": "参数不正确。"}
            )
    today = timezone.localdate()
    status = request.GET.get("status", "")
    status = status if status in SpecialRequest.Status.values else ""
    staff = sel.hall_staff_of(center)
    return render(
        request,
        "assistance/special.html",
        {
            "center": center,
            "centers": centers,
            "error": error,
            "values": request.POST if error else {},
            "status": status,
            "statuses": SpecialRequest.Status.choices,
            "requests": sel.special_requests_for(request.user, center=center, status=status)[:100],
            "kinds": SpecialRequest.Kind.choices,
            "groups": SpecialGroup.choices,
            "staff": staff,
            "aids": sel.aids_for(request.user, center=center),
            "green": sel.green_channel_of(center),
            "extended": hours.schedule_lines(center),
            "stats": sel.special_stats(request.user, center, today.replace(day=1), today),
        },
        status=422 if error else 200,
    )


def _emergency_post(request: HttpRequest, center: Any) -> str:
    p, user = request.POST, request.user
    action = p.get("action", "")
    if action == "record":
        incident = services.emergency_incident_record(
            center=center,
            kind=p.get("kind", ""),
            occurred_at=_moment(p.get("occurred_at", ""), "occurred_at"),
            place=p.get("place", ""),
            description=p.get("description", ""),
            helpers=p.get("helpers", ""),
            called=p.get("called", ""),
            outcome=p.get("outcome", ""),
            actor=user,
        )
        return f"已登记应急事件 {incident.number}。"
    if action == "close":
        incident = sel.incident_get(user, int(p.get("id") or 0))
        services.emergency_incident_close(
            incident=incident, outcome=p.get("outcome", ""), actor=user
        )
        return f"{incident.number} 已登记处置结果。"
    if action == "check":
        equipment = sel.equipment_get(user, int(p.get("equipment") or 0))
        services.equipment_check_record(
            equipment=equipment,
            checked_on=_day(p.get("checked_on", ""), "checked_on"),
            ok=p.get("ok", "1") == "1",
            expires_on=_day(p.get("expires_on", ""), "expires_on"),
            note=p.get("note", ""),
            actor=user,
        )
        return f"{equipment} 已登记检查。"
    if action == "drill":
        count = p.get("participant_count", "")
        if not count.isdigit():
            raise InvalidInput("请填写参加人数。", field="participant_count")
        services.drill_record(
            center=center,
            held_on=_day(p.get("held_on", ""), "held_on"),
            kind=p.get("kind", ""),
            scenario=p.get("scenario", ""),
            participants=p.get("participants", ""),
            participant_count=int(count),
            findings=p.get("findings", ""),
            actor=user,
        )
        return "已登记演练记录。"
    raise InvalidInput("未知操作。", field="action")


@login_required
def emergency(request: HttpRequest) -> HttpResponse:
    center, centers = _center(request)
    error = None
    if request.method == "POST":
        try:
            with _not_found_as_404():
                messages.success(request, _emergency_post(request, center))
            return redirect(reverse("assistance:emergency") + f"?center={center.code}")
        except (DomainError, ValueError) as exc:
            error = (
                _error(exc)
                if isinstance(exc, DomainError)
                else {"field": "id", "message": "参数不正确。"}
            )
    today = timezone.localdate()
    equipment = sel.equipment_for(request.user, center=center, today=today)
    return render(
        request,
        "assistance/emergency.html",
        {
            "center": center,
            "centers": centers,
            "error": error,
            "values": request.POST if error else {},
            "kinds": EmergencyKind.choices,
            "incidents": sel.incidents_for(request.user, center=center)[:100],
            "equipment": equipment,
            "flagged": [e for e in equipment if e.flag_list],
            "contacts": sel.contacts_for(request.user, center=center),
            "drills": sel.drills_for(request.user, center=center)[:50],
            "today": today,
        },
        status=422 if error else 200,
    )
