"""Pages of one 代办 (委托书 signed on two pads, intake checklist, chases, fee shown to the
applicant, delivery with the applicant's signature, termination with the material-return
list, filing) and the 代办 register with its statistics and Excel export."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from govhall.assistance import selectors, services
from govhall.assistance.api_common import FIRST_DAY, LAST_DAY
from govhall.assistance.models import ProxyCase, ProxyNote, ProxyStatus
from govhall.assistance.views import b64_png, console_center
from govhall.cases.services import MaterialIn
from govhall.catalog.selectors import department_by_code
from govhall.core.errors import DomainError, InvalidInput, NotFound
from govhall.documents.http import pdf_response
from govhall.org.selectors import departments_of


def _proxy(request: HttpRequest, number: str) -> ProxyCase:
    try:
        return selectors.proxy_for(request.user, number)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _date(value: str, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput("日期格式应为 YYYY-MM-DD。", field=field) from exc
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput("日期应在2000年至2099年之间。", field=field)
    return day


def _act(request: HttpRequest, p: ProxyCase) -> Any:
    post, user = request.POST, request.user
    action = post.get("action", "")
    if action == "sign":
        return services.proxy_sign(
            proxy_case=p,
            applicant_signature=b64_png(post.get("applicant_png", ""), "applicant_png"),
            proxy_signature=b64_png(post.get("proxy_png", ""), "proxy_png"),
            proxy_id_number=post.get("proxy_id_number", ""),
            actor=user,
        )
    if action == "take_in":
        chosen = set(post.getlist("material"))
        lines = [
            MaterialIn(material_id=m.pk, copies=m.copies, original_checked=True)
            for m in p.item.published.materials.order_by("position", "id")
            if str(m.pk) in chosen
        ]
        return services.proxy_take_in(proxy_case=p, materials=lines, actor=user)
    if action == "note":
        return services.proxy_note_add(
            proxy_case=p,
            kind=post.get("kind", ""),
            content=post.get("content", ""),
            department=department_by_code(post.get("department", ""), center=p.center),
            method=post.get("method", ""),
            contact=post.get("contact", ""),
            answer=post.get("answer", ""),
            promised_on=_date(post.get("promised_on", ""), "promised_on"),
            actor=user,
        )
    if action == "fee_guide":
        return services.proxy_fee_guide(proxy_case=p, actor=user)
    if action == "deliver":
        return services.proxy_deliver(
            proxy_case=p,
            method=post.get("method", ""),
            signature_png=b64_png(post.get("deliver_png", ""), "deliver_png"),
            id_checked=post.get("id_checked") == "on",
            carrier=post.get("carrier", ""),
            tracking_no=post.get("tracking_no", ""),
            address=post.get("address", ""),
            actor=user,
        )
    if action == "terminate":
        return services.proxy_terminate(
            proxy_case=p,
            kind=post.get("kind", ""),
            reason=post.get("reason", ""),
            returned=[r for r in post.get("returned", "").splitlines() if r.strip()],
            signature_png=b64_png(post.get("return_png", ""), "return_png"),
            actor=user,
        )
    if action == "file":
        return services.proxy_file(proxy_case=p, actor=user)
    raise InvalidInput("未知操作。", field="action")


@login_required
def proxy_detail(request: HttpRequest, number: str) -> HttpResponse:
    p = _proxy(request, number)
    error, missing = "", []
    if request.method == "POST":
        try:
            result = _act(request, p)
        except DomainError as exc:
            error = exc.message
        else:
            missing = getattr(result, "missing", [])
            if not missing:
                return redirect("assistance:proxy", number=p.number)
            error = "材料不全，未能收件，已出具一次性告知单。"
        p = _proxy(request, number)
    return render(
        request,
        "assistance/proxy.html",
        {
            "p": p,
            "center": p.center,
            "S": ProxyStatus,
            "error": error,
            "missing": missing,
            "events": list(selectors.proxy_events(p)),
            "notes": list(selectors.proxy_notes(p)),
            "documents": list(selectors.proxy_documents(p)),
            "fee": selectors.proxy_fee(p),
            "guide_materials": list(p.item.published.materials.order_by("position", "id"))
            if p.item.published_id
            else [],
            "departments": list(departments_of(p.center)),
            "note_kinds": ProxyNote.Kind.choices,
            "methods": ProxyNote.Method.choices,
            "terminations": ProxyCase.Termination.choices,
            "case_ready": p.case_id and p.case.status in ("output_received", "pickup_notified"),
        },
    )


@login_required
def proxy_document(request: HttpRequest, number: str, doc_id: int) -> HttpResponse:
    p = _proxy(request, number)
    for document in selectors.proxy_documents(p):
        if document.pk == doc_id:
            return pdf_response(document)
    raise Http404("未找到该文书。")


def _filters(request: HttpRequest) -> dict[str, Any]:
    g = request.GET
    status = g.get("status", "")
    return {
        "status": status if status in ProxyStatus.values else "",
        "item_code": g.get("item", "").strip()[:64],
        "date_from": _date(g.get("from", ""), "from"),
        "date_to": _date(g.get("to", ""), "to"),
        "q": g.get("q", "").strip()[:64],
    }


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """6.6.2.2 d: the 代办 register, filtered; statistics of 帮办 and 代办."""
    error = ""
    try:
        filters = _filters(request)
    except InvalidInput as exc:
        error, filters = exc.message, {}
    rows = selectors.proxy_register(request.user, **filters)
    if request.GET.get("format") == "xlsx":
        return _xlsx(rows)
    user = request.user
    return render(
        request,
        "assistance/register.html",
        {
            "center": console_center(request),
            "rows": list(rows[:300]),
            "count": rows.count(),
            "filters": filters,
            "statuses": ProxyStatus.choices,
            "stats": selectors.stats(user, filters.get("date_from"), filters.get("date_to")),
            "error": error,
            "query": request.GET.urlencode(),
        },
    )


def _xlsx(rows) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "代办登记簿"
    sheet.append(["代办编号", "申请时间", "事项", "申请人", "代办员", "办件编号", "状态", "归档"])
    for p in rows[:5000]:
        sheet.append(
            [
                p.number,
                timezone.localtime(p.applied_at).strftime("%Y-%m-%d %H:%M"),
                p.item.name,
                p.masked_name,
                str(p.proxy) if p.proxy_id else "",
                p.case.number if p.case_id else "",
                p.get_status_display(),
                "是" if p.filed_at else "",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="proxy-register.xlsx"'
    return response
