"""Fixtures for queue tests: one center with categories A (primary of window 1), B, C."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from govhall.org.testing import make_center, make_user, make_window, make_zone
from govhall.queueing.models import TicketCategory, WindowSkill

TZ = ZoneInfo("Asia/Shanghai")
# Friday 13 Feb 2026, 10:00 — a working day before the Spring Festival holiday.
WORKDAY_10 = dt.datetime(2026, 2, 13, 10, 0, tzinfo=TZ)


WORKDAY = WORKDAY_10.date()


def at(hour: int, minute: int = 0, day: dt.date = WORKDAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def make_queue(code: str = "QT-1") -> SimpleNamespace:
    center = make_center(code, "测试县政务服务中心")
    zone = make_zone(center, "A", "一楼A区等候区")
    cats = {
        letter: TicketCategory.objects.get_or_create(
            center=center, letter=letter, defaults={"name": name, "zone": zone, "order": i}
        )[0]
        for i, (letter, name) in enumerate([("A", "综合业务"), ("B", "不动产登记"), ("C", "税务")])
    }
    w1 = make_window(center, "1", zone=zone)
    w2 = make_window(center, "2", zone=zone)
    w3 = make_window(center, "3", zone=zone)
    # w1: A primary, B; w2: B primary, A; w3: C only.
    for window, letters in ((w1, "AB"), (w2, "BA"), (w3, "C")):
        for order, letter in enumerate(letters):
            WindowSkill.objects.get_or_create(
                window=window,
                category=cats[letter],
                defaults={"is_primary": order == 0, "order": order},
            )
    clerk1 = make_user(f"{code}-clerk1", ("clerk", center), home_window=w1)
    clerk2 = make_user(f"{code}-clerk2", ("clerk", center), home_window=w2)
    clerk3 = make_user(f"{code}-clerk3", ("clerk", center), home_window=w3)
    manager = make_user(f"{code}-manager", ("manager", center))
    guide = make_user(f"{code}-guide", ("guide", center))
    return SimpleNamespace(
        center=center,
        zone=zone,
        cats=cats,
        w1=w1,
        w2=w2,
        w3=w3,
        clerk1=clerk1,
        clerk2=clerk2,
        clerk3=clerk3,
        manager=manager,
        guide=guide,
    )


def add_self_service_item(q: SimpleNamespace):
    """An item of category A that can be done at the self-service terminal and online."""
    from govhall.catalog.testing import make_item
    from govhall.org.testing import make_department

    make_zone(q.center, "SELF", "自助服务区", kind="self_service")
    dept = make_department(q.center, "SCJG", "市场监督管理局")
    item = make_item(
        q.center,
        dept,
        "QT-SS-1",
        "营业执照打印",
        self_service_available=True,
        online_available=True,
        online_url="https://zwfw.example.gov.cn/yyzz",
    )
    q.cats["A"].items.add(item)
    return item


@pytest.fixture
def q(db):
    return make_queue()


@pytest.fixture
def opening_hours():
    """The clock inside opening hours (the kiosk issues nothing outside them)."""
    import time_machine

    with time_machine.travel(WORKDAY_10, tick=True):
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Test accounts only: PBKDF2 at full strength costs ~0.3 s per user created.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests speak plain HTTP to the test client and live server.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


_MIDDLEWARE_ATTRS = (
    "_view_middleware",
    "_template_response_middleware",
    "_exception_middleware",
    "_middleware_chain",
)


@pytest.fixture
def plain_live_server(live_server):
    """The session-wide live server built its middleware before our settings fixture ran
    (SecurityMiddleware reads SECURE_SSL_REDIRECT once); rebuild it for plain HTTP and put
    the original chain back afterwards, so other apps' tests see the server unchanged."""
    handlers, node = [], live_server.thread.httpd.get_app()
    while node is not None:
        if hasattr(node, "load_middleware"):
            handlers.append((node, {a: getattr(node, a, None) for a in _MIDDLEWARE_ATTRS}))
            node.load_middleware()
        node = getattr(node, "application", None)
    yield live_server
    for node, saved in handlers:
        for attr, value in saved.items():
            setattr(node, attr, value)


@pytest.fixture(autouse=True)
def _clear_cache(request, monkeypatch):
    # Board payloads and wait-estimate inputs are cached by ids that tests reuse; the
    # per-process board version is re-read on every poll in tests that call the API twice
    # in the same instant (tests/test_api.py checks the short-lived version cache on its
    # own). The kiosk → board browser tests keep the production value: the board's "within
    # a second" is measured with the cache as it runs.
    from django.core.cache import cache

    from govhall.queueing import api_board as api

    cache.clear()
    api._versions.clear()
    if request.node.path.name != "test_browser.py":
        monkeypatch.setattr(api, "BOARD_VERSION_TTL", 0)
    yield
    cache.clear()
    api._versions.clear()
