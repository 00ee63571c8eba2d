"""Public organisation endpoints: centers and the staff directory (6.2.1)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from govhall.core.api import paginate
from govhall.core.errors import InvalidInput, NotFound
from govhall.org import selectors_hours as hours
from govhall.org.models import Center, User
from govhall.org.selectors import center_get, centers_public, staff_department, staff_public

router = Router(tags=["组织机构"])


class CenterOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent: str | None


class CenterPage(Schema):
    count: int
    results: list[CenterOut]


class WindowRef(Schema):
    number: str
    name: str


class DepartmentRef(Schema):
    code: str
    name: str


class StaffOut(Schema):
    name: str
    photo_url: str | None
    badge_no: str
    post: str
    window: WindowRef | None
    department: DepartmentRef | None


class StaffPage(Schema):
    count: int
    results: list[StaffOut]


class CenterQuery(Schema):
    page: int = 1
    page_size: int = 20


class StaffQuery(Schema):
    center: str | None = None
    page: int = 1
    page_size: int = 20


def _center_out(center: Center) -> dict:
    return {
        "id": center.pk,
        "code": center.code,
        "name": center.name,
        "level": center.level,
        "parent": center.parent.code if center.parent_id else None,
    }


def _staff_out(request: HttpRequest, user: User, center: Center | None) -> dict:
    window = user.home_window if user.home_window_id else None
    department = staff_department(user, center)
    return {
        "name": user.display_name,
        "photo_url": request.build_absolute_uri(user.photo.url) if user.photo else None,
        "badge_no": user.badge_no,
        "post": user.post,
        "window": {"number": window.number, "name": window.name} if window else None,
        "department": {"code": department.code, "name": department.name} if department else None,
    }


@router.get("/centers", response=CenterPage, auth=None, summary="政务服务中心列表（树）")
def centers(request: HttpRequest, params: Query[CenterQuery]) -> dict:
    count, rows = paginate(centers_public(), params.page, params.page_size)
    return {"count": count, "results": [_center_out(c) for c in rows]}


@router.get(
    "/staff", response=StaffPage, auth=None, summary="工作人员公示（姓名、工号、岗位、窗口）"
)
def staff(request: HttpRequest, params: Query[StaffQuery]) -> dict:
    center = None
    if params.center is not None:
        center = center_get(code=params.center)
        if center is None:
            raise NotFound(f"未找到编码为“{params.center}”的中心。", field="center")
    count, rows = paginate(staff_public(center), params.page, params.page_size)
    return {"count": count, "results": [_staff_out(request, u, center) for u in rows]}


class ExtendedServiceOut(Schema):
    kind: str
    kind_label: str
    days: str
    days_label: str
    weekdays: str
    on_date: dt.date | None
    start: dt.time
    end: dt.time
    windows: list[str]
    zones: list[str]
    by_appointment: bool
    note: str
    text: str


class ExtendedSessionOut(Schema):
    start: dt.datetime
    end: dt.datetime
    kind: str
    windows: list[str]


class ExtendedHoursOut(Schema):
    center: str
    regular: str
    schedule: list[ExtendedServiceOut]
    date: dt.date
    sessions: list[ExtendedSessionOut]


class ExtendedHoursQuery(Schema):
    date: dt.date | None = None


@router.get(
    "/public/centers/{code}/extended-hours",
    response=ExtendedHoursOut,
    auth=None,
    summary="延时服务时段（6.7.4，公开）：午间、夜间、周末、预约延时，及某日的时段",
)
def extended_hours(request: HttpRequest, code: str, params: Query[ExtendedHoursQuery]) -> dict:
    center = center_get(code=code)
    if center is None:
        raise NotFound(f"未找到编码为“{code}”的中心。", field="code")
    services = hours.extended_services_of(center, published_only=True)
    day = params.date or timezone.localdate()
    if not dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):
        raise InvalidInput("日期须在 2000 年至 2100 年之间。", field="date")
    lines = hours.schedule_lines(center)
    return {
        "center": center.code,
        "regular": (
            f"法定工作日 {center.morning_open:%H:%M}—{center.morning_close:%H:%M}，"
            f"{center.afternoon_open:%H:%M}—{center.afternoon_close:%H:%M}"
        ),
        "schedule": [
            {
                "kind": s.kind,
                "kind_label": s.get_kind_display(),
                "days": s.days,
                "days_label": s.days_text(),
                "weekdays": s.weekdays,
                "on_date": s.on_date,
                "start": s.start,
                "end": s.end,
                "windows": [w.number for w in s.windows.all()],
                "zones": [z.name for z in s.zones.all()],
                "by_appointment": s.by_appointment,
                "note": s.note,
                "text": text,
            }
            for s, text in zip(services, lines, strict=True)
        ],
        "date": day,
        "sessions": [
            {
                "start": x.start,
                "end": x.end,
                "kind": x.service.kind,
                "windows": [w.number for w in x.service.windows.all()],
            }
            for x in hours.extended_hours_for(center, day, services=services)
        ],
    }
