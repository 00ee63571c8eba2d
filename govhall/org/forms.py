"""Staff sign-in form that tells a locked account until when it is locked."""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone


class StaffAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "用户名或密码不正确。连续输错%(max)d次，账号将被锁定%(minutes)d分钟。",
        "locked": "账号已锁定，请于%(until)s后再试。",
    }

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            until = getattr(self.request, "govhall_locked_until", None)
            if until is not None:
                raise ValidationError(
                    self.error_messages["locked"],
                    code="locked",
                    params={"until": timezone.localtime(until).strftime("%H:%M")},
                ) from None
            raise

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
