"""Small factories for tests of every app (not used by production code)."""

from __future__ import annotations

from typing import Any

from govhall.org.models import Center, Department, RoleAssignment, User, Window, Zone

TEST_PASSWORD = "Test-Passw0rd!"


def make_center(
    code: str = "230000-T",
    name: str = "测试县政务服务中心",
    *,
    level: str = Center.Level.COUNTY,
    parent: Center | None = None,
    **extra,
) -> Center:
    center, _ = Center.objects.get_or_create(
        code=code,
        defaults={"name": name, "level": level, "parent": parent, "short_name": name[:2], **extra},
    )
    return center


def make_department(
    center: Center, code: str = "SCJG", name: str = "市场监督管理局", **extra
) -> Department:
    department, _ = Department.objects.get_or_create(
        center=center, code=code, defaults={"name": name, "short_name": name[:2], **extra}
    )
    return department


def make_zone(
    center: Center, code: str = "Z1", name: str = "一楼等候区", kind: str = Zone.Kind.WAITING
) -> Zone:
    zone, _ = Zone.objects.get_or_create(
        center=center, code=code, defaults={"name": name, "kind": kind}
    )
    return zone


def make_window(
    center: Center,
    number: str = "1",
    kind: str = Window.Kind.GENERAL,
    *,
    zone: Zone | None = None,
    department: Department | None = None,
) -> Window:
    window, _ = Window.objects.get_or_create(
        center=center,
        number=number,
        defaults={"kind": kind, "zone": zone, "department": department},
    )
    return window


def make_user(
    username: str,
    *roles: tuple,
    display_name: str = "",
    superuser: bool = False,
    password: str = TEST_PASSWORD,
    **extra,
) -> User:
    """make_user("clerk1", ("clerk", center), ("approver", center, department))."""
    user = User.objects.filter(username=username).first()
    if user is None:
        factory = User.objects.create_superuser if superuser else User.objects.create_user
        user = factory(
            username=username, password=password, display_name=display_name or username, **extra
        )
    for spec in roles:
        role, center, *rest = spec
        RoleAssignment.objects.get_or_create(
            user=user, role=role, center=center, department=rest[0] if rest else None
        )
    return user


def log_in_browser(user: User, base_url: str, *contexts: Any) -> None:
    """Give Playwright browser contexts the session of `user`, without the login form."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    session = client.cookies[name].value
    for context in contexts:
        context.add_cookies([{"name": name, "value": session, "url": base_url}])
