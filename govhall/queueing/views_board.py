"""Pages of the hall: 空窗 alerts and the display board (6.3.4, 6.3.6)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from govhall.org import selectors_hours as hours
from govhall.org.models import Center, Role
from govhall.org.selectors import scope_for
from govhall.queueing import selectors
from govhall.queueing.models import (
    IdleIncident,
)
from govhall.queueing.views import center_from

ALERT_ROLES = (Role.MANAGER, Role.INSPECTOR)


# --- 空窗 alerts -----------------------------------------------------------------------------


@login_required
def alerts(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if not any(scope.has_role(r) for r in ALERT_ROLES):
        raise PermissionDenied("仅中心管理人员和监督检查人员可查看空窗告警。")
    now = timezone.now()
    open_incidents = list(selectors.incidents_for(scope))
    for inc in open_incidents:
        inc.minutes = int(inc.duration_at(now).total_seconds() // 60)
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    closed = selectors.incidents_for(scope, open_only=False).filter(
        ended_at__isnull=False, started_at__gte=today
    )[:50]
    return render(
        request,
        "queueing/alerts.html",
        {
            "open_incidents": open_incidents,
            "closed": closed,
            "now": now,
            "kinds": IdleIncident.Kind,
        },
    )


# --- display board -------------------------------------------------------------------------


def board(request: HttpRequest, center_code: str) -> HttpResponse:
    center = get_object_or_404(Center, code=center_code, is_active=True)
    zones = request.GET.get("zones", "")
    api = reverse("api:queue_display", args=[center.code])
    return render(
        request,
        "queueing/board.html",
        {
            "center": center,
            "zones": zones,
            "extended_today": hours.today_lines(center, timezone.now()),
            "display_url": api + (f"?zones={zones}" if zones else ""),
            "time_zone": settings.TIME_ZONE,  # the board's clock: the center's, not the device's
            "poll_ms": int(request.GET.get("poll", "500") or 500)
            if request.GET.get("poll", "500").isdigit()
            else 500,
        },
    )


def board_index(request: HttpRequest) -> HttpResponse:
    center = center_from(request)
    url = reverse("queueing:board", args=[center.code])
    zones = request.GET.get("zones")
    return redirect(url + (f"?zones={zones}" if zones else ""))
