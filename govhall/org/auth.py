"""Staff sign-in with per-account lockout.

The whole hall shares one public IP, so failures are counted per account, never per IP:
after LOGIN_MAX_FAILURES wrong passwords in a row the account is locked for
LOGIN_LOCK_MINUTES, and even the right password is refused until then. A successful
sign-in resets the count.

The backend leaves `request.govhall_locked_until` set when the attempt was refused because
of a lock (also on the attempt that triggered it), so the login form can say until when.
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


def _find(username: str | None) -> User | None:
    if not username:
        return None
    return User.objects.filter(username=username).first()


class LockoutModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        now = timezone.now()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        user = _find(username)
        if user is not None and user.is_locked(now):
            if request is not None:
                request.govhall_locked_until = user.locked_until
            return None
        result = super().authenticate(request, username=username, password=password, **kwargs)
        if result is not None and (result.failed_logins or result.locked_until):
            User.objects.filter(pk=result.pk).update(failed_logins=0, locked_until=None)
            result.failed_logins, result.locked_until = 0, None
        return result


def register_failure(user: User, *, now: dt.datetime) -> dt.datetime | None:
    """Count one wrong password; lock the account at the limit. Returns the lock end if
    this failure locked it."""
    User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
    until = now + dt.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    # Conditional update: of concurrent failures only the one crossing the limit locks.
    locked = User.objects.filter(pk=user.pk, failed_logins__gte=settings.LOGIN_MAX_FAILURES).update(
        locked_until=until, failed_logins=0
    )
    return until if locked else None


@receiver(user_login_failed)
def count_failure(
    sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    now = timezone.now()
    user = _find(credentials.get("username"))
    # Unknown names are not counted (nothing to lock); attempts during a lock do not extend it.
    if user is None or user.is_locked(now):
        return
    until = register_failure(user, now=now)
    if until is not None and request is not None:
        request.govhall_locked_until = until
