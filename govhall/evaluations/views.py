"""Public and device pages of evaluations: the rating page behind a signed link (SMS, QR,
online), the evaluator device at a window, surveys. Thin: forms in, services, templates."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from govhall.core import ratelimit
from govhall.core.devices import device_user
from govhall.core.errors import DomainError, NotFound
from govhall.evaluations import selectors, services, tokens
from govhall.evaluations.matters import matter_get
from govhall.evaluations.models import DIMENSIONS, Channel, Level, QuestionKind
from govhall.evaluations.services._common import settings_for
from govhall.evaluations.services.outreach import survey_by_token
from govhall.org.models import Center, Window

PHONE_CHANNELS = {Channel.SMS, Channel.QR, Channel.ONLINE}
DEVICE_TOKEN_DAYS = 1


def _levels() -> list[tuple[int, str]]:
    return sorted(Level.choices, reverse=True)


def _form_values(post: Any) -> dict[str, Any]:
    real_name = post.get("real_name") == "on"
    return {
        "level": post.get("level"),
        "dimensions": {name: post.get(name) or None for name in DIMENSIONS},
        "comment": post.get("comment", ""),
        "tags": post.getlist("tags"),
        "real_name": real_name,
        "name": post.get("name", "") if real_name else "",
        "phone": post.get("phone", "") if real_name else "",
    }


def rate(request: HttpRequest, token: str) -> HttpResponse:
    """The phone page of one matter (or window) behind its signed link."""
    now = timezone.now()
    try:
        kind, matter_id = tokens.read_token(token, now=now)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except tokens.LinkExpired as exc:
        return render(request, "evaluations/expired.html", {"message": exc.message}, status=410)
    matter = matter_get(kind, matter_id)
    if matter is None:
        raise Http404("评价对象不存在。")
    channel = request.GET.get("c") or request.POST.get("channel") or Channel.ONLINE
    channel = channel if channel in PHONE_CHANNELS else Channel.ONLINE
    context: dict[str, Any] = {
        "center": Center.objects.filter(pk=matter.center_id).first(),
        "matter": matter,
        "levels": _levels(),
        "dimensions": DIMENSIONS.items(),
        "channel": channel,
        "values": {},
    }
    if matter.is_matter and _rated(kind, matter_id):
        context["already"] = services.ALREADY_RATED
    elif matter.is_matter and not matter.finished and request.method != "POST":
        # A code printed on a receipt or a ticket slip is scanned before the end.
        context["not_finished"] = True
    if request.method == "POST":
        ratelimit.check(request, "lookup")
        values = _form_values(request.POST)
        context["values"] = values
        try:
            rating = services.rating_submit(
                kind=kind, matter_id=matter_id, channel=channel, now=now, **values
            )
        except DomainError as exc:
            context["error"] = exc.message
            context["error_field"] = exc.errors[0]["field"] if exc.errors else ""
            status = 409 if exc.status == 409 else 422
            return render(request, "evaluations/rate.html", context, status=status)
        thanks = {"rating": rating, "matter": matter, "center": context["center"]}
        return render(request, "evaluations/thanks.html", thanks)
    return render(request, "evaluations/rate.html", context)


def _rated(kind: str, matter_id: str) -> bool:
    from govhall.evaluations.services.ratings import rating_exists

    return rating_exists(kind, matter_id)


# --- the evaluator device ---------------------------------------------------------------------


def _device_window(request: HttpRequest) -> tuple[Any, Window]:
    device = device_user(request)
    if device is None:
        return None, None
    number = request.GET.get("window", "")
    window = None
    if number:
        centers = device.roles.values_list("center_id", flat=True)
        window = Window.objects.filter(
            center_id__in=list(centers), number=number, is_active=True
        ).first()
    elif device.home_window_id:
        window = device.home_window
    return device, window


def device(request: HttpRequest) -> HttpResponse:
    """9.4 a) 评价器: the touch page facing the person at one window. Idle until the clerk
    finishes a ticket there, then shows the clerk and takes the rating (A.2.5)."""
    dev, window = _device_window(request)
    if dev is None:
        return redirect(f"{reverse('core:device')}?next={request.get_full_path()}")
    if window is None:
        raise Http404("请在地址中指定本评价器所在的窗口号，例如 ?window=1。")
    return render(
        request,
        "evaluations/device.html",
        {
            "window": window,
            "levels": _levels(),
            "dimensions": DIMENSIONS.items(),
            "poll_url": f"{reverse('evaluations:device_poll')}?window={window.number}",
        },
    )


@require_GET
def device_poll(request: HttpRequest) -> JsonResponse:
    """What the device shows now: the ticket just finished at its window, with a signed
    token for it (short-lived), or idle."""
    dev, window = _device_window(request)
    if dev is None or window is None:
        return JsonResponse({"detail": "评价器未登录或窗口不存在。"}, status=404)
    now = timezone.now()
    pending = selectors.device_pending(window.pk, now)
    if pending is None:
        return JsonResponse({"state": "idle"})
    token = tokens.make_token("ticket", pending["ticket_id"], now=now, days=DEVICE_TOKEN_DAYS)
    return JsonResponse({"state": "rate", "token": token, **pending})


# --- surveys ------------------------------------------------------------------------------------


def survey(request: HttpRequest, token: str) -> HttpResponse:
    """9.4 d) 调查问卷: the public questionnaire."""
    try:
        item = survey_by_token(token)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if item.status == item.Status.DRAFT:
        raise Http404("问卷尚未发布。")
    questions = list(item.questions.order_by("position", "id"))
    context: dict[str, Any] = {"survey": item, "questions": questions, "kinds": QuestionKind}
    if request.method == "POST":
        ratelimit.check(request, "lookup")
        answers: dict[str, Any] = {}
        for q in questions:
            key = str(q.pk)
            if q.kind == QuestionKind.MULTIPLE:
                answers[key] = request.POST.getlist(f"q{key}")
            else:
                answers[key] = request.POST.get(f"q{key}", "")
        try:
            services.survey_respond(survey=item, answers=answers)
        except DomainError as exc:
            context.update(error=exc.message, answers=answers)
            return render(request, "evaluations/survey.html", context, status=422)
        return render(request, "evaluations/survey_thanks.html", {"survey": item})
    return render(request, "evaluations/survey.html", context)


def link_days(center_id: int) -> int:
    return settings_for(center_id).link_days
