"""Public pages: the online consultation form (6.5.4 网络) with its anti-abuse (rate limit,
a local arithmetic challenge, a hidden trap field), the lookup of a reply by its code, and
wayfinding (6.4.2) on the portal and the kiosk."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

from django.core import signing
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from govhall.catalog.models import ServiceItem
from govhall.catalog.selectors import portal_centers
from govhall.consultations import selectors, services
from govhall.core import ratelimit
from govhall.core.errors import DomainError
from govhall.org.models import Center

CHALLENGE_SALT = "govhall.consultations.challenge"
CHALLENGE_MAX_AGE = 1800
TOUCH_IDLE_SECONDS = 90


def public_center(request: HttpRequest) -> Center | None:
    code = request.GET.get("center") or request.POST.get("center")
    if code:
        found = Center.objects.filter(code=code, is_active=True).first()
        if found is not None:
            return found
    centers = list(portal_centers()[:2])
    return centers[0] if len(centers) == 1 else None


def new_challenge() -> tuple[str, str]:
    """A sum of two small numbers, and the signed token that knows its answer."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = signing.dumps({"s": a + b, "n": secrets.token_hex(4)}, salt=CHALLENGE_SALT)
    return f"{a} + {b} = ？", token


def challenge_ok(token: str, answer: str) -> bool:
    try:
        data = signing.loads(token or "", salt=CHALLENGE_SALT, max_age=CHALLENGE_MAX_AGE)
    except signing.BadSignature:
        return False
    return (answer or "").strip() == str(data.get("s"))


def _form_context(center: Center | None, item: Any, values: dict, error: dict | None) -> dict:
    question, token = new_challenge()
    return {
        "center": center,
        "item": item,
        "values": values,
        "error": error,
        "challenge": question,
        "challenge_token": token,
    }


@ratelimit.limited_page("consult", methods=frozenset({"POST"}))
def online_form(request: HttpRequest) -> HttpResponse:
    center = public_center(request)
    if center is None:
        return render(request, "catalog/choose_center.html", {"centers": portal_centers()})
    code = request.GET.get("item") or request.POST.get("item") or ""
    item = ServiceItem.objects.filter(code=code, center=center, is_active=True).first()
    if request.method != "POST":
        return render(request, "consultations/online.html", _form_context(center, item, {}, None))
    p = request.POST
    values = {k: p.get(k, "") for k in ("name", "phone", "question")}
    error = None
    if p.get("website"):  # the hidden trap field a person never fills
        error = {"field": "question", "message": "提交失败，请重试。"}
    elif not challenge_ok(p.get("challenge_token", ""), p.get("challenge", "")):
        error = {"field": "challenge", "message": "验证题答案不正确，请重新计算。"}
    else:
        try:
            consultation = services.online_consultation_submit(
                center=center,
                question=values["question"],
                name=values["name"],
                phone=values["phone"],
                item=item,
            )
        except DomainError as exc:
            field = exc.errors[0]["field"] if exc.errors else ""
            error = {"field": field, "message": exc.message}
        else:
            return render(
                request,
                "consultations/online_done.html",
                {"center": center, "consultation": consultation},
                status=201,
            )
    return render(
        request,
        "consultations/online.html",
        _form_context(center, item, values, error),
        status=422,
    )


@ratelimit.limited_page("lookup", center_of=None)
def lookup(request: HttpRequest) -> HttpResponse:
    code = (request.GET.get("code") or "").strip()
    consultation = selectors.public_lookup(code) if code else None
    return render(
        request,
        "consultations/lookup.html",
        {
            "code": code,
            "consultation": consultation,
            "center": consultation.center if consultation else public_center(request),
            "not_found": bool(code) and consultation is None,
        },
        status=404 if code and consultation is None else 200,
    )


def _wayfinding_context(center: Center) -> dict[str, Any]:
    places = selectors.places(center)
    floors: dict[str, list] = {}
    for place in places:
        floors.setdefault(place.floor, []).append(place)
    return {
        "center": center,
        "floors": floors,
        "plan": selectors.floor_plan(center),
        "now": timezone.now(),
    }


def wayfinding(request: HttpRequest) -> HttpResponse:
    center = public_center(request)
    if center is None:
        return render(request, "catalog/choose_center.html", {"centers": portal_centers()})
    return render(request, "consultations/wayfinding.html", _wayfinding_context(center))


def touch_wayfinding(request: HttpRequest) -> HttpResponse:
    center = public_center(request)
    if center is None:
        return render(request, "catalog/choose_center.html", {"centers": portal_centers()})
    try:
        idle = max(3, min(int(request.GET.get("idle", TOUCH_IDLE_SECONDS)), 3600))
    except ValueError:
        idle = TOUCH_IDLE_SECONDS
    keep = {k: request.GET[k] for k in ("center", "idle") if request.GET.get(k)}
    context = _wayfinding_context(center)
    context.update(
        idle=idle, idle_param=f"?{urlencode(keep)}" if keep else "", touch_home="/touch/"
    )
    return render(request, "consultations/touch_wayfinding.html", context)


def floor_plan(request: HttpRequest, code: str) -> FileResponse:
    """The floor plan a center publishes on purpose (6.4.2), in production too."""
    center = Center.objects.filter(code=code, is_active=True).first()
    plan = selectors.floor_plan(center) if center is not None else None
    if plan is None:
        raise Http404("没有平面图。")
    response = FileResponse(plan.floor_plan.open("rb"), content_type="image/png")
    response["Cache-Control"] = "public, max-age=3600"
    return response
