"""Test helpers shared by every app's tests (not used by production code)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> dt.datetime:
    """A moment in the center's time zone: at(2026, 2, 13, 10, 30)."""
    return dt.datetime(*args, tzinfo=SHANGHAI)


def plain_http_settings(settings: Any, *, media_root: Any = None) -> None:
    """DEBUG is off under pytest: no HTTPS redirect for the test client, and templates must
    render without a collectstatic manifest."""
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if media_root is not None:
        settings.MEDIA_ROOT = media_root


def reload_live_server_middleware(live_server: Any) -> None:
    """The session-wide live server built its middleware with the settings of its time
    (SecurityMiddleware reads SECURE_SSL_REDIRECT once); rebuild it after changing them."""
    handler = live_server.thread.httpd.get_app()
    while hasattr(handler, "application"):  # static/media wrappers around the WSGIHandler
        handler = handler.application
    handler.load_middleware()
