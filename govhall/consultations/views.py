"""Staff pages: the consultation desk (record, search the catalog, one-time notice by print
or SMS, phrases), the ledger, a consultation's page (transfer, reply, call result, close),
statistics with the Excel export, and wayfinding at the guide desk. Thin: forms in, the
services, templates out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from govhall.catalog.models import ServiceItem
from govhall.consultations import selectors, services
from govhall.consultations.excel import stats_workbook
from govhall.consultations.models import Channel, Kind, ReplyChannel, Status
from govhall.consultations.services._common import local_day
from govhall.core.errors import DomainError, NotFound
from govhall.documents.http import pdf_response
from govhall.documents.selectors import documents_for
from govhall.notifications.models import PhoneCallTask
from govhall.org.selectors import scope_for


def _pick(request: HttpRequest, centers: list) -> Any:
    if not centers:
        raise PermissionDenied("您没有咨询服务权限。")
    code = request.GET.get("center") or request.POST.get("center")
    return next((c for c in centers if c.code == code), centers[0])


def _context_for(request: HttpRequest, center: Any, item: Any = None) -> dict[str, str]:
    window = getattr(request.user, "home_window", None)
    materials = ""
    if item is not None and item.published_id:
        materials = "、".join(
            m.name for m in item.published.materials.filter(required=True).order_by("position")
        )
    return {
        "center": center.name,
        "window": str(window) if window and window.center_id == center.pk else "咨询台",
        "item": item.name if item else "",
        "materials": materials,
        "regulation": (item.published.basis[:40] if item and item.published_id else ""),
    }


def _error(exc: DomainError) -> dict[str, str]:
    field = exc.errors[0]["field"] if exc.errors else ""
    return {"field": field, "message": exc.message}


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    center = _pick(request, selectors.desk_centers(request.user))
    code = request.GET.get("item") or request.POST.get("item") or ""
    item = ServiceItem.objects.filter(code=code, center=center).select_related("published").first()
    values: dict[str, Any] = {"channel": request.GET.get("channel", Channel.DESK)}
    error = None
    done = None
    if request.method == "POST":
        p = request.POST
        values = {k: p.get(k, "") for k in ("channel", "name", "phone", "question", "answer")}
        values.update(action_taken=p.get("action_taken", ""), passed_to=p.get("passed_to", ""))
        try:
            if p.get("action") == "guide_sms":
                services.consultation_guide_send(
                    center=center, item=item, phone=p.get("phone", ""), actor=request.user
                )
                done = {"message": f"已将“{item.name if item else ''}”一次性告知短信加入发送队列。"}
            else:
                consultation = services.consultation_record(
                    center=center,
                    channel=values["channel"],
                    question=values["question"],
                    item=item,
                    name=values["name"],
                    phone=values["phone"],
                    answered_now=p.get("answered_now") == "1",
                    answer=values["answer"],
                    kind=p.get("kind", Kind.QUESTION),
                    action_taken=values["action_taken"],
                    passed_to=values["passed_to"],
                    actor=request.user,
                )
                return redirect("consultations:detail", consultation.pk)
        except DomainError as exc:
            error = _error(exc)
    q = request.GET.get("q", "")
    try:
        found = selectors.item_choices(center, q)
    except DomainError as exc:
        found, error = [], _error(exc)
    moments = ["phone_greeting", "phone_transfer", "phone_close"]
    if values.get("channel") != Channel.PHONE:
        moments = ["greeting", "guide", "cannot_answer", "elsewhere", "goodbye"]
    context = _context_for(request, center, item)
    return render(
        request,
        "consultations/desk.html",
        {
            "center": center,
            "centers": selectors.desk_centers(request.user),
            "item": item,
            "guide": item.published if item else None,
            "q": q,
            "found": found,
            "values": values,
            "error": error,
            "done": done,
            "channels": Channel.choices,
            "phrases": selectors.phrases(moments, context),
            "alerts": selectors.alerts_for(request.user)[:10],
            "awaiting": selectors.awaiting_close(request.user)[:10],
        },
        status=422 if error else 200,
    )


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    centers = selectors.ledger_centers(request.user)
    if not centers:
        raise PermissionDenied("您没有咨询台账权限。")
    center = _pick(request, centers)
    g = request.GET
    today = local_day(timezone.now())
    try:
        rows = list(
            selectors.ledger(
                request.user,
                center=center,
                status=g.get("status", "open"),
                owner=g.get("owner", ""),
                department=g.get("department", ""),
                overdue=g.get("overdue") == "1",
                today=today,
            )[:300]
        )
    except DomainError as exc:
        rows = []
        messages = _error(exc)
    else:
        messages = None
    return render(
        request,
        "consultations/ledger.html",
        {
            "center": center,
            "centers": centers,
            "rows": rows,
            "today": today,
            "error": messages,
            "filters": {
                **{k: g.get(k, "") for k in ("owner", "department", "overdue")},
                "status": g.get("status", "open"),
            },
            "status_choices": [("open", "未答复（全部）"), *Status.choices, ("", "全部状态")],
            "departments": selectors.departments(center),
            "department_bound": scope_for(request.user).department_bound,
        },
    )


def _detail_post(request: HttpRequest, consultation: Any) -> Any:
    p = request.POST
    action = p.get("action")
    user = request.user
    if action == "transfer":
        return services.consultation_transfer(
            consultation=consultation,
            to_user=p.get("to_user") or None,
            to_department=p.get("to_department") or None,
            note=p.get("note", ""),
            actor=user,
        )
    if action == "reply":
        return services.consultation_reply(
            consultation=consultation,
            answer=p.get("answer", ""),
            channel=p.get("channel", ""),
            actor=user,
        )
    if action == "call_result":
        return services.consultation_call_result(
            consultation=consultation,
            outcome=p.get("outcome", ""),
            note=p.get("note", ""),
            actor=user,
        )
    if action == "close":
        return services.consultation_close(consultation=consultation, actor=user)
    raise NotFound("未知的操作。", field="action")


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        consultation = selectors.consultation_for(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    error = None
    full_phone = ""
    if request.method == "POST":
        try:
            _detail_post(request, consultation)
        except DomainError as exc:
            error = _error(exc)
        else:
            return redirect("consultations:detail", pk)
        consultation = selectors.consultation_for(request.user, pk)
    elif request.GET.get("reveal") == "phone" and consultation.is_open and consultation.phone:
        # The reply action needs the number: shown in full, and audited.
        full_phone = services.consultation_phone_reveal(
            consultation=consultation, actor=request.user
        )
    center = consultation.center
    context = _context_for(request, center, consultation.item)
    task = None
    if consultation.call_task_id:
        from govhall.notifications.selectors import call_tasks_by_id

        task = call_tasks_by_id([consultation.call_task_id]).get(consultation.call_task_id)
    letter = documents_for(consultation).filter(pk=consultation.letter_id).first()
    return render(
        request,
        "consultations/detail.html",
        {
            "center": center,
            "c": consultation,
            "events": selectors.events(consultation),
            "error": error,
            "full_phone": full_phone,
            "today": local_day(timezone.now()),
            "colleagues": selectors.colleagues(center),
            "departments": selectors.departments(center),
            "reply_channels": ReplyChannel.choices,
            "outcomes": PhoneCallTask.Outcome.choices,
            "task": task,
            "letter": letter,
            "outgoing": selectors.phrase("outgoing_call", context),
            "phrases": selectors.phrases(
                ["phone_close"]
                if task is not None and task.status == "open"
                else ["phone_transfer", "cannot_answer", "goodbye"],
                context,
            ),
        },
        status=422 if error else 200,
    )


@login_required
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        consultation = selectors.consultation_for(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    letter = documents_for(consultation).filter(pk=consultation.letter_id).first()
    if letter is None:
        raise Http404("没有答复函。")
    return pdf_response(letter)


def _stats_args(request: HttpRequest) -> tuple[Any, dt.date, dt.date]:
    scope = scope_for(request.user)
    centers = [
        c
        for c in scope.centers().order_by("code")
        if scope.has_any_role({"manager", "consultant"}, c.pk)
    ]
    center = _pick(request, centers)
    today = local_day(timezone.now())
    try:
        start = dt.date.fromisoformat(request.GET.get("from") or "")
    except ValueError:
        start = today.replace(day=1)
    try:
        end = dt.date.fromisoformat(request.GET.get("to") or "")
    except ValueError:
        end = today
    if end < start:
        start, end = end, start
    return center, start, end


@login_required
def stats(request: HttpRequest) -> HttpResponse:
    center, start, end = _stats_args(request)
    data = selectors.stats(center, start, end)
    return render(request, "consultations/stats.html", {"center": center, "s": data})


@login_required
def stats_xlsx(request: HttpRequest) -> HttpResponse:
    center, start, end = _stats_args(request)
    data = selectors.stats(center, start, end)
    response = HttpResponse(
        stats_workbook(data),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="consultations-{center.code}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"'
    )
    return response


@login_required
def guide_wayfinding(request: HttpRequest) -> HttpResponse:
    center = _pick(request, selectors.ledger_centers(request.user))
    from govhall.consultations.public_views import _wayfinding_context

    context = _wayfinding_context(center)
    context["staff"] = True
    context["phrases"] = selectors.phrases(["guide", "greeting"], _context_for(request, center))
    return render(request, "consultations/guide_wayfinding.html", context)
