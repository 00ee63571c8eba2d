"""A test-only API that raises every kind of error the real endpoints may raise."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import path
from ninja import NinjaAPI, Schema

from govhall.core import errors
from govhall.core.api import STAFF_AUTH, install_error_handlers

api = NinjaAPI(urls_namespace="test_errors_api", auth=STAFF_AUTH, docs_url=None)
install_error_handlers(api)

RAISES = {
    "domain": errors.DomainError("业务规则不允许。"),
    "invalid": errors.InvalidInput("身份证号码不正确。", field="id_number"),
    "not_found": errors.NotFound("办件不存在。"),
    "forbidden": errors.Forbidden("无权查看此办件。"),
    "conflict": errors.Conflict("号码已被占用。"),
    "transition": errors.InvalidTransition("已办结的办件不能再受理。"),
    "django_validation": ValidationError({"phone": ["手机号码应为11位中国大陆手机号。"]}),
    "http404": Http404("No Case matches the given query."),
    "permission": PermissionDenied(),
    "boom": RuntimeError("unexpected"),
}


@api.get("/raise/{kind}", auth=None)
def raise_kind(request, kind: str):
    raise RAISES[kind]


class Person(Schema):
    name: str
    age: int


@api.post("/people", auth=None)
def people(request, payload: Person):
    return {"name": payload.name}


@api.get("/staff-only")
def staff_only(request):
    return {"user": request.user.username}


urlpatterns = [path("api/v1/", api.urls)]
