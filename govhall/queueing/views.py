"""Queue pages: kiosk, guide desk, window console, 空窗 alerts, display board, mobile ticket.
Thin: they call the same services and selectors as the API."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from govhall.catalog.models import ServiceItem
from govhall.core import ratelimit
from govhall.core.errors import DomainError
from govhall.core.templatetags.govhall import qr_svg_markup
from govhall.documents.rating_links import rating_link
from govhall.org import selectors_hours as hours
from govhall.org.models import Center, Role, Window
from govhall.org.selectors import scope_for
from govhall.queueing import frontdesk, selectors, services
from govhall.queueing.api import status_url
from govhall.queueing.models import (
    PriorityGroup,
    Ticket,
    TicketCategory,
    WindowSession,
    local_day,
)
from govhall.queueing.phrases import (
    closing_phrase,
    console_context,
    console_phrase,
    console_phrases,
)

CONSOLE_ROLES = (Role.CLERK, Role.OUTPUT_CLERK, Role.PROXY, Role.MANAGER)


def center_from(request: HttpRequest) -> Center:
    code = request.GET.get("center") or request.POST.get("center") or settings.GOVHALL_CENTER_CODE
    qs = Center.objects.filter(is_active=True)
    if code:
        center = qs.filter(code=code).first()
    else:
        center = qs.filter(ticket_categories__is_active=True).distinct().order_by("code").first()
    if center is None:
        raise Http404("未找到中心。")
    return center


def self_service_hint(item: ServiceItem | None) -> dict[str, Any] | None:
    """6.4.1: an item that can be done at a self-service terminal or online is offered
    there first (with the person's consent)."""
    if item is None or item.published is None:
        return None
    guide = item.published
    if not (guide.self_service_available or guide.online_available):
        return None
    zone = item.center.zones.filter(kind="self_service").first()
    return {
        "self_service": guide.self_service_available,
        "online": guide.online_available,
        "online_url": guide.online_url,
        "zone": str(zone) if zone else "自助服务区",
    }


def _qr_svg(url: str) -> str:
    return qr_svg_markup(url)


# --- kiosk -------------------------------------------------------------------------------


def kiosk(request: HttpRequest) -> HttpResponse:
    center = center_from(request)
    closed = frontdesk.closed_notice(center, timezone.now())
    if closed:
        return render(
            request,
            "queueing/kiosk.html",
            {"center": center, "closed": closed, "extended": hours.schedule_lines(center)},
        )
    categories = list(selectors.categories_of(center))
    status = {row["category"]: row for row in selectors.queue_status(center, timezone.now())}
    category = None
    item = None
    items: list[ServiceItem] = []
    if request.GET.get("category"):
        category = next((c for c in categories if c.letter == request.GET["category"]), None)
        if category is None:
            raise Http404("业务类别不存在。")
        items = list(
            category.items.filter(is_active=True).select_related("published").order_by("code")
        )
    if category and request.GET.get("item"):
        item = next((i for i in items if i.code == request.GET["item"]), None)
    step = (
        "confirm"
        if (category and (item or request.GET.get("confirm")))
        else ("items" if category else "categories")
    )
    if step == "items" and not items:
        step = "confirm"
    return render(
        request,
        "queueing/kiosk.html",
        {
            "center": center,
            "cards": [(c, status.get(c.letter)) for c in categories],
            "category": category,
            "category_status": status.get(category.letter) if category else None,
            "items": items,
            "item": item,
            "hint": self_service_hint(item),
            "elsewhere": frontdesk.elsewhere(item),
            "step": step,
            "extended_today": hours.today_lines(center, timezone.now()),
            "priority_groups": [g for g in PriorityGroup.choices if g[0] != PriorityGroup.NONE],
        },
    )


@require_POST
@ratelimit.limited_page("ticket")
def kiosk_issue(request: HttpRequest) -> HttpResponse:
    center = center_from(request)
    category = get_object_or_404(
        TicketCategory, center=center, letter=request.POST.get("category", ""), is_active=True
    )
    item = None
    if request.POST.get("item"):
        item = (
            ServiceItem.objects.filter(code=request.POST["item"], center=center)
            .select_related("published")
            .first()
        )
    back = reverse("queueing:kiosk") + f"?center={center.code}&category={category.letter}"
    if frontdesk.closed_notice(center, timezone.now()):
        return redirect(reverse("queueing:kiosk") + f"?center={center.code}")
    if frontdesk.elsewhere(item):
        return redirect(back + f"&item={item.code}")  # the page says where it is handled
    try:
        ticket = services.ticket_issue(
            center=center,
            category=category,
            item=item,
            priority_group=request.POST.get("priority_group") or None,
            phone=request.POST.get("phone", "").strip() or None,
            channel="kiosk",
            actor=None,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back + (f"&item={item.code}" if item else "&confirm=1"))
    return redirect(reverse("queueing:slip", args=[ticket.pk]) + f"?t={ticket.token}&print=1")


@ratelimit.limited_page("lookup")
def kiosk_slip(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _public_ticket(ticket_id, request.GET.get("t", ""))
    data = selectors.ticket_public(ticket, timezone.now())
    url = status_url(ticket)
    # 9.4 b: a second code to the ticket's rating page (when evaluations registered one).
    rating = rating_link("ticket", ticket.pk, day=ticket.day)
    return render(
        request,
        "queueing/slip.html",
        {
            "center": ticket.center,
            "ticket": ticket,
            "data": data,
            "qr": mark_safe(_qr_svg(url)),  # segno output, no user input
            "rating_qr": mark_safe(_qr_svg(rating)) if rating else "",
            "rating_url": rating or "",
            "status_url": url,
            "autoprint": request.GET.get("print") == "1",
        },
    )


def _public_ticket(ticket_id: int, token: str) -> Ticket:
    ticket = selectors.public_ticket(ticket_id, token)
    if ticket is None:
        raise Http404("号码不存在或查询码不正确。")
    return ticket


@ratelimit.limited_page("lookup")
def ticket_page(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _public_ticket(ticket_id, request.GET.get("t", ""))
    data = selectors.ticket_public(ticket, timezone.now())
    return render(
        request,
        "queueing/ticket.html",
        {
            "center": ticket.center,
            "data": data,
            "api_url": reverse("api:queue_ticket_status", args=[ticket.pk]) + f"?t={ticket.token}",
        },
    )


# --- guide desk --------------------------------------------------------------------------


def require_role(
    request: HttpRequest, roles: tuple[str, ...], center: Center | None = None
) -> None:
    scope = scope_for(request.user)
    ok = any(scope.has_role(r, center.pk if center else None) for r in roles)
    if not ok:
        raise PermissionDenied("您没有使用此页面的权限。")


def staff_center(request: HttpRequest) -> Center:
    if request.GET.get("center") or request.POST.get("center"):
        return center_from(request)
    assignment = request.user.roles.select_related("center").first()
    if assignment is not None:
        return assignment.center
    return center_from(request)


# --- window console ------------------------------------------------------------------------


def _console_window(request: HttpRequest) -> Window | None:
    scope = scope_for(request.user)
    wanted = request.GET.get("window")
    qs = Window.objects.select_related("center", "zone").filter(is_active=True)
    if wanted:
        window = qs.filter(pk=wanted).first()
        if window is None or not scope.sees(window.center_id, window.department_id):
            raise Http404("窗口不存在。")
        return window
    own = WindowSession.objects.filter(staff=request.user, closed_at__isnull=True).first()
    if own is not None:
        return qs.get(pk=own.window_id)
    if request.user.home_window_id:
        return qs.filter(pk=request.user.home_window_id).first()
    return None


@login_required
def console(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if not any(scope.has_role(r) for r in CONSOLE_ROLES):
        raise PermissionDenied("您没有使用窗口叫号的权限。")
    window = _console_window(request)
    if window is None:
        windows = scope.filter(Window.objects.filter(is_active=True).select_related("center"))
        return render(request, "queueing/console_pick.html", {"windows": windows})
    require_role(request, CONSOLE_ROLES, window.center)
    now = timezone.now()
    session = WindowSession.objects.filter(window=window, closed_at__isnull=True).first()
    current = (
        Ticket.objects.filter(window=window, status__in=Ticket.ACTIVE)
        .select_related("category")
        .prefetch_related("items")
        .first()
    )
    state = next(r for r in selectors.windows_state(window.center) if r["id"] == window.pk)
    phrase_key = request.GET.get("phrase") or (
        "start"
        if current and current.status == Ticket.Status.SERVING
        else "call"
        if current
        else "idle"
    )
    served_today = Ticket.objects.filter(
        window=window, day=local_day(now), status=Ticket.Status.DONE
    ).count()
    return render(
        request,
        "queueing/console.html",
        {
            "center": window.center,
            "window": window,
            "session": session,
            "mine": session is not None and session.staff_id == request.user.pk,
            "current": current,
            "state": state,
            "waiting": selectors.waiting_for_window(window, local_day(now)),
            "served_today": served_today,
            "recall_limit": selectors.config_for(window.center).recall_limit,
            "phrase": console_phrase(phrase_key, console_context(window, current)),
            "phrases": console_phrases(console_context(window, current)),
            "categories": selectors.categories_of(window.center),
            "other_windows": Window.objects.filter(center=window.center, is_active=True).exclude(
                pk=window.pk
            ),
            "queue": selectors.queue_status(window.center, now),
        },
    )


ACTION_PHRASE = {
    "call": "call",
    "recall": "call",
    "start": "start",
    "no_show": "idle",
    "transfer": "transfer",
    "requeue": "idle",
}


@login_required
@require_POST
def console_action(request: HttpRequest, window_id: int) -> HttpResponse:
    window = get_object_or_404(Window.objects.select_related("center"), pk=window_id)
    if not scope_for(request.user).sees(window.center_id, window.department_id):
        raise Http404("窗口不存在。")
    action = request.POST.get("action", "")
    user = request.user
    back = reverse("queueing:console") + f"?window={window.pk}"
    try:
        phrase = _run_action(request, window, action, user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    return redirect(back + (f"&phrase={phrase}" if phrase else ""))


def _current(window: Window) -> Ticket:
    ticket = (
        Ticket.objects.filter(window=window, status__in=Ticket.ACTIVE)
        .select_related("center", "category", "window")
        .first()
    )
    if ticket is None:
        raise DomainError("当前没有正在处理的号码。", code="invalid_transition")
    return ticket


def _run_action(request: HttpRequest, window: Window, action: str, user: Any) -> str:
    if action == "open":
        services.window_open(window=window, actor=user)
        messages.success(request, f"已在{window}签到，开始服务。")
        return "idle"
    if action == "pause":
        services.window_pause(window=window, reason=request.POST.get("reason", ""), actor=user)
        messages.success(request, "窗口已暂停。")
        return ""
    if action == "close":
        services.window_close(window=window, actor=user)
        messages.success(request, "已签退。")
        return ""
    if action == "call":
        ticket = services.window_call_next(window=window, actor=user)
        if ticket is None:
            messages.info(request, "暂无等候的服务对象。")
            return "idle"
        messages.success(request, f"请{ticket.number}号到{window.number}号窗口办理")
        return "call"
    ticket = _current(window)
    if action == "finish_call":
        finished, called = services.window_finish_and_call_next(
            window=window, ticket_id=ticket.pk, actor=user
        )
        if called is None:
            messages.info(request, f"{finished.number} 服务结束。暂无等候的服务对象。")
            return closing_phrase(finished)
        messages.success(
            request, f"{finished.number} 服务结束。请{called.number}号到{window.number}号窗口办理"
        )
        return "call"
    if action == "recall":
        services.ticket_recall(ticket=ticket, actor=user)
    elif action == "start":
        services.ticket_start(ticket=ticket, actor=user)
    elif action == "finish":
        services.ticket_finish(ticket=ticket, actor=user)
        messages.success(request, f"{ticket.number} 服务结束。")
        return closing_phrase(ticket)
    elif action == "no_show":
        services.ticket_no_show(ticket=ticket, actor=user)
    elif action == "requeue":
        services.ticket_requeue(ticket=ticket, reason="服务对象暂离，回到队列", actor=user)
    elif action == "transfer":
        target = request.POST.get("target", "")
        kind, _, value = target.partition(":")
        to_category = to_window = None
        if kind == "c":
            to_category = TicketCategory.objects.filter(
                center=window.center, letter=value, is_active=True
            ).first()
        elif kind == "w":
            to_window = Window.objects.filter(center=window.center, pk=value or 0).first()
        new = services.ticket_transfer(
            ticket=ticket, to_category=to_category, to_window=to_window, actor=user
        )
        messages.success(request, f"{new.number} 已转办，保留原排队时间。")
    else:
        raise DomainError("未知操作。")
    return ACTION_PHRASE.get(action, "")
