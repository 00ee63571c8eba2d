"""Helpers of the assistance services: the clock, who may act, numbering, documents through
govhall.documents, signatures taken on screen, the one 代办 transition."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from govhall.assistance.models import ProxyCase, ProxyCounter
from govhall.core import workflow
from govhall.core.counters import next_serial
from govhall.core.errors import Forbidden, InvalidInput, NotFound
from govhall.documents.models import Document, DocumentKind, StoredFile
from govhall.documents.services import document_create, stored_file_save
from govhall.org.models import Center
from govhall.org.selectors import scope_for

now_or = workflow.resolve_now
# Who keeps the 帮办/代办 records of a center (and managers, who answer for them).
PROXY_ROLES = frozenset({"proxy", "manager"})
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_BYTES = 512 * 1024


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def handler_name(actor: Any) -> str:
    if getattr(actor, "pk", None):
        return actor.display_name or actor.username
    return "系统"


def actor_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def require_proxy_staff(actor: Any, center_id: int, *, what: str = "该代办") -> None:
    """Proxies and managers of the center act; other staff of it get 403, anyone else 404."""
    scope = scope_for(actor)
    if scope.is_admin or scope.has_any_role(PROXY_ROLES, center_id):
        return
    if scope.sees_center(center_id):
        raise Forbidden("只有本中心帮代办人员或负责人可以办理帮办代办。")
    raise NotFound(f"未找到{what}。")


def allocate_number(center: Center, year: int) -> str:
    """Next 代办 number of the center and year, without gaps (the counter row stays locked
    until the caller commits)."""
    serial = next_serial(ProxyCounter, center=center, year=year)
    return f"DB-{center.code}-{year}-{serial:05d}"


def issue(
    center: Center, *, title: str, render: Callable[[str], bytes], related: Any, actor, now
) -> Document:
    return document_create(
        kind=DocumentKind.OTHER,
        center=center,
        issuer_short_name=center.short_name or center.name[:6],
        title=title,
        render=render,
        related=related,
        actor=actor,
        now=now,
    )


def signature(data: bytes | None, field: str) -> bytes:
    if not data or not data.startswith(PNG_MAGIC):
        raise InvalidInput("请在屏幕上签名（PNG 图片）。", field=field)
    if len(data) > MAX_SIGNATURE_BYTES:
        raise InvalidInput("签名图片过大。", field=field)
    return data


def store_signature(
    center: Center, png: bytes, name: str, *, field: str, actor, now
) -> tuple[StoredFile, str]:
    stored = stored_file_save(
        center=center, data=png, filename=name, actor=actor, now=now, field=field
    )
    return stored, hashlib.sha256(png).hexdigest()


ACTION_LABELS = {
    "applied": "登记代办申请",
    "authorised": "签署委托书",
    "taken_in": "收件",
    "chased": "督办",
    "delivered": "送达",
    "closed": "邀请评价并办结",
    "terminated": "终止代办",
}


def transition(
    p: ProxyCase,
    target: str,
    *,
    action: str,
    actor: Any,
    now: dt.datetime,
    reason: str = "",
    changes: dict[str, Any] | None = None,
) -> ProxyCase:
    """The one place a 代办's status changes (govhall.core.workflow)."""
    return workflow.transition(
        p,
        target,
        action=action,
        actor=actor,
        now=now,
        reason=reason,
        changes={"status_changed_at": now, **(changes or {})},
        audit_data=lambda locked: {"number": locked.number},
        refused=lambda locked: (
            f"代办当前为“{locked.get_status_display()}”，不能{ACTION_LABELS.get(action, action)}。"
        ),
    )
