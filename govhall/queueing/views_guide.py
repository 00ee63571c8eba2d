"""The guide desk (导服台, 6.3.2): issue a ticket for a person and answer with the guide."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from govhall.catalog.models import ServiceItem
from govhall.core.errors import DomainError
from govhall.org.models import Role
from govhall.queueing import frontdesk, selectors, services
from govhall.queueing.models import (
    PriorityGroup,
    Ticket,
    local_day,
)
from govhall.queueing.phrases import (
    guide_phrase,
)
from govhall.queueing.views import require_role, self_service_hint, staff_center

GUIDE_ROLES = (Role.GUIDE, Role.CONSULTANT, Role.MANAGER)


@login_required
def guide_desk(request: HttpRequest) -> HttpResponse:
    center = staff_center(request)
    require_role(request, GUIDE_ROLES, center)
    categories = list(selectors.categories_of(center).prefetch_related("items"))
    items = list(
        ServiceItem.objects.filter(center=center, is_active=True, ticket_categories__isnull=False)
        .select_related("published", "department")
        .distinct()
        .order_by("department__code", "code")
    )
    hint = elsewhere = None
    issued = None
    form = {k: request.POST.get(k, "") for k in ("category", "item", "priority_group", "phone")}
    if request.method == "POST":
        item = next((i for i in items if i.code == form["item"]), None)
        category = next((c for c in categories if c.letter == form["category"]), None)
        hint = self_service_hint(item)
        elsewhere = frontdesk.elsewhere(item)
        if elsewhere:
            hint = None  # not handled here: say where, issue nothing
        elif hint and not request.POST.get("confirm"):
            pass  # show the suggestion first; the guide confirms to issue anyway
        else:
            try:
                issued = services.ticket_issue(
                    center=center,
                    category=category,
                    item=item,
                    priority_group=form["priority_group"] or None,
                    phone=form["phone"].strip() or None,
                    channel="guide",
                    actor=request.user,
                )
                hint = None
                form = {}
            except DomainError as exc:
                messages.error(request, exc.message)
    recent = (
        Ticket.objects.filter(center=center, day=local_day(timezone.now()), channel="guide")
        .select_related("category")
        .order_by("-issued_at")[:10]
    )
    return render(
        request,
        "queueing/guide.html",
        {
            "center": center,
            "categories": categories,
            "items": items,
            "hints": {i.code: self_service_hint(i) for i in items},
            "hint": hint,
            "elsewhere": elsewhere,
            "elsewhere_item": next((i for i in items if i.code == form.get("item")), None),
            "form": form,
            "issued": issued,
            "issued_data": selectors.ticket_public(issued, timezone.now()) if issued else None,
            "issued_slip": (
                reverse("queueing:slip", args=[issued.pk]) + f"?t={issued.token}" if issued else ""
            ),
            "recent": recent,
            "status": selectors.queue_status(center, timezone.now()),
            "priority_groups": PriorityGroup.choices,
            "phrase": guide_phrase({"center": center.name}),
        },
    )
