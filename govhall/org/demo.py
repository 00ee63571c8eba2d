"""Demo organisation (fictional): 黑龙江省 → 鹤林市 → 青松县政务服务中心, with departments,
zones, windows and one account per role. Names are fixed by DEMO-NAMES.md; idempotent."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import TextIO

from govhall.org.models import (
    Center,
    Department,
    ExtendedService,
    Role,
    RoleAssignment,
    User,
    Window,
    Zone,
)

DEFAULT_DEMO_PASSWORD = "Govhall@2026"
DEMO_CENTER = "HL-239901"

HOURS = (
    "周一至周五（法定节假日除外）上午9:00-12:00，下午13:30-17:00；调休上班日照常办公。"
    "午间及周末可在自助服务区办理部分事项。"
)

CENTERS = [
    {
        "code": "HL-230000",
        "name": "黑龙江省政务服务中心",
        "short_name": "黑龙江省",
        "level": Center.Level.PROVINCE,
        "parent": None,
        "address": "黑龙江省松源市中央大街1号（虚构）",
        "phone": "0450-86000000",
        "complaint_phone": "12345",
        "sms_signature": "黑龙江省政务服务中心",
    },
    {
        "code": "HL-239900",
        "name": "鹤林市政务服务中心",
        "short_name": "鹤林市",
        "level": Center.Level.CITY,
        "parent": "HL-230000",
        "address": "鹤林市兴林路168号（虚构）",
        "phone": "0450-87001234",
        "complaint_phone": "12345",
        "sms_signature": "鹤林市政务服务中心",
    },
    {
        "code": DEMO_CENTER,
        "name": "青松县政务服务中心",
        "short_name": "青松县",
        "level": Center.Level.COUNTY,
        "parent": "HL-239900",
        "address": "鹤林市青松县人民大街88号（虚构）",
        "phone": "0450-51234567",
        "complaint_phone": "12345",
        "sms_signature": "青松县政务服务中心",
        "supervision_channels": (
            "投诉监督电话：12345（政务服务便民热线）、0450-51234500（中心效能监督科）\n"
            "现场：一楼13号“办不成事”反映窗口\n"
            "意见箱：一楼大厅东侧\n"
            "网上：黑龙江政务服务网“好差评”专区"
        ),
        "public_notice": (
            "欢迎来到青松县政务服务中心！"
            "本中心实行“一窗受理、集成服务”，无差别综合窗口可办理全部进驻事项。"
            "老年人、残疾人、孕妇、现役军人等可走特殊群体绿色通道（14号窗口）。"
            "办事遇到困难，请到13号“办不成事”反映窗口。投诉监督电话：12345。"
        ),
    },
]

DEPARTMENTS = [
    ("SCJG", "青松县市场监督管理局", "青松市监", "0450-51234601"),
    ("RSJ", "青松县人力资源和社会保障局", "青松人社", "0450-51234602"),
    ("YBJ", "青松县医疗保障局", "青松医保", "0450-51234603"),
    ("GAJ", "青松县公安局（户政）", "青松公安", "0450-51234604"),
    ("BDC", "青松县不动产登记中心", "青松不动产", "0450-51234605"),
    ("SWJ", "国家税务总局青松县税务局", "青松税务", "0450-51234606"),
    ("MZJ", "青松县民政局", "青松民政", "0450-51234607"),
    ("ZJJ", "青松县住房和城乡建设局", "青松住建", "0450-51234608"),
]

ZONES = [
    ("A", "一楼A区等候区", Zone.Kind.WAITING, "1F", "进门左手，1—6号及10—14号窗口"),
    ("B", "一楼B区等候区", Zone.Kind.WAITING, "1F", "进门右手，7—8号窗口"),
    ("C", "二楼C区等候区", Zone.Kind.WAITING, "2F", "二楼电梯口，9号窗口"),
    ("SELF", "自助服务区", Zone.Kind.SELF_SERVICE, "1F", "大厅正门东侧，24小时开放"),
    ("FUNC", "母婴室/休息区", Zone.Kind.FUNCTIONAL, "1F", "大厅西北角"),
]

# number, name, kind, zone, department
WINDOWS = [
    *[(str(n), "无差别综合窗口", Window.Kind.GENERAL, "A", None) for n in range(1, 7)],
    ("7", "分领域综合窗口·不动产", Window.Kind.DOMAIN, "B", "BDC"),
    ("8", "分领域综合窗口·公安户政", Window.Kind.DOMAIN, "B", "GAJ"),
    ("9", "分领域综合窗口·税务", Window.Kind.DOMAIN, "C", "SWJ"),
    ("10", "综合出件窗口", Window.Kind.OUTPUT, "A", None),
    ("11", "帮代办窗口", Window.Kind.ASSISTANCE, "A", None),
    ("12", "咨询台", Window.Kind.CONSULTATION, "A", None),
    ("13", "办不成事反映窗口", Window.Kind.UNRESOLVED, "A", None),
    ("14", "特殊群体绿色通道", Window.Kind.PRIORITY, "A", None),
]

# username, display name, badge, post, role, department code, window number, extra flags
ACCOUNTS: list[tuple[str, str, str, str, str, str | None, str | None, dict]] = [
    ("manager1", "林晓峰", "QS-0001", "中心副主任", Role.MANAGER, None, None, {"is_staff": True}),
    ("inspector1", "韩雪梅", "QS-0002", "效能监督员", Role.INSPECTOR, None, None, {}),
    ("guide1", "赵一帆", "QS-0101", "大厅引导员", Role.GUIDE, None, None, {}),
    ("consult1", "孙佳宁", "QS-0102", "咨询服务专员", Role.CONSULTANT, None, "12", {}),
    ("clerk1", "王丽娟", "QS-0201", "综合窗口受理员", Role.CLERK, None, "1", {}),
    ("clerk2", "李振东", "QS-0202", "综合窗口受理员", Role.CLERK, None, "2", {}),
    ("clerk3", "张海燕", "QS-0203", "综合窗口受理员", Role.CLERK, None, "3", {}),
    ("clerk4", "刘春雨", "QS-0204", "综合窗口受理员", Role.CLERK, None, "4", {}),
    ("clerk5", "陈志刚", "QS-0205", "综合窗口受理员", Role.CLERK, None, "5", {}),
    ("clerk6", "杨秀英", "QS-0206", "综合窗口受理员", Role.CLERK, None, "6", {}),
    ("clerk7", "周建华", "QS-0207", "不动产登记受理员", Role.CLERK, None, "7", {}),
    ("clerk8", "吴晓梅", "QS-0208", "户政业务受理员", Role.CLERK, None, "8", {}),
    ("output1", "郑国庆", "QS-0301", "综合出件专员", Role.OUTPUT_CLERK, None, "10", {}),
    ("proxy1", "冯雅琴", "QS-0302", "帮办代办员", Role.PROXY, None, "11", {}),
    ("approver-scjg", "马立新", "SCJG-01", "登记注册科审批员", Role.APPROVER, "SCJG", None, {}),
    ("approver-rsj", "朱红霞", "RSJ-01", "社会保险审批员", Role.APPROVER, "RSJ", None, {}),
    ("approver-ybj", "胡文博", "YBJ-01", "医保待遇审核员", Role.APPROVER, "YBJ", None, {}),
    ("approver-gaj", "高树林", "GAJ-01", "户政审批民警", Role.APPROVER, "GAJ", None, {}),
    ("approver-bdc", "罗春梅", "BDC-01", "不动产登记审核员", Role.APPROVER, "BDC", None, {}),
    ("approver-swj", "梁永胜", "SWJ-01", "税务审核员", Role.APPROVER, "SWJ", None, {}),
    ("approver-mzj", "宋丽华", "MZJ-01", "婚姻登记审批员", Role.APPROVER, "MZJ", None, {}),
    ("approver-zjj", "唐德明", "ZJJ-01", "建设工程审批员", Role.APPROVER, "ZJJ", None, {}),
    ("board1", "", "", "", Role.DEVICE, None, None, {"is_device": True, "is_public": False}),
    ("evaluator1", "", "", "", Role.DEVICE, None, None, {"is_device": True, "is_public": False}),
]

DEVICE_NAMES = {"board1": "大厅叫号显示屏", "evaluator1": "1号窗口评价器"}


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


def demo_loaded() -> bool:
    return Center.objects.filter(code=DEMO_CENTER).exists()


def _centers() -> dict[str, Center]:
    result: dict[str, Center] = {}
    for spec in CENTERS:
        data = dict(spec)
        code, parent = data.pop("code"), data.pop("parent")
        data["parent"] = result[parent] if parent else None
        data.setdefault("opening_hours", HOURS)
        data.setdefault("supervision_channels", "投诉监督电话：12345（政务服务便民热线）")
        result[code], _ = Center.objects.get_or_create(code=code, defaults=data)
    return result


def _account(username: str, *, created: list[str], superuser: bool = False, **fields) -> User:
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    factory = User.objects.create_superuser if superuser else User.objects.create_user
    # The password is set only on creation, so an admin's later change survives reloads.
    user = factory(username=username, password=demo_password(), **fields)
    created.append(username)
    return user


@dataclass(frozen=True)
class DemoOrg:
    center: Center
    departments: dict[str, Department]
    zones: dict[str, Zone]
    windows: dict[str, Window]


def _structure() -> DemoOrg:
    county = _centers()[DEMO_CENTER]
    departments = {
        code: Department.objects.get_or_create(
            center=county,
            code=code,
            defaults={"name": name, "short_name": short, "phone": phone},
        )[0]
        for code, name, short, phone in DEPARTMENTS
    }
    zones = {
        code: Zone.objects.get_or_create(
            center=county,
            code=code,
            defaults={"name": name, "kind": kind, "floor": floor, "directions": directions},
        )[0]
        for code, name, kind, floor, directions in ZONES
    }
    windows = {
        number: Window.objects.get_or_create(
            center=county,
            number=number,
            defaults={
                "name": name,
                "kind": kind,
                "zone": zones[zone],
                "department": departments[dept] if dept else None,
            },
        )[0]
        for number, name, kind, zone, dept in WINDOWS
    }
    return DemoOrg(center=county, departments=departments, zones=zones, windows=windows)


def _accounts(org: DemoOrg) -> list[str]:
    county, departments, windows = org.center, org.departments, org.windows
    created: list[str] = []
    root = _account(
        "admin", created=created, superuser=True, display_name="系统管理员", is_public=False
    )
    # Superuser already; the role makes the demo hold every role of the standard.
    RoleAssignment.objects.get_or_create(user=root, role=Role.ADMIN, center=county)
    for username, name, badge, post, role, dept, window, flags in ACCOUNTS:
        user = _account(
            username,
            created=created,
            display_name=name or DEVICE_NAMES.get(username, ""),
            badge_no=badge,
            post=post,
            home_window=windows[window] if window else None,
            **flags,
        )
        RoleAssignment.objects.get_or_create(
            user=user,
            role=role,
            center=county,
            department=departments[dept] if dept else None,
        )
    return created


def demo_center(*, accounts: bool = False) -> Center:
    """The demo county center, with its parents, departments, zones and windows (and, if
    asked, the demo accounts) created first where missing. Other apps' demos start here so
    each of them also runs on its own; idempotent and silent."""
    org = _structure()
    if accounts:
        _accounts(org)
    return org.center


def _extended_hours(org: DemoOrg) -> int:
    """6.7.4: a lunch-break session at the general and priority windows on working days and
    a Saturday-morning session (by appointment for real estate), published."""
    if ExtendedService.objects.filter(center=org.center).exists():
        return 0
    lunch = ExtendedService.objects.create(
        center=org.center,
        kind=ExtendedService.Kind.LUNCH,
        days=ExtendedService.Days.WORKDAYS,
        start=dt.time(12, 0),
        end=dt.time(13, 30),
        note="午休时间不打烊",
    )
    lunch.windows.add(*[org.windows[n] for n in ("1", "2", "14") if n in org.windows])
    weekend = ExtendedService.objects.create(
        center=org.center,
        kind=ExtendedService.Kind.WEEKEND,
        days=ExtendedService.Days.REST_DAYS,
        weekdays="6",
        start=dt.time(9, 0),
        end=dt.time(12, 0),
        note="综合业务及不动产登记（不动产需提前预约）",
    )
    weekend.windows.add(*[org.windows[n] for n in ("1", "2", "7") if n in org.windows])
    return 2


def load(stdout: TextIO) -> None:
    org = _structure()
    sessions = _extended_hours(org)
    if sessions:
        stdout.write(f"组织机构：延时服务时段 {sessions} 个（午间、周六上午）。")
    created = _accounts(org)
    if created:
        stdout.write(f"组织机构：新建账号 {len(created)} 个（{', '.join(created)}）。")
    else:
        stdout.write("组织机构：演示中心、部门、窗口和账号均已存在，未做改动。")
