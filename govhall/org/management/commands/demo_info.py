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

# Hall devices and counters of the other apps; listed only where this build serves them.
HALL_PAGES = [
    ("/touch/", "办事指南触摸屏"),
    ("/kiosk/?center={center}", "自助取号机"),
    ("/booking/checkin/?kiosk=1", "预约签到（自助机）"),
    ("/board/{center}/", "叫号显示屏"),
    ("/booking/", "网上预约"),
    ("/guide/", "导服台取号"),
    ("/window/", "窗口叫号台"),
    ("/window/alerts/", "空窗告警"),
    ("/appointments/", "预约管理"),
    ("/notifications/calls/", "电话通知任务"),
]


def _hall_urls(center_code: str) -> list[tuple[str, str]]:
    from django.urls import Resolver404, resolve

    found = []
    for template, label in HALL_PAGES:
        path = template.format(center=center_code)
        try:
            resolve(path.split("?")[0])
        except Resolver404:
            continue
        found.append((path, label))
    return found


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
        for path, label in PAGES + _hall_urls(DEMO_CENTER):
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
