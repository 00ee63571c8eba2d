"""What a rating is attached to: a registry of kinds, each read through its own app's
selectors. Adding a kind (a consultation, a 代办) is one line in KINDS:

    "consultation": Kind("k", "咨询", True, _consultation),

where the function reads the object through that app's selectors and returns a Matter.
`is_matter` kinds are rated once (Rating.matter_key is unique); a window or a staff member
is rated by anyone who scans its QR code, as often as they are served.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from govhall.cases import selectors as case_selectors
from govhall.catalog.models import ServiceItem
from govhall.consultations import selectors as consultation_selectors
from govhall.org.models import User, Window
from govhall.queueing import selectors_served as queue_selectors


@dataclass(frozen=True)
class Matter:
    kind: str
    id: str
    center_id: int
    label: str
    finished: bool = True
    finished_at: dt.datetime | None = None
    window_id: int | None = None
    staff_id: int | None = None
    staff_name: str = ""
    department_id: int | None = None
    item_id: int | None = None
    item_name: str = ""
    item_code: str = ""
    ref: str = ""  # the number people know it by: case number, ticket number
    phone: str = ""
    is_matter: bool = True

    @property
    def key(self) -> str | None:
        """The unique key of a matter ("ticket:42"); None for windows and staff."""
        return f"{self.kind}:{self.id}" if self.is_matter else None


def _int(value: str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _item_fields(item: ServiceItem | None) -> dict:
    if item is None:
        return {}
    return {
        "item_id": item.pk,
        "item_name": item.name,
        "item_code": item.code,
        "department_id": item.department_id,
    }


def _ticket(value: str) -> Matter | None:
    ticket = queue_selectors.ticket_get(_int(value)) if _int(value) else None
    if ticket is None:
        return None
    items = list(ticket.items.all())
    fields = _item_fields(items[0] if items else None)
    if ticket.window_id and ticket.window.department_id:
        fields["department_id"] = ticket.window.department_id
    return Matter(
        kind="ticket",
        id=str(ticket.pk),
        center_id=ticket.center_id,
        label=f"排队号 {ticket.number}（{ticket.day:%Y-%m-%d}）",
        finished=ticket.status == ticket.Status.DONE,
        finished_at=ticket.finished_at,
        window_id=ticket.window_id,
        staff_id=ticket.staff_id,
        staff_name=str(ticket.staff) if ticket.staff_id else "",
        phone=ticket.phone,
        ref=ticket.number,
        **fields,
    )


def _case(value: str) -> Matter | None:
    case = case_selectors.case_get(_int(value)) if _int(value) else None
    if case is None:
        return None
    return Matter(
        kind="case",
        id=str(case.pk),
        center_id=case.center_id,
        label=f"办件 {case.number} {case.item.name}",
        finished=case_selectors.case_is_finished(case),
        finished_at=case.status_changed_at,
        window_id=case.window_id,
        staff_id=case.clerk_id,
        staff_name=str(case.clerk) if case.clerk_id else "",
        ref=case.number,
        phone=case.phone,
        **{**_item_fields(case.item), "department_id": case.department_id},
    )


def _consultation(value: str) -> Matter | None:
    c = consultation_selectors.consultation_get(_int(value)) if _int(value) else None
    if c is None:
        return None
    staff = c.replied_by or c.owner
    fields = _item_fields(c.item)
    if c.department_id:
        fields["department_id"] = c.department_id
    return Matter(
        kind="consultation",
        id=str(c.pk),
        center_id=c.center_id,
        label=f"咨询 {c.number}",
        finished=consultation_selectors.consultation_is_answered(c),
        finished_at=c.replied_at,
        staff_id=staff.pk if staff else None,
        staff_name=str(staff) if staff else "",
        ref=c.number,
        phone=c.phone,
        **fields,
    )


def _window(value: str) -> Matter | None:
    window = Window.objects.filter(pk=_int(value), is_active=True).first() if _int(value) else None
    if window is None:
        return None
    return Matter(
        kind="window",
        id=str(window.pk),
        center_id=window.center_id,
        label=f"{window.number}号窗口",
        window_id=window.pk,
        department_id=window.department_id,
        is_matter=False,
    )


def _staff(value: str) -> Matter | None:
    user = User.objects.filter(pk=_int(value), is_active=True, is_device=False).first()
    if user is None or _int(value) is None:
        return None
    center_id = user.roles.values_list("center_id", flat=True).first()
    if center_id is None:
        return None
    return Matter(
        kind="staff",
        id=str(user.pk),
        center_id=center_id,
        label=f"工作人员 {user}",
        window_id=user.home_window_id,
        staff_id=user.pk,
        staff_name=str(user),
        is_matter=False,
    )


@dataclass(frozen=True)
class Kind:
    code: str  # one letter in signed links
    label: str
    is_matter: bool
    read: Callable[[str], Matter | None]


KINDS: dict[str, Kind] = {
    "ticket": Kind("t", "排队服务", True, _ticket),
    "case": Kind("c", "办件", True, _case),
    "consultation": Kind("k", "咨询", True, _consultation),
    "window": Kind("w", "窗口", False, _window),
    "staff": Kind("s", "工作人员", False, _staff),
}
BY_CODE = {k.code: name for name, k in KINDS.items()}


def register_kind(name: str, kind: Kind) -> None:
    """A higher app (assistance: "proxy", a 代办) adds the kind it rates, from its
    AppConfig.ready(); its reader goes through that app's own selectors."""
    if BY_CODE.get(kind.code, name) != name:
        raise ValueError(f"evaluation kind code {kind.code!r} is taken")
    KINDS[name] = kind
    BY_CODE[kind.code] = name


def matter_get(kind: str, value: str | int) -> Matter | None:
    entry = KINDS.get(kind)
    return entry.read(str(value)) if entry is not None else None
