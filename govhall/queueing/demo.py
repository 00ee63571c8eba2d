"""Demo queue of HL-239901 (DEMO-NAMES.md). Idempotent: re-running covers items added
since the last run and never duplicates a category, skill or account."""

from __future__ import annotations

import os

from govhall.catalog.models import ServiceItem
from govhall.org.models import Center, Department, Role, RoleAssignment, User, Window, Zone
from govhall.queueing.models import TicketCategory, WindowSkill

CENTERS = [
    ("HL-230000", "黑龙江省政务服务中心", "黑龙江省", "province", None, ""),
    ("HL-239900", "鹤林市政务服务中心", "鹤林市", "city", "HL-230000", ""),
    ("HL-239901", "青松县政务服务中心", "青松县", "county", "HL-239900", "青松县政务服务中心"),
]
DEPARTMENTS = [
    ("SCJG", "青松县市场监督管理局", "青松市监"),
    ("RSJ", "青松县人力资源和社会保障局", "青松人社"),
    ("YBJ", "青松县医疗保障局", "青松医保"),
    ("GAJ", "青松县公安局（户政）", "青松公安"),
    ("BDC", "青松县不动产登记中心", "青松不动产"),
    ("SWJ", "国家税务总局青松县税务局", "青松税务"),
    ("MZJ", "青松县民政局", "青松民政"),
    ("ZJJ", "青松县住房和城乡建设局", "青松住建"),
]
ZONES = [
    ("A", "一楼A区等候区", "waiting", "1F"),
    ("B", "一楼B区等候区", "waiting", "1F"),
    ("C", "二楼C区等候区", "waiting", "2F"),
    ("SELF", "自助服务区", "self_service", "1F"),
    ("FUNC", "母婴室/休息区", "functional", "1F"),
]
# number, name, kind, zone, department
WINDOWS = [
    *[(str(n), "无差别综合窗口", "general", "A", None) for n in range(1, 7)],
    ("7", "分领域综合窗口·不动产", "domain", "B", "BDC"),
    ("8", "分领域综合窗口·公安户政", "domain", "B", "GAJ"),
    ("9", "分领域综合窗口·税务", "domain", "C", "SWJ"),
    ("10", "综合出件窗口", "output", "A", None),
    ("11", "帮代办窗口", "assistance", "A", None),
    ("12", "咨询台", "consultation", "A", None),
    ("13", "办不成事反映窗口", "unresolved", "A", None),
    ("14", "特殊群体绿色通道", "priority", "A", None),
]
# letter, name, zone, departments whose items it covers, default minutes
CATEGORIES = [
    ("A", "综合业务", "A", ["SCJG", "MZJ", "ZJJ"], 10),
    ("B", "不动产登记", "B", ["BDC"], 15),
    ("C", "公安户政", "B", ["GAJ"], 8),
    ("D", "税务", "C", ["SWJ"], 10),
    ("E", "社保医保", "A", ["RSJ", "YBJ"], 6),
    ("F", "出件取证", "A", [], 3),
    ("G", "帮代办", "A", [], 20),
    ("H", "咨询", "A", [], 5),
]
# window number → categories, primary first
SKILLS = {
    "1": "AE",
    "2": "AE",
    "3": "AE",
    "4": "AEB",
    "5": "EA",
    "6": "AED",
    "7": "BA",
    "8": "CA",
    "9": "DE",
    "10": "F",
    "11": "GA",
    "12": "H",
    "13": "H",
    "14": "ABCDEG",
}
# username, display name, role, home window
ACCOUNTS = [
    ("manager1", "周主任", Role.MANAGER, None),
    ("inspector1", "吴督查", Role.INSPECTOR, None),
    ("guide1", "郑导办", Role.GUIDE, None),
    ("consult1", "王咨询", Role.CONSULTANT, "12"),
    *[(f"clerk{n}", f"窗口{n}号人员", Role.CLERK, str(n)) for n in range(1, 9)],
    ("output1", "冯出件", Role.OUTPUT_CLERK, "10"),
    ("proxy1", "陈帮办", Role.PROXY, "11"),
    ("board1", "大厅叫号屏", Role.DEVICE, None),
]


def _org() -> Center:
    centers: dict[str, Center] = {}
    for code, name, short, level, parent, sig in CENTERS:
        centers[code], _ = Center.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": short,
                "level": level,
                "parent": centers.get(parent),
                "sms_signature": sig,
            },
        )
    center = centers["HL-239901"]
    if not center.public_notice:
        center.public_notice = (
            "办公时间：工作日上午9:00—12:00，下午13:30—17:00。老年人、残疾人、孕妇、"
            "军人请到14号特殊群体绿色通道优先办理。可网上办理或自助办理的事项，请到自助服务区，"
            "工作人员将协助您办理。投诉监督电话：12345。"
        )
        center.save(update_fields=["public_notice"])
    for code, name, short in DEPARTMENTS:
        Department.objects.get_or_create(
            center=center, code=code, defaults={"name": name, "short_name": short}
        )
    for code, name, kind, floor in ZONES:
        Zone.objects.get_or_create(
            center=center, code=code, defaults={"name": name, "kind": kind, "floor": floor}
        )
    zones = {z.code: z for z in Zone.objects.filter(center=center)}
    departments = {d.code: d for d in Department.objects.filter(center=center)}
    for number, name, kind, zone, dept in WINDOWS:
        Window.objects.get_or_create(
            center=center,
            number=number,
            defaults={
                "name": name,
                "kind": kind,
                "zone": zones[zone],
                "department": departments.get(dept) if dept else None,
            },
        )
    return center


def _accounts(center: Center) -> None:
    password = os.environ.get("DEMO_PASSWORD", "Govhall@2026")
    windows = {w.number: w for w in Window.objects.filter(center=center)}
    for username, display, role, home in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username,
                password=password,
                display_name=display,
                home_window=windows.get(home) if home else None,
                is_device=role == Role.DEVICE,
            )
        RoleAssignment.objects.get_or_create(user=user, role=role, center=center, department=None)


def load(stdout) -> None:
    center = _org()
    _accounts(center)
    zones = {z.code: z for z in Zone.objects.filter(center=center)}
    categories: dict[str, TicketCategory] = {}
    covered = 0
    for order, (letter, name, zone, depts, minutes) in enumerate(CATEGORIES):
        cat, _ = TicketCategory.objects.get_or_create(
            center=center,
            letter=letter,
            defaults={
                "name": name,
                "zone": zones.get(zone),
                "default_service_minutes": minutes,
                "order": order,
            },
        )
        categories[letter] = cat
        if depts:
            items = list(ServiceItem.objects.filter(center=center, department__code__in=depts))
            cat.items.add(*items)
            covered += len(items)
    # Items of departments no category names go to A 综合业务 (the 无差别 windows take all).
    named = {d for *_, depts, _m in CATEGORIES for d in depts}
    rest = list(ServiceItem.objects.filter(center=center).exclude(department__code__in=named))
    categories["A"].items.add(*rest)
    windows = {w.number: w for w in Window.objects.filter(center=center)}
    for number, letters in SKILLS.items():
        window = windows.get(number)
        if window is None or WindowSkill.objects.filter(window=window).exists():
            continue  # an admin's configuration of this window wins
        for order, letter in enumerate(letters):
            WindowSkill.objects.create(
                window=window, category=categories[letter], is_primary=order == 0, order=order
            )
    stdout.write(
        f"排队叫号：{len(categories)} 个业务类别，覆盖 {covered + len(rest)} 个事项，"
        f"{len(SKILLS)} 个窗口的可办类别。"
    )
