"""Staff sign-in with per-account lockout.

The whole hall shares one public IP, so failures are counted per account, never per IP:
after LOGIN_MAX_FAILURES wrong passwords in a row the account is locked for
LOGIN_LOCK_MINUTES, and even the right password is refused until then.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_login_failed
from django.db.models import F
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from govhall.org.models import User


class AccountLocked(Exception):
    pass


class LockoutModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        now = timezone.now()
        user = User.objects.filter(username=username).first() if username else None
        if user is not None and user.is_locked(now):
            if request is not None:
                request.govhall_locked_until = user.locked_until
            return None
        result = super().authenticate(request, username=username, password=password, **kwargs)
        if result is not None and (result.failed_logins or result.locked_until):
            User.objects.filter(pk=result.pk).update(failed_logins=0, locked_until=None)
        return result


@receiver(user_login_failed)
def count_failure(
    sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = credentials.get("username")
    if not username:
        return
    now = timezone.now()
    user = User.objects.filter(username=username).first()
    if user is None or user.is_locked(now):
        return
    User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
    user.refresh_from_db(fields=["failed_logins"])
    if user.failed_logins >= settings.LOGIN_MAX_FAILURES:
        User.objects.filter(pk=user.pk).update(
            locked_until=now + dt.timedelta(minutes=settings.LOGIN_LOCK_MINUTES), failed_logins=0
        )
