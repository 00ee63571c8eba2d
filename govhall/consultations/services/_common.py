"""Helpers shared by the consultation services: scope checks, numbering, input checks,
the reply date, the one status transition."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from govhall.consultations.models import CenterSettings, Consultation
from govhall.core import workdays, workflow
from govhall.core.errors import InvalidInput, NotFound
from govhall.core.validators import validate_mobile
from govhall.org.models import Center, Role
from govhall.org.selectors import scope_for

# Roles that receive consultations: the consultants and every window (6.1.1: whoever is
# asked first).
DESK_ROLES = frozenset(
    {Role.CONSULTANT, Role.GUIDE, Role.CLERK, Role.OUTPUT_CLERK, Role.PROXY, Role.MANAGER}
)
LOOKUP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
QUESTION_MAX = 2000
ANSWER_MAX = 4000


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def center_settings(center: Center) -> CenterSettings:
    found = CenterSettings.objects.filter(center=center).first()
    return found or CenterSettings(center=center)


def reply_due(center: Center, received_at: dt.datetime) -> workdays.WorkdayResult:
    """6.5.1: the agreed reply date, the center's default number of working days after the
    day of receipt (the day itself not counted)."""
    return workdays.add_workdays_info(local_day(received_at), center_settings(center).reply_days)


def new_number(now: dt.datetime) -> str:
    return f"ZX{local_day(now):%Y%m%d}-{secrets.token_hex(3).upper()}"


def new_lookup_code() -> str:
    return "".join(secrets.choice(LOOKUP_ALPHABET) for _ in range(8))


def lookup_url(code: str) -> str:
    return f"{settings.SITE_URL}/consult/lookup/?code={code}"


def clean_phone(value: str, *, required: bool = False) -> str:
    value = (value or "").strip().replace(" ", "")
    if not value:
        if required:
            raise InvalidInput("请填写联系电话。", field="phone")
        return ""
    if value.startswith("1"):
        try:
            return validate_mobile(value)
        except ValidationError as exc:
            raise InvalidInput("手机号码格式不正确。", field="phone") from exc
    if _LANDLINE.match(value):
        return value
    raise InvalidInput("联系电话格式不正确（手机号或带区号的固定电话）。", field="phone")


def clean_text(value: str, field: str, label: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(f"请填写{label}。", field=field)
    if len(value) > limit:
        raise InvalidInput(f"{label}不能超过{limit}字。", field=field)
    return value


def require_desk(actor: Any, center: Center) -> None:
    """Staff who receive consultations at this center; anyone else: not found."""
    scope = scope_for(actor)
    if not scope.has_any_role(DESK_ROLES, center.pk):
        raise NotFound("未找到该中心。", field="center")


def visible(actor: Any, consultation: Consultation) -> bool:
    """The one scope rule of a consultation: center-wide staff see their centers'; a
    department's approvers those transferred to their department; a colleague those
    transferred to them."""
    scope = scope_for(actor)
    if scope.sees(consultation.center_id, consultation.department_id):
        return True
    return (
        bool(getattr(actor, "pk", None))
        and consultation.assignee_id == actor.pk
        and scope.sees_center(consultation.center_id)
    )


def require_visible(actor: Any, consultation: Consultation) -> None:
    if not visible(actor, consultation):
        raise NotFound("未找到该咨询登记。")


ACTION_LABELS = {
    "answered": "当场答复",
    "ledgered": "列入台账",
    "transferred": "转办",
    "replied": "答复",
    "closed": "办结",
}


def transition(
    consultation: Consultation,
    target: str,
    *,
    action: str,
    actor: Any,
    now: dt.datetime,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    event: dict[str, Any] | None = None,
    outbox: list | tuple = (),
) -> Consultation:
    """The one place a consultation's status changes (core.workflow)."""
    return workflow.transition(
        consultation,
        target,
        action=action,
        actor=actor,
        now=now,
        reason=reason,
        changes=changes,
        event=event,
        audit_data=lambda c: {"number": c.number},
        outbox=outbox,
        refused=lambda c: (
            f"该咨询当前为“{c.get_status_display()}”，不能{ACTION_LABELS.get(action, action)}。"
        ),
    )
