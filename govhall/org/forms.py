"""Staff sign-in form that tells a locked account until when it is locked."""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone


class LockAwareMixin:
    """Replace the generic refusal by the lock end when the backend refused a locked
    account (`request.govhall_locked_until`)."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError as exc:
            until = getattr(self.request, "govhall_locked_until", None)
            if until is None:
                raise
            raise ValidationError(
                "账号已锁定，请于%(until)s后再试。",
                code="locked",
                params={"until": timezone.localtime(until).strftime("%H:%M")},
            ) from exc


class StaffAdminAuthenticationForm(LockAwareMixin, AdminAuthenticationForm):
    pass


class StaffAuthenticationForm(LockAwareMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "用户名或密码不正确。连续输错%(max)d次，账号将被锁定%(minutes)d分钟。",
    }

    def get_invalid_login_error(self) -> ValidationError:
        from django.conf import settings

        return ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={
                "max": settings.LOGIN_MAX_FAILURES,
                "minutes": settings.LOGIN_LOCK_MINUTES,
            },
        )
