"""Test factory for published service items (not used by production code).

Published guides are frozen, so tests create items the way the product does: through
`item_create(..., publish=True)`.
"""

from __future__ import annotations

from typing import Any

from govhall.catalog.models import ServiceItem
from govhall.catalog.services import item_create
from govhall.org.models import Center, Department


def make_item(
    center: Center,
    department: Department,
    code: str = "SCJG-001",
    name: str = "个体工商户设立登记",
    *,
    kind: str = "license",
    keywords: str = "",
    materials: list[dict[str, Any]] | None = None,
    **guide: Any,
) -> ServiceItem:
    """A published item; `guide` holds GuideVersion fields, `materials` Material fields."""
    existing = ServiceItem.objects.filter(code=code).first()
    if existing is not None:
        return existing
    return item_create(
        center=center,
        department=department,
        code=code,
        name=name,
        kind=kind,
        keywords=keywords,
        guide=guide,
        materials=materials or [],
        publish=True,
    )
