from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router, Schema

from govhall.catalog import selectors
from govhall.catalog.models import Material, ServiceItem
from govhall.catalog.notice import render_notice
from govhall.core.api import paginate

router = Router(tags=["事项目录"])


class ItemQuery(Schema):
    q: str = ""
    center: str = ""
    department: str = ""
    page: int = 1
    page_size: int = 20


class DepartmentOut(Schema):
    code: str
    name: str


class ItemOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    department: DepartmentOut
    promised_limit_days: int
    is_immediate: bool
    online_available: bool
    appointment_available: bool
    url: str


class ItemPage(Schema):
    count: int
    results: list[ItemOut]


class MaterialOut(Schema):
    id: int
    name: str
    required: bool
    form: str
    form_label: str
    copies: int
    original_required: bool
    source: str
    notes: str
    blank_form_url: str | None
    sample_url: str | None


class FeesOut(Schema):
    required: bool
    amount: Decimal
    basis: str


class WhereOut(Schema):
    handled_here: bool
    window_kind: str
    window_kind_label: str
    zone: str | None
    outside_place: str
    outside_address: str
    outside_hours: str
    outside_phone: str
    outside_path: str
    preceding_steps: str
    following_steps: str
    preceding_items: list[dict[str, str]]
    following_items: list[dict[str, str]]


class GuideOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    center: str
    department: DepartmentOut
    basis: str
    conditions: str
    procedure: str
    materials: list[MaterialOut]
    acceptance_limit_days: int
    legal_limit_days: int
    promised_limit_days: int
    is_immediate: bool
    correction_limit_days: int
    fees: FeesOut
    where: WhereOut
    online_available: bool
    online_url: str
    self_service_available: bool
    appointment_available: bool
    mail_delivery_available: bool
    max_visits: int
    result_type: str
    result_type_label: str
    result_name: str
    consultation_phone: str
    complaint_phone: str
    version: int
    published_at: dt.datetime | None
    url: str
    notice_pdf_url: str


def _item_out(item: ServiceItem, request: HttpRequest) -> dict:
    g = item.published
    return {
        "code": item.code,
        "name": item.name,
        "kind": item.kind,
        "kind_label": item.get_kind_display(),
        "department": {"code": item.department.code, "name": item.department.name},
        "promised_limit_days": g.promised_limit_days,
        "is_immediate": g.is_immediate,
        "online_available": g.online_available,
        "appointment_available": g.appointment_available,
        "url": request.build_absolute_uri(reverse("catalog:item", args=[item.code])),
    }


def _file_url(request: HttpRequest, material: Material, field: str) -> str | None:
    if not getattr(material, field):
        return None
    return request.build_absolute_uri(reverse("catalog:material_file", args=[material.pk, field]))


@router.get("/items", response=ItemPage, auth=None, summary="事项目录（中文检索、按中心/部门筛选）")
def items_list(request: HttpRequest, filters: Query[ItemQuery]) -> dict:
    center = selectors.center_by_code(filters.center)
    department = selectors.department_by_code(filters.department, center=center)
    found = selectors.items_public(q=filters.q, center=center, department=department)
    count, page = paginate(found, filters.page, filters.page_size)
    return {"count": count, "results": [_item_out(i, request) for i in page]}


@router.get("/items/{code}", response=GuideOut, auth=None, summary="事项的现行办事指南")
def item_detail(request: HttpRequest, code: str) -> dict:
    item = selectors.item_public(code)
    g = item.published
    return {
        **_item_out(item, request),
        "center": item.center.name,
        "basis": g.basis,
        "conditions": g.conditions,
        "procedure": g.procedure,
        "materials": [
            {
                "id": m.pk,
                "name": m.name,
                "required": m.required,
                "form": m.form,
                "form_label": m.get_form_display(),
                "copies": m.copies,
                "original_required": m.original_required,
                "source": m.source,
                "notes": m.notes,
                "blank_form_url": _file_url(request, m, "blank_form"),
                "sample_url": _file_url(request, m, "sample"),
            }
            for m in selectors.guide_materials(g)
        ],
        "acceptance_limit_days": g.acceptance_limit_days,
        "legal_limit_days": g.legal_limit_days,
        "correction_limit_days": g.correction_limit_days,
        "fees": {"required": g.fee_required, "amount": g.fee_amount, "basis": g.fee_basis},
        "where": {
            "handled_here": g.handled_here,
            "window_kind": g.window_kind,
            "window_kind_label": g.get_window_kind_display(),
            "zone": str(g.zone) if g.zone_id else None,
            "outside_place": g.outside_place,
            "outside_address": g.outside_address,
            "outside_hours": g.outside_hours,
            "outside_phone": g.outside_phone,
            "outside_path": g.outside_path,
            "preceding_steps": g.preceding_steps,
            "following_steps": g.following_steps,
            "preceding_items": [{"code": i.code, "name": i.name} for i in g.preceding_items.all()],
            "following_items": [{"code": i.code, "name": i.name} for i in g.following_items.all()],
        },
        "online_url": g.online_url,
        "self_service_available": g.self_service_available,
        "mail_delivery_available": g.mail_delivery_available,
        "max_visits": g.max_visits,
        "result_type": g.result_type,
        "result_type_label": g.get_result_type_display(),
        "result_name": g.result_name,
        "consultation_phone": g.consultation_phone,
        "complaint_phone": g.complaint_phone,
        "version": g.version,
        "published_at": g.published_at,
        "notice_pdf_url": request.build_absolute_uri(
            reverse("catalog:item_notice", args=[item.code])
        ),
    }


@router.get("/items/{code}/notice.pdf", auth=None, summary="一次性告知单（PDF）")
def item_notice(request: HttpRequest, code: str) -> HttpResponse:
    item = selectors.item_public(code)
    return notice_response(item)


def notice_response(item: ServiceItem, *, attachment: bool = False) -> HttpResponse:
    response = HttpResponse(render_notice(item), content_type="application/pdf")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="notice-{item.code}.pdf"'
    return response
