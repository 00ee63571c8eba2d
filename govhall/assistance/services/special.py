"""Special groups (6.7.3): accompaniment and home/bedside service requests, aid loans."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from govhall.assistance.models_special import (
    Aid,
    AidLoan,
    SpecialGroup,
    SpecialRequest,
)
from govhall.assistance.services._special_common import (
    HALL_ROLES,
    center_of,
    choice,
    clean_mobile,
    clean_text,
    new_number,
    require_hall_staff,
)
from govhall.core import workflow
from govhall.core.errors import Conflict, InvalidInput
from govhall.notifications.services import notification_send
from govhall.org.models import Center, User
from govhall.org.selectors import scope_for

_now = workflow.resolve_now


ACTION_LABELS = {"scheduled": "安排", "done": "登记完成", "cancelled": "取消"}


def _transition(request: SpecialRequest, target: str, *, action: str, actor: Any, now, **kw):
    return workflow.transition(
        request,
        target,
        action=action,
        actor=actor,
        now=now,
        audit_data=lambda r: {"number": r.number, "kind": r.kind},
        refused=lambda r: (
            f"该申请当前为“{r.get_status_display()}”，不能{ACTION_LABELS.get(action, action)}。"
        ),
        **kw,
    )


@transaction.atomic
def special_request_create(
    *,
    center: Center | None,
    kind: str,
    group: str,
    name: str,
    phone: str,
    actor: Any,
    address: str = "",
    item: Any = None,
    description: str = "",
    preferred_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> SpecialRequest:
    """6.7.3: "政务服务中心应为老年人、残疾人等特殊群体办理业务提供必要的便利服务。"

    Records a request for 陪同办理 or 上门/床旁服务 taken by hall staff (by phone, at the
    guide desk). Home and bedside service need the place."""
    now = _now(now)
    center = center_of(center)
    require_hall_staff(actor, center.pk)
    kind = choice(kind, SpecialRequest.Kind, "kind", "服务类型")
    group = choice(group, SpecialGroup, "group", "服务对象类别")
    name = clean_text(name, "name", "服务对象姓名", 100)
    phone = clean_mobile(phone)
    address = clean_text(address, "address", "服务地点", 200, required=kind != "accompany")
    description = clean_text(description, "description", "需求说明", 2000, required=False)
    if item is not None and item.center_id != center.pk:
        raise InvalidInput("该事项不属于本中心。", field="item_code")
    if preferred_at is not None and preferred_at < now - dt.timedelta(minutes=5):
        raise InvalidInput("希望时间不能早于现在。", field="preferred_at")
    request = SpecialRequest.objects.create(
        center=center,
        number=new_number("TS", now),
        kind=kind,
        group=group,
        name=name,
        phone=phone,
        address=address,
        item=item,
        description=description,
        preferred_at=preferred_at,
        requested_at=now,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    workflow.record(
        request,
        action="requested",
        from_status="",
        actor=actor,
        now=now,
        audit_data={"number": request.number, "kind": kind, "group": group},
    )
    return request


def _require_visible(request: SpecialRequest, actor: Any) -> None:
    require_hall_staff(actor, request.center_id, "该服务申请")


@transaction.atomic
def special_request_schedule(
    *,
    request: SpecialRequest,
    scheduled_at: dt.datetime,
    staff: User,
    actor: Any,
    now: dt.datetime | None = None,
) -> SpecialRequest:
    """6.7.3 (便利服务): the visit or accompaniment is fixed — when, and which staff member
    goes; the person is told by SMS. A scheduled request may be moved to another time or
    staff member (recorded, not a move of state)."""
    now = _now(now)
    _require_visible(request, actor)
    if scheduled_at is None or scheduled_at < now - dt.timedelta(minutes=5):
        raise InvalidInput("安排时间不能早于现在。", field="scheduled_at")
    if staff is None or not scope_for(staff).has_any_role(HALL_ROLES, request.center_id):
        raise InvalidInput("服务人员须为本中心工作人员。", field="staff")
    changes = {"scheduled_at": scheduled_at, "staff": staff}
    staff_name = staff.display_name or staff.username
    when = timezone.localtime(scheduled_at).strftime("%m月%d日 %H:%M")
    reason = f"{when} 由{staff_name}服务"
    outbox = [
        lambda r: notification_send(
            template="special_service_scheduled",
            to=r.phone,
            params={
                "name": r.name,
                "service": r.get_kind_display(),
                "time": when,
                "staff": staff_name,
                "phone": r.center.phone or "本中心咨询电话",
            },
            related=r,
            center=r.center,
            now=now,
        )
    ]
    locked = SpecialRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status == SpecialRequest.Status.SCHEDULED:
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.save(update_fields=list(changes))
        workflow.record(
            locked,
            action="rescheduled",
            from_status=locked.status,
            actor=actor,
            now=now,
            reason=reason,
            audit_data={"number": locked.number},
        )
        for message in outbox:
            message(locked)
        return locked
    return _transition(
        locked,
        SpecialRequest.Status.SCHEDULED,
        action="scheduled",
        actor=actor,
        now=now,
        reason=reason,
        changes=changes,
        lock=False,
        outbox=outbox,
    )


@transaction.atomic
def special_request_complete(
    *,
    request: SpecialRequest,
    visit_note: str,
    actor: Any,
    items_handled: str = "",
    applicant_signed: bool = False,
    now: dt.datetime | None = None,
) -> SpecialRequest:
    """6.7.3 (便利服务): the record of the visit or accompaniment — what was done, which
    matters were handled, whether the person signed to confirm."""
    now = _now(now)
    _require_visible(request, actor)
    visit_note = clean_text(visit_note, "visit_note", "服务记录", 2000)
    items_handled = clean_text(items_handled, "items_handled", "办理事项记录", 500, required=False)
    return _transition(
        request,
        SpecialRequest.Status.DONE,
        action="done",
        actor=actor,
        now=now,
        reason=visit_note[:200],
        changes={
            "done_at": now,
            "visit_note": visit_note,
            "items_handled": items_handled,
            "applicant_signed": bool(applicant_signed),
        },
    )


@transaction.atomic
def special_request_cancel(
    *, request: SpecialRequest, reason: str, actor: Any, now: dt.datetime | None = None
) -> SpecialRequest:
    """6.7.3: a request withdrawn by the person or that cannot be served, with the reason."""
    now = _now(now)
    _require_visible(request, actor)
    reason = clean_text(reason, "reason", "取消原因", 500)
    return _transition(
        request,
        SpecialRequest.Status.CANCELLED,
        action="cancelled",
        actor=actor,
        now=now,
        reason=reason,
        changes={"cancel_reason": reason},
    )


@transaction.atomic
def aid_lend(
    *,
    aid: Aid,
    borrower_name: str,
    actor: Any,
    borrower_phone: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> AidLoan:
    """6.7.3 (便利服务): an aid (wheelchair, reading glasses…) lent to a person in the hall.
    An aid already lent out is not lent again (409): the aid row is locked, and one open
    loan per aid is a database constraint for the race the lock cannot see (SQLite)."""
    now = _now(now)
    require_hall_staff(actor, aid.center_id, "该设施")
    borrower_name = clean_text(borrower_name, "borrower_name", "借用人姓名", 100)
    borrower_phone = clean_mobile(borrower_phone, "borrower_phone", required=False)
    note = clean_text(note, "note", "说明", 200, required=False)
    locked = Aid.objects.select_for_update().get(pk=aid.pk)
    if not (locked.is_active and locked.lendable):
        raise Conflict(f"{locked}不可借用。", field="aid")
    if AidLoan.objects.filter(aid=locked, returned_at__isnull=True).exists():
        raise Conflict(f"{locked}已借出，尚未归还。", field="aid")
    try:
        with transaction.atomic():
            loan = AidLoan.objects.create(
                aid=locked,
                center_id=locked.center_id,
                borrower_name=borrower_name,
                borrower_phone=borrower_phone,
                lent_at=now,
                lent_by=actor if getattr(actor, "pk", None) else None,
                note=note,
            )
    except IntegrityError as exc:
        raise Conflict(f"{locked}已借出，尚未归还。", field="aid") from exc
    workflow.record_audit(
        loan, verb="lent", actor=actor, now=now, data={"aid": str(locked), "loan": loan.pk}
    )
    return loan


@transaction.atomic
def aid_return(*, loan: AidLoan, actor: Any, now: dt.datetime | None = None) -> AidLoan:
    """6.7.3 (便利服务): the aid is back at its place. Returned twice: 409."""
    now = _now(now)
    require_hall_staff(actor, loan.center_id, "该借用记录")
    moved = AidLoan.objects.filter(pk=loan.pk, returned_at__isnull=True).update(
        returned_at=now, returned_to=actor if getattr(actor, "pk", None) else None
    )
    if moved != 1:
        raise Conflict("该设施已归还。", field="loan")
    loan.refresh_from_db()
    workflow.record_audit(
        loan, verb="returned", actor=actor, now=now, data={"aid": str(loan.aid), "loan": loan.pk}
    )
    return loan
