"""Demo queue of HL-239901 (DEMO-NAMES.md). Idempotent: re-running covers items added
since the last run and never duplicates a category, skill or account."""

from __future__ import annotations

from govhall.catalog.models import ServiceItem
from govhall.org.demo import demo_center
from govhall.org.models import Window, Zone
from govhall.queueing.models import TicketCategory, WindowSkill

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


def load(stdout) -> None:
    # With the accounts, so a queue demo loaded on its own has clerks at its windows.
    center = demo_center(accounts=True)
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
