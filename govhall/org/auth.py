"""Staff sign-in with a progressive delay per account.

The whole hall shares one public IP, so failures are counted per account, never per IP.
The first LOGIN_FREE_FAILURES wrong passwords in a row cost nothing; each further one
makes the account refuse every attempt (even the right password) for a growing while:
LOGIN_DELAY_SECONDS, doubled per further failure, at most LOGIN_DELAY_MAX_SECONDS. The
delay is stored as "refused until T" (`User.locked_until`) and checked against now, so an
outsider can hold an account back by at most that maximum, never lock it for long; attempts
refused during a delay are not counted and do not extend it. A successful sign-in resets
the count; a manager or admin can lift a delay (services.user_unlock, audited).

Every refusal answers the same (unknown name, wrong password, delayed account) and costs
one password hash, so neither the message nor the timing tells whether a name exists.
Sign-ins, failures, delays and sign-outs are written to the audit chain.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models import F, Q
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from govhall.core.audit import log_action
from govhall.org.models import User


def _find(username: str | None) -> User | None:
    if not username:
        return None
    return User.objects.filter(username=username).first()


def login_delay(failures: int) -> dt.timedelta:
    """How long an account refuses attempts after `failures` wrong passwords in a row."""
    extra = failures - settings.LOGIN_FREE_FAILURES
    if extra <= 0:
        return dt.timedelta(0)
    seconds = settings.LOGIN_DELAY_SECONDS * 2 ** min(extra - 1, 30)
    return dt.timedelta(seconds=min(seconds, settings.LOGIN_DELAY_MAX_SECONDS))


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
            # As long as a real check, like ModelBackend does for unknown names.
            User().set_password(password)
            if request is not None:
                request.govhall_delayed = True
            return None
        result = super().authenticate(request, username=username, password=password, **kwargs)
        if result is not None and (result.failed_logins or result.locked_until):
            User.objects.filter(pk=result.pk).update(failed_logins=0, locked_until=None)
            result.failed_logins, result.locked_until = 0, None
        return result


def register_failure(user: User, *, now: dt.datetime) -> dt.datetime | None:
    """Count one wrong password; returns the end of the delay it starts, if any."""
    User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
    failures = User.objects.filter(pk=user.pk).values_list("failed_logins", flat=True).get()
    delay = login_delay(failures)
    if not delay:
        return None
    until = now + delay
    # Concurrent failures: the delay only ever moves later.
    User.objects.filter(pk=user.pk).filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=until)
    ).update(locked_until=until)
    return until


@receiver(user_login_failed)
def count_failure(
    sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    now = timezone.now()
    user = _find(credentials.get("username"))
    delayed = request is not None and getattr(request, "govhall_delayed", False)
    with transaction.atomic():
        if user is None:
            # The name typed is not recorded: it may be a password typed in the wrong box.
            log_action(
                actor=None, action="govhall.org.login.failed", data={"known": False}, now=now
            )
            return
        if delayed:
            # Refused during a delay: not counted, the delay is not extended.
            log_action(actor=None, action="govhall.org.login.refused", obj=user, now=now)
            return
        until = register_failure(user, now=now)
        failures = User.objects.filter(pk=user.pk).values_list("failed_logins", flat=True).get()
        log_action(
            actor=None,
            action="govhall.org.login.failed",
            obj=user,
            data={"known": True, "failures": failures},
            now=now,
        )
        if until is not None:
            log_action(
                actor=None,
                action="govhall.org.login.delayed",
                obj=user,
                data={"failures": failures, "until": until},
                now=now,
            )


@receiver(user_logged_in)
def record_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    with transaction.atomic():
        log_action(actor=user, action="govhall.org.login.succeeded", obj=user)


@receiver(user_logged_out)
def record_logout(
    sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    if user is None:
        return
    with transaction.atomic():
        log_action(actor=user, action="govhall.org.logout", obj=user)
