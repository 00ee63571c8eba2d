"""Recording, transferring and closing consultations; the overdue sweep."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from govhall.consultations.models import (
    Channel,
    Consultation,
    Kind,
    OverdueAlert,
    ReplyChannel,
    Status,
)
from govhall.consultations.services._common import (
    ANSWER_MAX,
    QUESTION_MAX,
    center_settings,
    clean_phone,
    clean_text,
    local_day,
    new_lookup_code,
    new_number,
    reply_due,
    require_desk,
    require_visible,
    transition,
)
from govhall.core import workdays, workflow
from govhall.core.errors import Forbidden, InvalidInput
from govhall.notifications.services import normalize_mobile, notification_send
from govhall.org.models import Center, Department, Role, RoleAssignment, User
from govhall.org.selectors import scope_for

_now = workflow.resolve_now

# The reply channel of an answer given at once, by the channel the question came in by.
AT_ONCE = {
    Channel.DESK: ReplyChannel.DESK,
    Channel.PHONE: ReplyChannel.CALL,
    Channel.ONLINE: ReplyChannel.ONLINE,
    Channel.LETTER: ReplyChannel.LETTER,
}


def _create(
    *,
    center: Center,
    channel: str,
    question: str,
    item: Any,
    name: str,
    phone: str,
    kind: str,
    owner: Any,
    now: dt.datetime,
    action_taken: str = "",
    passed_to: str = "",
) -> Consultation:
    consultation = Consultation.objects.create(
        center=center,
        number=new_number(now),
        lookup_code=new_lookup_code(),
        kind=kind,
        channel=channel,
        status=Status.RECORDED,
        question=question,
        item=item,
        name=name,
        phone=phone,
        received_at=now,
        owner=owner if getattr(owner, "pk", None) else None,
        assignee=owner if getattr(owner, "pk", None) else None,
        action_taken=action_taken,
        passed_to=passed_to,
    )
    workflow.record_event(consultation, action="recorded", from_status="", actor=owner, now=now)
    workflow.record_audit(
        consultation,
        verb="recorded",
        actor=owner,
        now=now,
        data={"number": consultation.number, "channel": channel, "kind": kind},
    )
    return consultation


def _ledger(consultation: Consultation, *, actor: Any, now: dt.datetime) -> Consultation:
    due = reply_due(consultation.center, consultation.received_at)
    return transition(
        consultation,
        Status.PENDING,
        action="ledgered",
        actor=actor,
        now=now,
        reason=f"约定{due.date:%Y-%m-%d}前答复",
        changes={"reply_due": due.date, "reply_due_provisional": due.provisional},
    )


@transaction.atomic
def consultation_record(
    *,
    center: Center,
    channel: str,
    question: str,
    actor: Any,
    now: dt.datetime | None = None,
    item: Any = None,
    name: str = "",
    phone: str = "",
    answered_now: bool = False,
    answer: str = "",
    kind: str = Kind.QUESTION,
    action_taken: str = "",
    passed_to: str = "",
) -> Consultation:
    """6.1.1 首问负责: "服务对象申请办理或咨询、投诉相关事宜时，政务服务中心首次接待或受理的
    服务人员应依法办理、答复相关事项，或者引导、协调联系相关单位和人员办理、答复相关事项。"
    6.5.1: "可即时答复的应即时答复；不能即时答复的，应建立咨询服务台账，记录咨询内容要点和
    服务对象基本信息、联系方式，并约定答复时间。" 6.5.3 c): "接受服务对象救助请求并协助相关
    部门及时处理。" 6.5.4: "咨询服务方式可采用窗口、电话、网络、信函等方式。"

    The receiving staff member becomes the owner (首问责任人). Answered now: closed as
    answered at once; otherwise in the ledger with the reply date agreed (per-center working
    days). A rescue request records what was done and whom it was passed to."""
    now = _now(now)
    require_desk(actor, center)
    if channel not in Channel.values:
        raise InvalidInput("请选择咨询渠道。", field="channel")
    if kind not in Kind.values:
        raise InvalidInput("请选择咨询类型。", field="kind")
    question = clean_text(question, "question", "咨询内容", QUESTION_MAX)
    name = clean_text(name, "name", "咨询人姓名", 100, required=False)
    phone = clean_phone(phone)
    if item is not None and item.center_id != center.pk:
        raise InvalidInput("该事项不属于本中心。", field="item_code")
    action_taken = clean_text(action_taken, "action_taken", "已采取措施", 2000, required=False)
    passed_to = clean_text(passed_to, "passed_to", "移交对象", 200, required=False)
    if kind == Kind.RESCUE and not action_taken:
        raise InvalidInput("求助/紧急情况请填写已采取的措施。", field="action_taken")
    if answered_now:
        answer = clean_text(answer, "answer", "答复内容", ANSWER_MAX)
    elif not phone and channel in (Channel.PHONE, Channel.LETTER):
        raise InvalidInput("不能当场答复的咨询须留下联系电话以便答复。", field="phone")
    consultation = _create(
        center=center,
        channel=channel,
        question=question,
        item=item,
        name=name,
        phone=phone,
        kind=kind,
        owner=actor,
        now=now,
        action_taken=action_taken,
        passed_to=passed_to,
    )
    if not answered_now:
        return _ledger(consultation, actor=actor, now=now)
    return transition(
        consultation,
        Status.ANSWERED,
        action="answered",
        actor=actor,
        now=now,
        changes={
            "answer": answer,
            "reply_channel": AT_ONCE[channel],
            "replied_at": now,
            "replied_by": actor,
            "closed_at": now,
        },
    )


@transaction.atomic
def online_consultation_submit(
    *,
    center: Center,
    question: str,
    name: str = "",
    phone: str = "",
    item: Any = None,
    now: dt.datetime | None = None,
) -> Consultation:
    """6.5.4 (网络): a question from the portal lands in the ledger with the agreed reply
    date; the person keeps the lookup code to see the reply. Its first receiver is the
    staff member who first takes it up (transfer or reply)."""
    now = _now(now)
    question = clean_text(question, "question", "咨询内容", QUESTION_MAX)
    name = clean_text(name, "name", "姓名", 100, required=False)
    phone = clean_phone(phone)
    if item is not None and item.center_id != center.pk:
        raise InvalidInput("该事项不属于本中心。", field="item_code")
    consultation = _create(
        center=center,
        channel=Channel.ONLINE,
        question=question,
        item=item,
        name=name,
        phone=phone,
        kind=Kind.QUESTION,
        owner=None,
        now=now,
    )
    return _ledger(consultation, actor=None, now=now)


def _staff_of(center: Center, value: Any) -> User:
    user = None
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        user = User.objects.filter(pk=int(value), is_active=True).first()
    elif isinstance(value, str) and value.strip():
        user = User.objects.filter(username=value.strip(), is_active=True).first()
    if user is None or not scope_for(user).sees_center(center.pk) or user.is_device:
        raise InvalidInput("未找到本中心的该工作人员。", field="to_user")
    return user


def _department_of(center: Center, value: Any) -> Department:
    qs = Department.objects.filter(center=center, is_active=True)
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        department = qs.filter(pk=int(value)).first()
    else:
        department = qs.filter(code=str(value or "").strip()).first()
    if department is None:
        raise InvalidInput("未找到本中心的该部门。", field="to_department")
    return department


@transaction.atomic
def consultation_transfer(
    *,
    consultation: Consultation,
    actor: Any,
    to_user: Any = None,
    to_department: Any = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Consultation:
    """6.1.1: "…或者引导、协调联系相关单位和人员办理、答复相关事项。" The consultation is handed
    to a colleague or a stationed department with a note; the first receiver stays the
    owner (首问责任人) and sees where it is."""
    now = _now(now)
    require_visible(actor, consultation)
    if (to_user in (None, "")) == (to_department in (None, "")):
        raise InvalidInput("请选择转给的人员或部门（二选一）。", field="to_user")
    note = clean_text(note, "note", "转办说明", 500, required=False)
    center = consultation.center
    user = _staff_of(center, to_user) if to_user not in (None, "") else None
    department = _department_of(center, to_department) if user is None else None
    owner_id = consultation.owner_id or (actor.pk if getattr(actor, "pk", None) else None)
    target = user.display_name or user.username if user else department.name
    return transition(
        consultation,
        Status.TRANSFERRED,
        action="transferred",
        actor=actor,
        now=now,
        reason=f"转给{target}" + (f"：{note}" if note else ""),
        changes={"assignee": user, "department": department, "owner_id": owner_id},
        event={"to_user": user, "to_department": department},
    )


@transaction.atomic
def consultation_close(
    *, consultation: Consultation, actor: Any, now: dt.datetime | None = None
) -> Consultation:
    """The owner (or a manager) closes a consultation once its reply is given."""
    now = _now(now)
    require_visible(actor, consultation)
    scope = scope_for(actor)
    if consultation.owner_id not in (None, getattr(actor, "pk", None)) and not scope.has_role(
        Role.MANAGER, consultation.center_id
    ):
        raise Forbidden("只有首问责任人或中心管理人员可以办结。")
    return transition(
        consultation,
        Status.CLOSED,
        action="closed",
        actor=actor,
        now=now,
        changes={"closed_at": now},
    )


def overdue_level(consultation: Consultation, today: dt.date, second_level_days: int) -> int:
    """0 on time; 1 past the agreed date; 2 when `second_level_days` working days past."""
    if not consultation.is_overdue(today):
        return 0
    late = workdays.workdays_between(consultation.reply_due, today)
    return 2 if late >= second_level_days else 1


def _recipients(consultation: Consultation) -> list[User]:
    ids = set(
        RoleAssignment.objects.filter(
            center=consultation.center_id, role=Role.MANAGER, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    if consultation.owner_id:
        ids.add(consultation.owner_id)
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def consultations_flag_overdue(*, now: dt.datetime | None = None, batch: int = 200) -> int:
    """6.5.1 (约定答复时间): replies past their agreed date are flagged, and the owner and the
    center's managers alerted once per level (an alert row each, and an SMS to a staff
    mobile). Idempotent, safe with several workers: rows are claimed with SKIP LOCKED and
    the level moves by a conditional UPDATE. Returns the number of levels raised."""
    now = _now(now)
    today = local_day(now)
    raised = 0
    candidates = Consultation.objects.filter(
        status__in=(Status.PENDING, Status.TRANSFERRED), reply_due__lt=today, overdue_level__lt=2
    ).order_by("reply_due", "pk")
    with transaction.atomic():
        for consultation in candidates.select_for_update(skip_locked=True)[:batch]:
            level = overdue_level(
                consultation, today, center_settings(consultation.center).second_level_days
            )
            if level <= consultation.overdue_level:
                continue
            moved = Consultation.objects.filter(
                pk=consultation.pk, overdue_level=consultation.overdue_level
            ).update(overdue_level=level)
            if moved != 1:
                continue
            for n in range(consultation.overdue_level + 1, level + 1):
                _alert(consultation, n, now)
                raised += 1
    return raised


def _alert(consultation: Consultation, level: int, now: dt.datetime) -> None:
    for user in _recipients(consultation):
        try:
            with transaction.atomic():
                OverdueAlert.objects.create(
                    consultation=consultation, level=level, recipient=user, created_at=now
                )
        except IntegrityError:
            continue  # alerted already
        if normalize_mobile(user.phone):
            notification_send(
                template="consultation_overdue",
                to=user.phone,
                params={
                    "number": consultation.number,
                    "due": f"{consultation.reply_due:%Y-%m-%d}",
                    "level": str(level),
                },
                related=consultation,
                center=consultation.center,
                now=now,
            )
    workflow.record_audit(
        consultation,
        verb="overdue",
        actor=None,
        now=now,
        data={"number": consultation.number, "level": level},
    )
