"""Public portal pages: center home, catalog, guide, one-time notice, staff directory, kiosk."""

from __future__ import annotations

import os
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from govhall.catalog import portal_hooks, selectors
from govhall.catalog.api import notice_response
from govhall.catalog.notice import guide_url
from govhall.catalog.uploads import CONTENT_TYPES
from govhall.core.errors import DomainError
from govhall.org import selectors as org_selectors
from govhall.org.models import Center
from govhall.org.selectors import staff_public
from govhall.org.selectors_hours import schedule_lines

TOUCH_IDLE_SECONDS = 90


def _center(request: HttpRequest) -> Center | None:
    """The center the visitor looks at: ?center=CODE, the configured one, or the only one."""
    code = request.GET.get("center") or getattr(settings, "GOVHALL_CENTER_CODE", "")
    if code:
        center = org_selectors.center_get(code=code)
        if center is not None:
            return center
    centers = list(selectors.portal_centers()[:2])
    return centers[0] if len(centers) == 1 else None


def _center_or_chooser(request: HttpRequest):
    center = _center(request)
    if center is None:
        centers = selectors.portal_centers().order_by("code")
        return None, render(request, "catalog/choose_center.html", {"centers": centers})
    return center, None


def home(request: HttpRequest) -> HttpResponse:
    center, chooser = _center_or_chooser(request)
    if chooser:
        return chooser
    departments = selectors.departments_with_items(center)
    return render(
        request,
        "catalog/home.html",
        {
            "center": center,
            "departments": departments,
            "hours": _hours_text(center),
            "extended_hours": schedule_lines(center),
            "portal_sections": portal_hooks.center_sections(center),
            "item_count": selectors.items_public(center=center).count(),
        },
    )


def _hours_text(center: Center) -> str:
    return center.opening_hours or (
        f"法定工作日 上午 {center.morning_open:%H:%M}—{center.morning_close:%H:%M}，"
        f"下午 {center.afternoon_open:%H:%M}—{center.afternoon_close:%H:%M}（节假日除外）"
    )


def items(request: HttpRequest) -> HttpResponse:
    center, chooser = _center_or_chooser(request)
    if chooser:
        return chooser
    q = request.GET.get("q", "").strip()[:100]
    dept_code = request.GET.get("department", "")
    department = None
    error = ""
    try:
        department = selectors.department_by_code(dept_code, center=center)
    except DomainError:
        error = "所选部门不存在，已显示全部部门的事项。"
    found = selectors.items_public(q=q, center=center, department=department)
    paginator = Paginator(found, 15)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/items.html",
        {
            "center": center,
            "q": q,
            "department": department,
            "departments": selectors.departments_with_items(center),
            "page": page,
            "count": paginator.count,
            "error": error,
        },
    )


def _item_or_404(code: str):
    try:
        return selectors.item_public(code)
    except DomainError as exc:
        raise Http404(exc.message) from exc


def item(request: HttpRequest, code: str) -> HttpResponse:
    obj = _item_or_404(code)
    guide = obj.published
    return render(
        request,
        "catalog/item.html",
        {
            "center": obj.center,
            "item": obj,
            "guide": guide,
            "materials": selectors.guide_materials(guide),
            "hours": _hours_text(obj.center),
            "extended_hours": schedule_lines(obj.center),
            "portal_sections": portal_hooks.item_sections(obj),
        },
    )


def item_notice(request: HttpRequest, code: str) -> HttpResponse:
    return notice_response(_item_or_404(code), attachment="download" in request.GET)


def staff_directory(request: HttpRequest) -> HttpResponse:
    center, chooser = _center_or_chooser(request)
    if chooser:
        return chooser
    people = []
    for user in staff_public(center).order_by("home_window__number", "badge_no", "username"):
        departments = sorted(
            {
                r.department.name
                for r in user.roles.all()
                if r.department and r.center_id == center.pk
            }
        )
        people.append(
            {
                "name": user.display_name,
                "initial": user.display_name[:1],
                "photo": user.photo.url if user.photo else "",
                "badge_no": user.badge_no,
                "post": user.post,
                "window": str(user.home_window) if user.home_window else "",
                "department": "、".join(departments),
            }
        )
    return render(request, "catalog/staff.html", {"center": center, "people": people})


def _idle_seconds(request: HttpRequest) -> int:
    try:
        return max(3, min(int(request.GET.get("idle", TOUCH_IDLE_SECONDS)), 3600))
    except ValueError:
        return TOUCH_IDLE_SECONDS


def _touch(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    idle = _idle_seconds(request)
    # Keep the kiosk's own settings (idle time, center) on every link it follows.
    keep = {k: request.GET[k] for k in ("center", "idle") if request.GET.get(k)}
    if "idle" in keep:
        keep["idle"] = str(idle)
    context.update(
        idle=idle,
        idle_param=f"?{urlencode(keep)}" if keep else "",
        touch_home="/touch/",
    )
    return render(request, template, context)


def touch_home(request: HttpRequest) -> HttpResponse:
    center, chooser = _center_or_chooser(request)
    if chooser:
        return chooser
    departments = selectors.departments_with_items(center).annotate(item_count=Count("items"))
    return _touch(
        request,
        "catalog/touch_home.html",
        {
            "center": center,
            "departments": departments,
            "quick_items": selectors.items_public(center=center).filter(
                published__is_immediate=True, published__handled_here=True
            )[:8],
            "hours": _hours_text(center),
            "extended_hours": schedule_lines(center),
        },
    )


def touch_department(request: HttpRequest, code: str) -> HttpResponse:
    center, chooser = _center_or_chooser(request)
    if chooser:
        return chooser
    try:
        department = selectors.department_by_code(code, center=center)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    return _touch(
        request,
        "catalog/touch_department.html",
        {
            "center": center,
            "department": department,
            "items": selectors.items_public(center=center, department=department),
        },
    )


def touch_item(request: HttpRequest, code: str) -> HttpResponse:
    obj = _item_or_404(code)
    return _touch(
        request,
        "catalog/touch_item.html",
        {
            "center": obj.center,
            "item": obj,
            "guide": obj.published,
            "materials": selectors.guide_materials(obj.published),
            "qr_svg": segno.make(guide_url(obj), error="m").svg_data_uri(scale=4),
        },
    )


def material_file(request: HttpRequest, material_id: int, field: str) -> FileResponse:
    """A published guide's blank form or sample, always as a download (27.11)."""
    if field not in ("blank_form", "sample"):
        raise Http404("文件不存在")
    material = selectors.material_published(material_id)
    stored = getattr(material, field) if material is not None else None
    if not stored:
        raise Http404("文件不存在")
    extension = os.path.splitext(stored.name)[1].lower().lstrip(".")
    content_type = CONTENT_TYPES.get(extension)
    if content_type is None:  # stored before the allow-list: not served
        raise Http404("文件不存在")
    label = "空白表格" if field == "blank_form" else "示例样表"
    response = FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=f"{material.name}-{label}.{extension}",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
