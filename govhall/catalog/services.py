"""Every change to the catalog: items, guide drafts, publishing. All audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from govhall.catalog.models import GuideVersion, Material, ServiceItem
from govhall.catalog.search import index_tokens
from govhall.catalog.uploads import validate_publishable_file
from govhall.core.audit import log_action
from govhall.core.errors import Conflict, InvalidInput, InvalidTransition
from govhall.core.workflow import resolve_now
from govhall.org.models import Center, Department

# Guide fields copied into a new draft and compared on import (everything but bookkeeping).
GUIDE_FIELDS = [
    f.name
    for f in GuideVersion._meta.concrete_fields
    if f.name
    not in {
        "id",
        "item",
        "version",
        "status",
        "published_at",
        "published_by",
        "created_at",
        "created_by",
    }
]
MATERIAL_FIELDS = [
    "position",
    "name",
    "required",
    "form",
    "copies",
    "original_required",
    "source",
    "notes",
    "blank_form",
    "sample",
]
ITEM_FIELDS = ["name", "kind", "keywords", "department", "is_active"]


def item_reindex(item: ServiceItem) -> None:
    """Rebuild search_text from the item and its published guide (SQLite FTS follows by
    trigger, PostgreSQL indexes the column)."""
    materials = (
        list(item.published.materials.values_list("name", flat=True)) if item.published else []
    )
    text = index_tokens(item.name, item.keywords, item.department.name, item.code, *materials)
    ServiceItem.objects.filter(pk=item.pk).update(search_text=text)
    item.search_text = text


def _check_item_fields(center: Center, department: Department, code: str, name: str) -> None:
    if not code.strip():
        raise InvalidInput("事项编码不能为空。", field="code")
    if not name.strip():
        raise InvalidInput("事项名称不能为空。", field="name")
    if department.center_id != center.pk:
        raise InvalidInput("实施部门不属于该中心。", field="department")


def _set_materials(guide: GuideVersion, materials: list[dict[str, Any]]) -> None:
    for position, spec in enumerate(materials, start=1):
        data = {k: v for k, v in spec.items() if k in MATERIAL_FIELDS}
        data.setdefault("position", position)
        if not str(data.get("name", "")).strip():
            raise InvalidInput(f"第{position}项材料缺少名称。", field="materials")
        for name in ("blank_form", "sample"):
            try:
                validate_publishable_file(data.get(name))
            except ValidationError as exc:
                raise InvalidInput(
                    f"第{position}项材料：{exc.messages[0]}", field="materials"
                ) from exc
        Material.objects.create(guide=guide, **data)


@transaction.atomic
def item_create(
    *,
    center: Center,
    department: Department,
    code: str,
    name: str,
    kind: str,
    keywords: str = "",
    guide: dict[str, Any] | None = None,
    materials: list[dict[str, Any]] | None = None,
    publish: bool = False,
    actor=None,
    now: dt.datetime | None = None,
) -> ServiceItem:
    """A new item with its first guide draft (published at once with publish=True)."""
    now = resolve_now(now)
    _check_item_fields(center, department, code, name)
    if ServiceItem.objects.filter(code=code).exists():
        raise Conflict(f"事项编码 {code} 已存在。", field="code")
    item = ServiceItem.objects.create(
        center=center, department=department, code=code, name=name, kind=kind, keywords=keywords
    )
    draft = GuideVersion.objects.create(
        item=item,
        version=1,
        created_at=now,
        created_by=actor if getattr(actor, "pk", None) else None,
        **{k: v for k, v in (guide or {}).items() if k in GUIDE_FIELDS},
    )
    _set_materials(draft, materials or [])
    log_action(
        actor=actor,
        action="govhall.catalog.item.created",
        obj=item,
        data={"code": code, "name": name},
        now=now,
    )
    if publish:
        guide_publish(guide=draft, actor=actor, now=now)  # reindexes with the materials
        item.refresh_from_db()
    else:
        item_reindex(item)
    return item


@transaction.atomic
def item_update(
    *, item: ServiceItem, actor=None, now: dt.datetime | None = None, **fields
) -> ServiceItem:
    """Change the item's own fields (name, kind, keywords, department, is_active)."""
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise InvalidInput(
            f"不可修改的字段：{'、'.join(sorted(unknown))}", field=sorted(unknown)[0]
        )
    changed = {}
    for key, value in fields.items():
        if getattr(item, key) != value:
            changed[key] = str(value)
            setattr(item, key, value)
    if not changed:
        return item
    _check_item_fields(item.center, item.department, item.code, item.name)
    item.save()
    log_action(
        actor=actor,
        action="govhall.catalog.item.updated",
        obj=item,
        data=changed,
        now=resolve_now(now),
    )
    item_reindex(item)
    return item


