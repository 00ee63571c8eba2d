"""The request edge: odd input refused once, before any view, and every API error answered
as problem+json.

`EdgeMiddleware` sits near the top of MIDDLEWARE. It refuses, for every page and API path:
- a NUL character in the path, a query parameter or a form field (PostgreSQL cannot store
  it, and Django's forms are the only ones that check it);
- a path segment of digits beyond a 64-bit integer (no row has such an id: 404);
- a query parameter of digits beyond a 64-bit integer (the databases cannot compare it);
and for API writes (every body is JSON there): a body over DATA_UPLOAD_MAX_MEMORY_SIZE (413), and
in any string, key or number of the JSON document a NUL, a lone surrogate or an integer
beyond 64 bits (422 naming the field). Under /api/ every error response that is not
problem+json already (Django's CSRF page, a 404/405/500 page, ninja's plain-text 405) is
turned into one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import BadRequest, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from govhall.core.problems import PROBLEM_CONTENT_TYPE, STATUS_TITLES, problem

API_PREFIX = "/api/"
INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


class OddInput(Exception):
    def __init__(self, status: int, field: str, message: str) -> None:
        super().__init__(message)
        self.status, self.field, self.message = status, field, message


def _digits_beyond_int64(value: str) -> bool:
    digits = value.removeprefix("-")
    return digits.isascii() and digits.isdigit() and len(digits) >= 19 and int(digits) > INT64_MAX


def _check_text(field: str, value: str) -> None:
    if "\x00" in value:
        raise OddInput(422, field, "不能包含空字符（\\u0000）")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise OddInput(422, field, "含有无效的字符（单独的代理项）") from exc


def _walk(value: Any, field: str) -> Iterator[tuple[str, Any]]:
    yield field, value
    if isinstance(value, dict):
        for key, item in value.items():
            _check_text(f"{field}.{key}" if field else str(key), str(key))
            yield from _walk(item, f"{field}.{key}" if field else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{field}.{index}" if field else str(index))


def check_json(document: Any) -> None:
    """Refuse what no field of any schema may hold: NUL, lone surrogates, integers
    beyond 64 bits (raised as OddInput naming the field, dotted like pydantic's loc)."""
    for field, value in _walk(document, ""):
        name = field or "body"
        if isinstance(value, str):
            _check_text(name, value)
        elif isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
            raise OddInput(422, name, "数值超出范围")


def check_request(request: HttpRequest, *, is_api: bool) -> None:
    """Path, query and (pages) form fields: the checks every request gets."""
    if "\x00" in request.path:
        raise OddInput(400, "path", "路径不能包含空字符")
    for segment in request.path.split("/"):
        if _digits_beyond_int64(segment):
            raise OddInput(404, "path", "编号超出范围，不存在")
    for name, values in request.GET.lists():
        _check_text(name, name)
        for value in values:
            _check_text(name, value)
            if _digits_beyond_int64(value.strip()):
                raise OddInput(422, name, "数值超出范围")
    if not is_api and request.method in WRITE_METHODS and request.content_type in FORM_TYPES:
        try:
            form = request.POST
        except RequestDataTooBig as exc:
            raise OddInput(413, "body", "请求内容过大") from exc
        except MultiPartParserError as exc:
            raise OddInput(400, "body", "表单格式不正确") from exc
        for name, values in form.lists():
            _check_text(name, name)
            for value in values:
                _check_text(name, value)


def _check_api_body(request: HttpRequest) -> None:
    # No API operation takes a form or a file: ninja parses any body as JSON whatever its
    # Content-Type says, so every body is checked as JSON (and never parsed as a form).
    if request.method not in WRITE_METHODS:
        return
    try:
        body = request.body
    except RequestDataTooBig as exc:
        raise OddInput(413, "body", "请求内容过大") from exc
    if not body:
        return
    try:
        document = json.loads(body)
    except ValueError:
        return  # not JSON at all: ninja answers it (400 malformed_body)
    check_json(document)


def _odd_input_response(request: HttpRequest, exc: OddInput) -> HttpResponse:
    if not request.path.startswith(API_PREFIX):
        if exc.status == 404:
            raise Http404("未找到。")
        raise BadRequest(exc.message)
    codes = {400: "bad_request", 404: "not_found", 413: "request_too_large", 422: "invalid_input"}
    return problem(
        exc.status,
        f"{STATUS_TITLES.get(exc.status, '请求有误')}：{exc.field}：{exc.message}",
        code=codes.get(exc.status, "invalid_input"),
        errors=[{"field": exc.field, "message": exc.message}],
    )


_REPLACED = {
    403: ("请求被拒绝（CSRF 校验失败或无权限）。", "forbidden"),
    404: ("接口不存在。", "not_found"),
    405: ("此接口不支持该请求方法。", "method_not_allowed"),
    413: ("请求内容过大。", "request_too_large"),
    500: ("服务器内部错误，请稍后重试或联系管理员。", "server_error"),
}


def as_problem(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """An API error that is not JSON (Django's HTML pages, ninja's plain-text 405), as
    problem+json with the same status and the headers that matter (Allow, Retry-After).
    An endpoint's own JSON answer (the readiness probe's 503) is left as it is."""
    kind = response.get("Content-Type", "")
    if response.status_code < 400 or kind.startswith((PROBLEM_CONTENT_TYPE, "application/json")):
        return response
    status = response.status_code
    detail, code = _REPLACED.get(
        status, (STATUS_TITLES.get(status, "请求失败") + "。", f"http_{status}")
    )
    if response.status_code == 405:
        detail = f"此接口不支持 {request.method} 方法（可用：{response.get('Allow', '')}）。"
    converted = problem(status, detail, code=code)
    for header in ("Allow", "Retry-After"):
        if header in response:
            converted[header] = response[header]
    return converted


class EdgeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        is_api = request.path.startswith(API_PREFIX)
        try:
            check_request(request, is_api=is_api)
            if is_api:
                _check_api_body(request)
        except OddInput as exc:
            return _odd_input_response(request, exc)
        response = self.get_response(request)
        return as_problem(request, response) if is_api else response


@csrf_exempt  # nothing is done here: a POST to an unknown path gets 404, not the CSRF 403
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any path under the API that no endpoint claims: problem+json, never an HTML page."""
    return problem(404, f"接口不存在：{request.method} {request.path}", code="not_found")
