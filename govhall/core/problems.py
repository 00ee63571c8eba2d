"""problem+json: the one shape of every API error, and the handlers that map each kind of
exception to it (installed on the NinjaAPI by govhall/api.py)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from govhall.core.errors import DomainError

logger = logging.getLogger("govhall.core.api")

PROBLEM_CONTENT_TYPE = "application/problem+json"
STATUS_TITLES = {
    400: "请求有误",
    401: "未登录或令牌无效",
    403: "无权执行此操作",
    404: "未找到",
    405: "不支持的请求方法",
    409: "当前状态不允许此操作",
    413: "请求内容过大",
    422: "提交的内容有误",
    429: "请求过于频繁",
    500: "服务器内部错误",
    503: "服务暂不可用",
}

# Chinese messages for pydantic/ninja error types; unknown types fall back to a generic text.
_PYDANTIC_MESSAGES = {
    "missing": "此项为必填项",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为是或否（true/false）",
    "bool_type": "应为是或否（true/false）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_type": "应为日期（YYYY-MM-DD）",
    "datetime_parsing": "应为时间（ISO 8601）",
    "datetime_from_date_parsing": "应为时间（ISO 8601）",
    "datetime_type": "应为时间（ISO 8601）",
    "string_too_short": "内容过短",
    "string_too_long": "内容过长",
    "too_short": "条目过少",
    "too_long": "条目过多",
    "greater_than_equal": "数值过小",
    "greater_than": "数值过小",
    "less_than_equal": "数值过大",
    "less_than": "数值过大",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "json_invalid": "请求体不是合法的 JSON",
    "string_pattern_mismatch": "格式不正确",
    "uuid_parsing": "应为 UUID",
    "value_error": "取值不正确",
    "extra_forbidden": "不允许的字段",
}


def problem(
    status: int,
    detail: str,
    *,
    code: str,
    errors: list[dict[str, str]] | None = None,
    title: str | None = None,
) -> JsonResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": title or STATUS_TITLES.get(status, "错误"),
        "status": status,
        "detail": detail,
        "code": code,
        "errors": errors or [],
    }
    return JsonResponse(
        body,
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


def _field_of(loc: tuple | list) -> str:
    # Drop the ninja parameter-source prefixes ('body', 'query', 'payload', 'path', …).
    parts = [str(p) for p in loc]
    while parts and parts[0] in {"body", "query", "path", "header", "form", "file", "cookie"}:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in {"payload", "data", "filters", "params"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _message_of(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "value_error":
        # Our own validators raise ValueError with a Chinese message; pydantic prefixes it.
        msg = str(error.get("msg", ""))
        return msg.removeprefix("Value error, ") or _PYDANTIC_MESSAGES["value_error"]
    return _PYDANTIC_MESSAGES.get(kind, "取值不正确")


def validation_problem(errors: list[dict[str, Any]]) -> JsonResponse:
    items = [{"field": _field_of(e.get("loc", ())), "message": _message_of(e)} for e in errors]
    detail = "；".join(f"{i['field']}：{i['message']}" for i in items) or "提交的内容有误"
    return problem(422, f"提交的内容有误：{detail}", code="invalid_input", errors=items)


def install_error_handlers(api: Any) -> None:
    """problem+json for every error raised in an API view. Errors Django answers before or
    around a view (CSRF, unknown paths, wrong methods) are converted by core.edge."""

    @api.exception_handler(DomainError)
    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        response = problem(exc.status, exc.message, code=exc.code, errors=exc.errors)
        if getattr(exc, "retry_after", None):
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(NinjaValidationError)
    def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return validation_problem(list(exc.errors))

    @api.exception_handler(DjangoValidationError)
    def on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            items = [
                {"field": field, "message": str(m)}
                for field, msgs in exc.message_dict.items()
                for m in msgs
            ]
        else:
            items = [{"field": "body", "message": str(m)} for m in exc.messages]
        detail = "；".join(f"{i['field']}：{i['message']}" for i in items)
        return problem(422, f"提交的内容有误：{detail}", code="invalid_input", errors=items)

    @api.exception_handler(AuthenticationError)
    def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem(
            401, "请先登录，或在 Authorization 头中提供有效的 Bearer 令牌。", code="unauthenticated"
        )

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 403:
            return problem(403, "请求被拒绝（CSRF 校验失败或无权限）。", code="forbidden")
        if exc.status_code == 400:
            # ninja's own 400s are unparseable bodies; its message is English.
            return problem(
                400,
                "请求内容无法解析，请提交合法的 JSON。",
                code="malformed_body",
                errors=[{"field": "body", "message": "不是合法的 JSON"}],
            )
        detail = STATUS_TITLES.get(exc.status_code, "请求失败") + "。"
        return problem(exc.status_code, detail, code=f"http_{exc.status_code}")

    @api.exception_handler(PermissionDenied)
    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return problem(403, _chinese_or(str(exc), "无权执行此操作。"), code="forbidden")

    @api.exception_handler(Http404)
    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(404, _chinese_or(str(exc), "未找到请求的对象。"), code="not_found")

    @api.exception_handler(ObjectDoesNotExist)
    def on_does_not_exist(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
        return problem(404, "未找到请求的对象。", code="not_found")

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return problem(
            413,
            "请求内容过大。",
            code="request_too_large",
            errors=[{"field": "body", "message": "请求内容过大"}],
        )

    @api.exception_handler(Exception)
    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("unhandled API error on %s %s", request.method, request.path)
        return problem(500, "服务器内部错误，请稍后重试或联系管理员。", code="server_error")


def _chinese_or(message: str, fallback: str) -> str:
    # Django's own 404/403 messages are English; people get a Chinese one.
    return message if any("\u4e00" <= c <= "\u9fff" for c in message) else fallback