@transaction.atomic
def guide_draft_create(
    *, item: ServiceItem, actor=None, now: dt.datetime | None = None
) -> GuideVersion:
    """The next version as a draft: a copy of the published version with its materials.
    Returns the existing draft when there is one (an item has at most one)."""
    now = resolve_now(now)
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    existing = item.versions.filter(status=GuideVersion.Status.DRAFT).first()
    if existing is not None:
        return existing
    source = item.published or item.versions.order_by("-version").first()
    last = item.versions.order_by("-version").values_list("version", flat=True).first() or 0
    values = {f: getattr(source, f) for f in GUIDE_FIELDS} if source else {}
    draft = GuideVersion.objects.create(
        item=item,
        version=last + 1,
        created_at=now,
        created_by=actor if getattr(actor, "pk", None) else None,
        **values,
    )
    if source is not None:
        draft.preceding_items.set(source.preceding_items.all())
        draft.following_items.set(source.following_items.all())
        for material in source.materials.all():
            Material.objects.create(
                guide=draft, **{f: getattr(material, f) for f in MATERIAL_FIELDS}
            )
    log_action(
        actor=actor,
        action="govhall.catalog.guide.draft_created",
        obj=draft,
        data={
            "item": item.code,
            "version": draft.version,
            "from": source.version if source else None,
        },
        now=now,
    )
    return draft


@transaction.atomic
def guide_update(
    *,
    guide: GuideVersion,
    materials: list[dict[str, Any]] | None = None,
    actor=None,
    now: dt.datetime | None = None,
    **fields,
) -> GuideVersion:
    """Edit a draft's fields; `materials` (when given) replaces its whole material list."""
    guide = GuideVersion.objects.select_for_update().get(pk=guide.pk)
    if guide.is_frozen:
        raise InvalidTransition("只能修改草稿版本；已发布的版本不可修改。", field="guide")
    unknown = set(fields) - set(GUIDE_FIELDS)
    if unknown:
        raise InvalidInput(
            f"不可修改的字段：{'、'.join(sorted(unknown))}", field=sorted(unknown)[0]
        )
    for key, value in fields.items():
        setattr(guide, key, value)
    guide.save()
    if materials is not None:
        guide.materials.all().delete()
        _set_materials(guide, materials)
    log_action(
        actor=actor,
        action="govhall.catalog.guide.updated",
        obj=guide,
        data={"fields": sorted(fields), "materials": materials is not None},
        now=resolve_now(now),
    )
    return guide


@transaction.atomic
def guide_publish(
    *, guide: GuideVersion, actor=None, now: dt.datetime | None = None
) -> GuideVersion:
    """Freeze the draft and make it the item's public guide; the previous one is superseded."""
    now = resolve_now(now)
    item = ServiceItem.objects.select_for_update().get(pk=guide.item_id)
    guide = GuideVersion.objects.get(pk=guide.pk)
    if guide.status != GuideVersion.Status.DRAFT:
        raise InvalidTransition("该版本已发布或已被替代，不能再次发布。", field="guide")
    if not guide.handled_here and not (guide.outside_place.strip() and guide.outside_path.strip()):
        raise InvalidInput("不在本中心办理的事项须写明办理地点和办理路径。", field="outside_path")
    if guide.fee_required and guide.fee_amount <= 0:
        raise InvalidInput("收费事项须填写收费金额。", field="fee_amount")
    previous = item.published
    if previous is not None:
        previous.status = GuideVersion.Status.SUPERSEDED
        previous.save()
    guide.status = GuideVersion.Status.PUBLISHED
    guide.published_at = now
    guide.published_by = actor if getattr(actor, "pk", None) else None
    guide.save()
    item.published = guide
    item.save(update_fields=["published"])
    log_action(
        actor=actor,
        action="govhall.catalog.guide.published",
        obj=guide,
        data={
            "item": item.code,
            "version": guide.version,
            "superseded": previous.version if previous else None,
        },
        now=now,
    )
    item_reindex(item)
    return guide
