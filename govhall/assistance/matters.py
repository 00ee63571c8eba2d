"""A 代办 as a matter evaluations can rate (6.6.2.2 c: 请服务对象对代办服务进行评价),
registered with evaluations' hook from AssistanceConfig.ready()."""

from __future__ import annotations

from govhall.assistance import selectors
from govhall.assistance.models import ProxyStatus
from govhall.evaluations.matters import Kind, Matter, register_kind


def _proxy(value: str) -> Matter | None:
    try:
        p = selectors.proxy_get(int(value))
    except (TypeError, ValueError):
        return None
    if p is None:
        return None
    return Matter(
        kind="proxy",
        id=str(p.pk),
        center_id=p.center_id,
        label=f"代办 {p.number} {p.item.name}",
        finished=p.status in (ProxyStatus.DELIVERED, ProxyStatus.CLOSED),
        finished_at=p.delivered_at,
        staff_id=p.proxy_id,
        staff_name=str(p.proxy) if p.proxy_id else "",
        department_id=p.item.department_id,
        item_id=p.item_id,
        item_name=p.item.name,
        item_code=p.item.code,
        ref=p.number,
        phone=p.phone,
    )


def register() -> None:
    register_kind("proxy", Kind("p", "代办", True, _proxy))
