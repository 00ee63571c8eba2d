"""Ratings from every channel (9.4), complaints and 办不成事 reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from govhall.core import workflow
from govhall.core.errors import Conflict, InvalidInput, NotFound
from govhall.evaluations.matters import Matter, matter_get
from govhall.evaluations.models import (
    DIMENSIONS,
    BlockedReport,
    Channel,
    Complaint,
    Rating,
    Rectification,
    RectStatus,
)
from govhall.evaluations.services._common import (
    MAX_COMMENT,
    check_contact,
    check_level,
    check_text,
    now_or,
    require_staff_of,
)
from govhall.evaluations.services.rectifications import rectification_open

ALREADY_RATED = "该事项已经评价过了，每件事只能评价一次，感谢您的参与。"
MAX_TAGS = 10


def _matter(kind: str, matter_id: str | int) -> Matter:
    matter = matter_get(kind, matter_id)
    if matter is None:
        raise NotFound("未找到要评价的事项。", field="target")
    return matter


def _dimensions(values: dict[str, Any] | None) -> dict[str, int | None]:
    values = dict(values or {})
    unknown = set(values) - set(DIMENSIONS)
    if unknown:
        raise InvalidInput(f"未知的评价维度：{'、'.join(sorted(unknown))}。", field="dimensions")
    return {
        name: check_level(values.get(name), f"dimensions.{name}", required=False)
        for name in DIMENSIONS
    }


def _tags(values: list[str] | None) -> list[str]:
    tags = [str(t).strip()[:20] for t in (values or []) if str(t).strip()]
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"标签最多{MAX_TAGS}个。", field="tags")
    return tags


@transaction.atomic
def rating_submit(
    *,
    kind: str,
    matter_id: str | int,
    channel: str,
    level: Any,
    dimensions: dict[str, Any] | None = None,
    comment: str = "",
    tags: list[str] | None = None,
    real_name: bool = False,
    name: str = "",
    phone: str = "",
    append: bool = False,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> Rating:
    """9.3: “服务评价内容包括但不限于：a) 服务态度；b) 服务质量；c) 服务效率；d) 服务环境。”
    9.4: “服务评价渠道包括但不限于：a) 评价机（器）；b) 评价二维码；c) 意见箱；d) 调查问卷；
    e) 短信评价；f) 网上评价；g) “办不成事”反映窗口等。”

    One rating per matter whatever the channel (the unique matter_key decides, also between
    simultaneous submissions): a second one is refused with 409 `already_rated`, except one
    `append` after the first rating's rectification closed. A 差评 opens a rectification.
    Staff entering a rating (suggestion box) act only in their own center."""
    now = now_or(now)
    if channel not in Channel.values:
        raise InvalidInput("未知的评价渠道。", field="channel")
    matter = _matter(kind, matter_id)
    if getattr(actor, "pk", None):  # staff and devices act in their own center only
        require_staff_of(actor, matter.center_id)
    if matter.is_matter and not matter.finished:
        raise Conflict("该事项尚未办结，办结后再评价。", code="not_finished")
    fields = dict(
        level=check_level(level, "level"),
        comment=check_text(comment, "comment", "评价内容", limit=MAX_COMMENT, required=False),
        tags=_tags(tags),
        **_dimensions(dimensions),
    )
    name, phone = check_contact(real_name, name, phone)
    first = None
    if append:
        first = _appendable(matter)
    rating = Rating(
        center_id=matter.center_id,
        matter_kind=matter.kind,
        matter_id=matter.id,
        matter_key=matter.key if first is None else None,
        matter_label=matter.label,
        matter_ref=matter.ref,
        channel=channel,
        real_name=real_name,
        name=name,
        phone=phone,
        window_id=matter.window_id,
        staff_id=matter.staff_id,
        department_id=matter.department_id,
        item_id=matter.item_id,
        appended_to=first,
        entered_by=actor if channel == Channel.BOX and getattr(actor, "pk", None) else None,
        at=now,
        **fields,
    )
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError as exc:
        raise Conflict(ALREADY_RATED, code="already_rated") from exc
    workflow.record_audit(
        rating,
        verb="appended" if first else "submitted",
        actor=actor,
        now=now,
        data={"matter": f"{matter.kind}:{matter.id}", "channel": channel, "level": rating.level},
    )
    if rating.is_bad:
        rectification_open(rating=rating, actor=actor, now=now)
    return rating


def _appendable(matter: Matter) -> Rating:
    # Locked alone (a reverse join could not be locked on PostgreSQL): two appends wait.
    first = Rating.objects.select_for_update().filter(matter_key=matter.key).first()
    rect = Rectification.objects.filter(rating=first).first() if first else None
    if first is None or rect is None or rect.status != RectStatus.CLOSED:
        raise Conflict("只有差评整改办结后才能追加评价。", code="not_appendable")
    if first.appends.exists():
        raise Conflict("已经追加评价过了。", code="already_rated")
    return first


def rating_exists(kind: str, matter_id: str | int) -> bool:
    return Rating.objects.filter(matter_key=f"{kind}:{matter_id}").exists()


@transaction.atomic
def complaint_create(
    *,
    center: Any,
    channel: str,
    content: str,
    real_name: bool = False,
    name: str = "",
    phone: str = "",
    window: Any = None,
    staff: Any = None,
    department: Any = None,
    photo: Any = None,
    actor: Any,
    now: dt.datetime | None = None,
) -> Complaint:
    """9.4 c) 意见箱 and complaints received by staff: opens a rectification (9.5)."""
    now = now_or(now)
    require_staff_of(actor, center.pk)
    if channel not in Channel.values:
        raise InvalidInput("未知的来源渠道。", field="channel")
    content = check_text(content, "content", "投诉内容", limit=MAX_COMMENT, required=True)
    name, phone = check_contact(real_name, name, phone)
    complaint = Complaint.objects.create(
        center=center,
        channel=channel,
        content=content,
        real_name=real_name,
        name=name,
        phone=phone,
        window=window,
        staff=staff,
        department=department or (window.department if window is not None else None),
        photo=photo,
        entered_by=actor,
        at=now,
    )
    workflow.record_audit(
        complaint, verb="created", actor=actor, now=now, data={"channel": channel}
    )
    rectification_open(complaint=complaint, actor=actor, now=now)
    return complaint


@transaction.atomic
def blocked_report_create(
    *,
    center: Any,
    matter: str,
    reason: str,
    outcome: str = "",
    item: Any = None,
    real_name: bool = True,
    name: str = "",
    phone: str = "",
    actor: Any,
    now: dt.datetime | None = None,
) -> BlockedReport:
    """9.4 g) “办不成事”反映窗口: the report, its reason and outcome; handled like a 差评."""
    now = now_or(now)
    require_staff_of(actor, center.pk)
    matter = check_text(matter, "matter", "所办事项", limit=200, required=True)
    reason = check_text(reason, "reason", "办不成的原因", limit=MAX_COMMENT, required=True)
    outcome = check_text(outcome, "outcome", "处理结果", limit=MAX_COMMENT, required=False)
    name, phone = check_contact(real_name, name, phone)
    report = BlockedReport.objects.create(
        center=center,
        item=item,
        department=item.department if item is not None else None,
        matter=matter,
        reason=reason,
        outcome=outcome,
        real_name=real_name,
        name=name,
        phone=phone,
        entered_by=actor,
        at=now,
    )
    workflow.record_audit(report, verb="created", actor=actor, now=now, data={})
    rectification_open(blocked=report, actor=actor, now=now)
    return report
