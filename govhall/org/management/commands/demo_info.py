"""Printed by scripts/run.sh before the server starts: where things are, and (only when the
demo data is loaded) the demo accounts and their password."""

from django.core.management.base import BaseCommand

from govhall.org.demo import ACCOUNTS, DEMO_CENTER, DEVICE_NAMES, demo_loaded, demo_password
from govhall.org.models import Department, Role

PAGES = [
    ("/", "公众门户（办事指南、事项目录）"),
    ("/staff/", "工作人员工作台"),
    ("/staff/login/", "工作人员登录"),
    ("/admin/", "管理后台"),
    ("/api/v1/docs", "API 文档（OpenAPI）"),
    ("/api/v1/health", "存活检查"),
    ("/api/v1/ready", "就绪检查"),
]

# Device and kiosk pages of other apps are found in the URL configuration (whatever their
# paths in this build); a center parameter is filled with the demo center's code.
DEVICE_WORDS = {"board": "叫号显示屏", "display": "叫号显示屏", "kiosk": "自助终端/触摸屏"}


def _walk(patterns, prefix=""):
    from django.urls import URLPattern, URLResolver

    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            if not route.startswith(("admin", "api/")):
                yield from _walk(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route


def _device_urls() -> list[tuple[str, str]]:
    import re

    from django.urls import get_resolver

    found = []
    for route in _walk(get_resolver().url_patterns):
        label = next((v for k, v in DEVICE_WORDS.items() if k in route), None)
        if label is None or route.startswith("^"):
            continue
        path = "/" + re.sub(r"<(?:\w+:)?\w+>", "HL-239901", route)
        found.append((path, label))
    return found[:8]


def _pad(text: str, width: int) -> str:
    """Pad to a display width: CJK characters take two columns in a terminal."""
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - used)


class Command(BaseCommand):
    help = "显示访问地址；已载入演示数据时，同时显示演示账号和密码。"

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, **options):
        base = f"http://{options['host']}:{options['port']}"
        out = self.stdout.write
        out("=" * 64)
        out("govhall 政务服务中心 已启动，访问地址：")
        for path, label in PAGES + _device_urls():
            out(f"  {_pad(label, 24)}{base}{path}")
        if not demo_loaded():
            out("未载入演示数据（manage.py load_demo 可载入），因此没有演示账号。")
            out("=" * 64)
            return
        out("")
        out(f"演示账号（密码均为：{demo_password()}，首次登录后请修改）：")
        out(f"  {'admin':<16}超级管理员（全部中心）")
        labels = dict(Role.choices)
        departments = dict(
            Department.objects.filter(center__code=DEMO_CENTER).values_list("code", "name")
        )
        for username, name, _, _post, role, dept, window, _ in ACCOUNTS:
            name = name or DEVICE_NAMES.get(username, "")
            where = f"{window}号窗口" if window else departments.get(dept or "", "")
            desc = (
                f"{labels[role]}"
                + (f" · {name}" if name else "")
                + (f" · {where}" if where else "")
            )
            out(f"  {username:<16}{desc}")
        out("=" * 64)
