"""Public organisation endpoints: centers and the staff directory (6.2.1)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema

from govhall.core.api import paginate
from govhall.core.errors import NotFound
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
