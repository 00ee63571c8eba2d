"""Devices in the hall (kiosks, check-in terminals) signed in with their API token.

A kiosk is a browser: its operator opens /device/ once and enters the device account's API
token (`manage.py create_api_token <device account>`); the page keeps it in a signed,
HttpOnly cookie (a POST, so the token never lands in a URL or the access log). Every page
the kiosk then opens is sent by that device: `device_user` checks the token as the API
does, so revoking or expiring it ends the device's sign-in at once. Rate limits of the
anonymous channels do not count a signed-in device (a hall shares one public address).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

COOKIE = "govhall_device"
SALT = "govhall.core.devices"
MAX_AGE = 400 * 24 * 3600  # browsers cap cookies at about 400 days


def _token_user(request: HttpRequest, token: str) -> Any:
    from govhall.core.api import BearerTokenAuth

    current = getattr(request, "user", None)
    user = BearerTokenAuth().token_account(request, token, check_routes=False)
    if current is not None:
        request.user = current  # checking a token does not sign the page in as its account
    return user if user is not None and user.is_device else None


def device_user(request: HttpRequest) -> Any:
    """The device account whose valid token this browser holds, else None."""
    token = request.get_signed_cookie(COOKIE, default=None, salt=SALT)
    return _token_user(request, token) if token else None


@require_http_methods(["GET", "POST"])
def device_sign_in(request: HttpRequest) -> HttpResponse:
    """/device/: sign this browser in as a hall device (or out, with `forget`)."""
    error = ""
    if request.method == "POST":
        if request.POST.get("forget"):
            response = redirect("core:device")
            response.delete_cookie(COOKIE)
            return response
        token = request.POST.get("token", "").strip()
        if token and _token_user(request, token) is not None:
            target = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "core:device"
            response = redirect(target or "core:device")
            response.set_signed_cookie(
                COOKIE,
                token,
                salt=SALT,
                max_age=MAX_AGE,
                httponly=True,
                secure=request.is_secure(),
                samesite="Lax",
            )
            return response
        error = "令牌无效、已过期或不是设备账号的令牌。"
    return render(
        request,
        "core/device.html",
        {"device": device_user(request), "error": error, "next": request.GET.get("next", "")},
        status=422 if error else 200,
    )
