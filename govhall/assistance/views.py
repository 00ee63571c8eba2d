"""Pages of 帮办与代办: the assistance console (record a 帮办, register a 代办 application,
the open 代办 and today's 帮办). Thin: forms in, services, templates out; scope through
selectors (another center's records are 404)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from govhall.assistance import selectors, services
from govhall.assistance.models import HelpAction, HelpOutcome, ProxyCase
from govhall.assistance.services._common import PROXY_ROLES
from govhall.cases import selectors as case_selectors
from govhall.core.errors import DomainError, InvalidInput, NotFound
from govhall.core.validators import ID_TYPE_CHOICES
from govhall.documents.http import pdf_response
from govhall.org.models import Center
from govhall.org.selectors import scope_for


def console_center(request: HttpRequest) -> Center | None:
    """The center the console works for: the user's first center as proxy or manager."""
    scope = scope_for(request.user)
    ids = scope.centers_with_role(PROXY_ROLES)
    qs = scope.centers().filter(pk__in=ids) if not scope.is_admin else scope.centers()
    code = request.GET.get("center") or request.POST.get("center")
    if code:
        qs = qs.filter(code=code)
    return qs.order_by("id").first()


def int_or_error(value: Any, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInput("请填写整数。", field=field) from exc


def b64_png(value: str, field: str) -> bytes | None:
    if not value:
        return None
    data = value.split(",", 1)[1] if value.startswith("data:") else value
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("签名图片无效。", field=field) from exc


def _help(request: HttpRequest, center: Center) -> Any:
    p = request.POST
    item = case_selectors.item_for_intake(center, p.get("item_code", ""))
    if p.get("item_code") and item is None:
        raise InvalidInput("未找到该事项。", field="item_code")
    case = None
    if p.get("case_no", "").strip():
        try:
            case = case_selectors.case_for(request.user, p["case_no"])
        except NotFound as exc:
            raise InvalidInput("未找到该办件。", field="case_no") from exc
    return services.help_record_create(
        center=center,
        person_name=p.get("person_name", ""),
        phone=p.get("phone", "").strip(),
        item=item,
        actions=p.getlist("actions"),
        forms_filled=[f for f in p.get("forms_filled", "").splitlines() if f.strip()],
        minutes=int_or_error(p.get("minutes"), "minutes"),
        outcome=p.get("outcome", ""),
        note=p.get("note", ""),
        case=case,
        actor=request.user,
    )


def _apply(request: HttpRequest, center: Center) -> ProxyCase:
    p = request.POST
    item = case_selectors.item_for_intake(center, p.get("item_code", ""))
    lines = []
    for line in p.get("materials", "").splitlines():
        name, _, copies = line.strip().partition("×")
        if name.strip():
            lines.append(
                services.MaterialLine(name.strip(), int(copies) if copies.isdigit() else 1)
            )
    return services.proxy_apply(
        center=center,
        item=item,
        applicant_name=p.get("applicant_name", ""),
        id_type=p.get("id_type", "resident_id"),
        id_number=p.get("id_number", ""),
        phone=p.get("phone", ""),
        address=p.get("address", ""),
        contact=p.get("contact", ""),
        materials=lines,
        delivery=p.get("delivery", "hand"),
        delivery_address=p.get("delivery_address", ""),
        actor=request.user,
    )


@login_required
def console(request: HttpRequest) -> HttpResponse:
    center = console_center(request)
    if center is None:
        raise Http404("您不是帮代办人员。")
    error, errors, form = "", [], "help"
    if request.method == "POST":
        form = request.POST.get("action", "")
        try:
            if form == "apply":
                p = _apply(request, center)
                return redirect("assistance:proxy", number=p.number)
            if form != "help":
                raise InvalidInput("未知操作。", field="action")
            _help(request, center)
            return redirect("assistance:console")
        except DomainError as exc:
            error, errors = exc.message, exc.errors
    user = request.user
    return render(
        request,
        "assistance/console.html",
        {
            "center": center,
            "items": list(case_selectors.intake_items(center)),
            "actions": HelpAction.choices,
            "outcomes": HelpOutcome.choices,
            "id_types": ID_TYPE_CHOICES,
            "open": list(selectors.open_proxies(user).filter(center=center)[:100]),
            "helps": list(selectors.help_visible(user).filter(center=center)[:30]),
            "error": error,
            "fields": {e.get("field") for e in errors},
            "form": form,
            "post": request.POST if request.method == "POST" else {},
        },
    )


@login_required
def help_forms_pdf(request: HttpRequest, record_id: int) -> HttpResponse:
    try:
        record = selectors.help_for(request.user, record_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not record.forms_document_id:
        raise Http404("该帮办没有填写表单。")
    return pdf_response(record.forms_document)
