"""The one application error type, mapped to HTTP in one place (govhall.core.api)."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain was broken. `message` is Chinese, for people; `code` is stable."""

    status = 400
    code = "domain_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.errors = list(errors or [])
        if field:
            self.errors.append({"field": field, "message": message})


class InvalidInput(DomainError):
    status = 422
    code = "invalid_input"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"
