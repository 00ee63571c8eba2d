"""Reads of the public catalog."""

from __future__ import annotations

from django.db.models import QuerySet

from govhall.catalog import search
from govhall.catalog.models import GuideVersion, Material, ServiceItem
from govhall.core.errors import InvalidInput, NotFound
from govhall.org import selectors as org_selectors
from govhall.org.models import Center, Department


def items_public(
    *,
    q: str = "",
    center: Center | None = None,
    department: Department | None = None,
) -> list[ServiceItem] | QuerySet[ServiceItem]:
    """Active items with a published guide; with `q`, ranked with name matches first."""
    qs = (
        ServiceItem.objects.filter(is_active=True, published__isnull=False)
        .select_related("department", "center", "published")
        .order_by("department__code", "code")
    )
    if center is not None:
        qs = qs.filter(center=center)
    if department is not None:
        qs = qs.filter(department=department)
    q = (q or "").strip()
    if not q:
        return qs
    if len(q) > 100:
        raise InvalidInput("搜索词过长（最多100字）。", field="q")
    ids = search.matching_ids(q)
    if ids is None:
        return qs
    words = [g[0] for g in search.query_terms(q)]
    found = list(qs.filter(pk__in=ids))
    found.sort(key=lambda i: (search.rank(q, words, i.name, i.keywords), i.code))
    return found


def item_public(code: str) -> ServiceItem:
    item = (
        ServiceItem.objects.filter(code=code, is_active=True, published__isnull=False)
        .select_related("department", "center", "published", "published__zone")
        .first()
    )
    if item is None:
        raise NotFound(f"未找到编码为 {code} 的事项。", field="code")
    return item


def guide_materials(guide: GuideVersion):
    return guide.materials.order_by("position", "id")


def center_by_code(code: str | None, *, field: str = "center") -> Center | None:
    if not code:
        return None
    center = org_selectors.center_get(code=code)
    if center is None:
        raise InvalidInput(f"未找到编码为 {code} 的中心。", field=field)
    return center


def department_by_code(
    code: str | None, *, center: Center | None = None, field: str = "department"
) -> Department | None:
    if not code:
        return None
    qs = Department.objects.filter(code=code, is_active=True)
    if center is not None:
        qs = qs.filter(center=center)
    department = qs.order_by("id").first()
    if department is None:
        raise InvalidInput(f"未找到编码为 {code} 的部门。", field=field)
    return department


def portal_centers() -> QuerySet[Center]:
    """Centers that publish a catalog (have at least one published item)."""
    with_items = Center.objects.filter(
        is_active=True, items__is_active=True, items__published__isnull=False
    ).distinct()
    return with_items if with_items.exists() else Center.objects.filter(is_active=True)


def departments_with_items(center: Center) -> QuerySet[Department]:
    return Department.objects.filter(
        center=center, is_active=True, items__is_active=True, items__published__isnull=False
    ).distinct()


def material_published(material_id: int) -> Material | None:
    """A material of a guide version that was published (current or superseded)."""
    return (
        Material.objects.filter(pk=material_id)
        .exclude(guide__status=GuideVersion.Status.DRAFT)
        .first()
    )
