import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from govhall.catalog.models import GuideFrozen, GuideVersion, ItemKind, Material, ServiceItem
from govhall.catalog.services import (
    guide_draft_create,
    guide_publish,
    guide_update,
    item_create,
    item_update,
)
from govhall.core.errors import Conflict, InvalidInput, InvalidTransition
from govhall.core.models import AuditEntry
from govhall.org.testing import make_center, make_department, make_user

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 2, 14, 10, tzinfo=SH)


@pytest.fixture
def item(db):
    center = make_center("HL-T", "测试县政务服务中心")
    dept = make_department(center, "SCJG", "测试县市场监督管理局")
    return item_create(
        center=center,
        department=dept,
        code="T-001",
        name="食品经营许可",
        kind=ItemKind.LICENSE,
        keywords="餐饮",
        guide={"basis": "《食品安全法》", "promised_limit_days": 5},
        materials=[{"name": "申请书"}, {"name": "营业执照", "original_required": True}],
        publish=True,
        actor=None,
        now=NOW,
    )


def test_create_publishes_version_one(item):
    g = item.published
    assert g.version == 1 and g.status == GuideVersion.Status.PUBLISHED
    assert g.published_at == NOW
    assert [m.name for m in g.materials.all()] == ["申请书", "营业执照"]
    assert "餐饮" in item.search_text.split()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"govhall.catalog.item.created", "govhall.catalog.guide.published"} <= actions


def test_draft_copies_published_with_materials_and_publish_supersedes(item):
    user = make_user("editor", superuser=True)
    draft = guide_draft_create(item=item, actor=user, now=NOW)
    assert draft.version == 2 and draft.status == GuideVersion.Status.DRAFT
    assert draft.basis == "《食品安全法》" and draft.promised_limit_days == 5
    assert [(m.name, m.original_required) for m in draft.materials.all()] == [
        ("申请书", False),
        ("营业执照", True),
    ]
    # a second call returns the same draft (one draft per item)
    assert guide_draft_create(item=item, actor=user, now=NOW) == draft
    guide_update(
        guide=draft,
        materials=[{"name": "申请书"}, {"name": "健康证明", "required": False}],
        promised_limit_days=3,
        actor=user,
        now=NOW,
    )
    guide_publish(guide=draft, actor=user, now=NOW + dt.timedelta(hours=1))
    item.refresh_from_db()
    old = GuideVersion.objects.get(item=item, version=1)
    assert item.published == draft
    assert old.status == GuideVersion.Status.SUPERSEDED
    # the old version still says what it said
    assert old.promised_limit_days == 5
    assert [m.name for m in old.materials.all()] == ["申请书", "营业执照"]
    assert "健康" in item.search_text.split()
    with pytest.raises(InvalidTransition):
        guide_publish(guide=draft, actor=user)


def test_published_version_cannot_be_modified(item):
    g = item.published
    g.promised_limit_days = 1
    with pytest.raises(GuideFrozen):
        g.save()
    with pytest.raises(GuideFrozen):
        g.delete()
    m = g.materials.first()
    m.name = "改过的材料"
    with pytest.raises(GuideFrozen):
        m.save()
    with pytest.raises(GuideFrozen):
        m.delete()
    with pytest.raises(GuideFrozen):
        Material.objects.create(guide=g, name="新增材料")
    with pytest.raises(InvalidTransition):
        guide_update(guide=g, basis="x", actor=None)
    g.refresh_from_db()
    assert g.promised_limit_days == 5
    assert g.materials.count() == 2


def test_superseded_version_is_frozen_too(item):
    draft = guide_draft_create(item=item, actor=None)
    guide_publish(guide=draft, actor=None)
    old = GuideVersion.objects.get(item=item, version=1)
    old.status = GuideVersion.Status.PUBLISHED
    with pytest.raises(GuideFrozen):
        old.save()


def test_bad_input(item):
    center = item.center
    other = make_center("HL-O", "其他中心")
    with pytest.raises(Conflict):
        item_create(
            center=center,
            department=item.department,
            code="T-001",
            name="x",
            kind=ItemKind.LICENSE,
            actor=None,
        )
    with pytest.raises(InvalidInput) as exc:
        item_create(
            center=other,
            department=item.department,
            code="T-002",
            name="x",
            kind=ItemKind.LICENSE,
            actor=None,
        )
    assert exc.value.errors[0]["field"] == "department"
    draft = guide_draft_create(item=item, actor=None)
    guide_update(guide=draft, handled_here=False, actor=None)
    with pytest.raises(InvalidInput) as exc:
        guide_publish(guide=draft, actor=None)
    assert exc.value.errors[0]["field"] == "outside_path"
    with pytest.raises(InvalidInput):
        item_update(item=item, code="hack", actor=None)
    assert ServiceItem.objects.filter(code="T-002").count() == 0


def test_item_update_reindexes(item):
    item_update(item=item, name="食品经营许可（餐饮服务）", keywords="饭店 小吃", actor=None)
    item.refresh_from_db()
    assert "饭店" in item.search_text.split()
