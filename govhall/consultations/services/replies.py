"""Replies to consultations (6.5.4: 窗口、电话、网络、信函): by SMS through the outbox, by a
phone-call task, by a reply letter (PDF through documents), online (the lookup page);
the one-time notice of an item sent by SMS (6.1.2); the audited reveal of a phone number."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction

from govhall.consultations.models import Consultation, ReplyChannel, Status
from govhall.consultations.services._common import (
    ANSWER_MAX,
    clean_phone,
    clean_text,
    local_day,
    lookup_url,
    require_desk,
    require_visible,
    transition,
)
from govhall.core import workflow
from govhall.core.errors import InvalidInput, InvalidTransition
from govhall.documents.models import DocumentKind
from govhall.documents.pdf import PdfDocument
from govhall.documents.services import document_create
from govhall.notifications.models import PhoneCallTask
from govhall.notifications.selectors import call_tasks_by_id
from govhall.notifications.services import (
    call_task_record_outcome,
    call_task_request,
    normalize_mobile,
    notification_send,
)

_now = workflow.resolve_now
SUMMARY_CHARS = 40


def _summary(answer: str) -> str:
    text = " ".join(answer.split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


def _letter(consultation: Consultation, answer: str, actor: Any, now: dt.datetime):
    center = consultation.center
    handler = (getattr(actor, "display_name", "") or getattr(actor, "username", "")) or "系统"

    def render(number: str) -> bytes:
        pdf = PdfDocument(
            center_name=center.name,
            number=number,
            date=local_day(now),
            qr_url=lookup_url(consultation.lookup_code),
            qr_caption="扫码查看答复",
            subject="咨询答复函",
        )
        pdf.title("咨询答复函")
        pdf.key_values(
            [
                ("登记编号", consultation.number),
                ("咨询人", consultation.masked_name or "—"),
                ("咨询时间", f"{local_day(consultation.received_at):%Y-%m-%d}"),
                ("咨询内容", consultation.question),
            ]
        )
        pdf.heading("答复")
        pdf.paragraph(answer, indent=True)
        if center.phone:
            pdf.paragraph(f"如有疑问，请致电{center.phone}。", small=True)
        pdf.signature_block(issuer=center.name, handler=handler)
        return pdf.render()

    return document_create(
        kind=DocumentKind.OTHER,
        center=center,
        issuer_short_name=center.short_name or center.name[:6],
        title=f"咨询答复函 {consultation.number}",
        render=render,
        related=consultation,
        actor=actor,
        now=now,
    )


def _replied(
    consultation: Consultation, *, channel: str, answer: str, actor: Any, now: dt.datetime, **extra
) -> Consultation:
    """REPLIED, and CLOSED at once when the one replying is the owner (nobody else to tell);
    otherwise the owner sees it answered and closes it."""
    owner_id = consultation.owner_id or (actor.pk if getattr(actor, "pk", None) else None)
    consultation = transition(
        consultation,
        Status.REPLIED,
        action="replied",
        actor=actor,
        now=now,
        reason=ReplyChannel(channel).label,
        changes={
            "answer": answer,
            "reply_channel": channel,
            "replied_at": now,
            "replied_by": actor if getattr(actor, "pk", None) else None,
            "owner_id": owner_id,
            **extra,
        },
    )
    if owner_id is not None and owner_id == getattr(actor, "pk", None):
        consultation = transition(
            consultation,
            Status.CLOSED,
            action="closed",
            actor=actor,
            now=now,
            changes={"closed_at": now},
        )
    return consultation


@transaction.atomic
def consultation_reply(
    *,
    consultation: Consultation,
    answer: str,
    actor: Any,
    channel: str = "",
    now: dt.datetime | None = None,
) -> Consultation:
    """6.5.1: "…不能即时答复的，应建立咨询服务台账…并约定答复时间。" 6.5.4: "咨询服务方式可采用
    窗口、电话、网络、信函等方式。" The reply is recorded and sent: SMS (outbox, template
    `consultation_reply` with the lookup link), a phone-call task (the answer read out; the
    consultation is replied when the call's result is recorded), a reply letter (PDF), online
    (shown on the lookup page; an SMS with the link when a mobile is known), or in person."""
    now = _now(now)
    require_visible(actor, consultation)
    answer = clean_text(answer, "answer", "答复内容", ANSWER_MAX)
    if not channel:
        channel = ReplyChannel.SMS if normalize_mobile(consultation.phone) else ReplyChannel.ONLINE
    if channel not in ReplyChannel.values:
        raise InvalidInput("请选择答复方式。", field="channel")
    if not consultation.is_open:
        raise InvalidTransition(f"该咨询当前为“{consultation.get_status_display()}”，不能答复。")
    mobile = normalize_mobile(consultation.phone)
    if channel == ReplyChannel.SMS and not mobile:
        raise InvalidInput("咨询人未留手机号码，不能短信答复。", field="channel")
    if channel == ReplyChannel.CALL:
        return _call(consultation, answer, actor, now)
    extra: dict[str, Any] = {}
    if channel == ReplyChannel.LETTER:
        extra["letter_id"] = _letter(consultation, answer, actor, now).pk
    if mobile and channel in (ReplyChannel.SMS, ReplyChannel.ONLINE):
        notification_send(
            template="consultation_reply",
            to=mobile,
            params={
                "name": consultation.masked_name or "咨询人",
                "answer_summary": _summary(answer),
                "link": lookup_url(consultation.lookup_code),
            },
            related=consultation,
            center=consultation.center,
            now=now,
        )
    return _replied(consultation, channel=channel, answer=answer, actor=actor, now=now, **extra)


def _call(consultation: Consultation, answer: str, actor: Any, now: dt.datetime) -> Consultation:
    if not consultation.phone:
        raise InvalidInput("咨询人未留联系电话，不能电话答复。", field="channel")
    if consultation.call_task_id:
        task = call_tasks_by_id([consultation.call_task_id]).get(consultation.call_task_id)
        if task is not None and task.status == PhoneCallTask.Status.OPEN:
            raise InvalidTransition("该咨询已有待拨打的电话答复任务。")
    task = call_task_request(
        template="consultation_reply_call",
        to=consultation.phone,
        params={"name": consultation.masked_name or "咨询人", "answer": answer.rstrip("。.！!")},
        related=consultation,
        center=consultation.center,
        now=now,
    )
    Consultation.objects.filter(pk=consultation.pk).update(call_task_id=task.pk, answer=answer)
    consultation.call_task_id, consultation.answer = task.pk, answer
    workflow.record_event(
        consultation, action="call_requested", from_status=consultation.status, actor=actor, now=now
    )
    workflow.record_audit(
        consultation, verb="call_requested", actor=actor, now=now, data={"task": task.pk}
    )
    return consultation


@transaction.atomic
def consultation_call_result(
    *,
    consultation: Consultation,
    outcome: str,
    actor: Any,
    note: str = "",
    now: dt.datetime | None = None,
) -> Consultation:
    """The result of the reply call (A.3.5 "您好，我是XX政务服务中心XX窗口"): reached → the
    consultation is replied; no answer or a wrong number are recorded and it stays open."""
    now = _now(now)
    require_visible(actor, consultation)
    if not consultation.call_task_id:
        raise InvalidInput("该咨询没有电话答复任务。", field="outcome")
    call_task_record_outcome(
        task_id=consultation.call_task_id, outcome=outcome, note=note, actor=actor, now=now
    )
    if outcome == PhoneCallTask.Outcome.REACHED:
        return _replied(
            consultation,
            channel=ReplyChannel.CALL,
            answer=consultation.answer,
            actor=actor,
            now=now,
        )
    workflow.record_event(
        consultation,
        action="call_attempt",
        from_status=consultation.status,
        actor=actor,
        now=now,
        reason=f"{PhoneCallTask.Outcome(outcome).label}{'：' + note if note else ''}",
    )
    return consultation


def consultations_sync_calls(*, now: dt.datetime | None = None) -> int:
    """Reply calls whose result was recorded on the notifications call screen: a reached
    call replies the consultation. Idempotent (only open consultations move)."""
    now = _now(now)
    open_ = list(
        Consultation.objects.filter(
            status__in=(Status.PENDING, Status.TRANSFERRED), call_task_id__isnull=False
        ).values_list("pk", "call_task_id")
    )
    tasks = call_tasks_by_id([t for _, t in open_])
    moved = 0
    for pk, task_id in open_:
        task = tasks.get(task_id)
        if task is None or task.outcome != PhoneCallTask.Outcome.REACHED:
            continue
        with transaction.atomic():
            consultation = Consultation.objects.select_for_update().get(pk=pk)
            if not consultation.is_open:
                continue
            _replied(
                consultation,
                channel=ReplyChannel.CALL,
                answer=consultation.answer,
                actor=task.done_by,
                now=now,
            )
            moved += 1
    return moved


@transaction.atomic
def consultation_phone_reveal(
    *, consultation: Consultation, actor: Any, now: dt.datetime | None = None
) -> str:
    """The full number for the reply action (masked everywhere else); each reveal audited."""
    now = _now(now)
    require_visible(actor, consultation)
    workflow.record_audit(
        consultation,
        verb="phone_revealed",
        actor=actor,
        now=now,
        data={"number": consultation.number, "purpose": "reply"},
    )
    return consultation.phone


def guide_link(item: Any) -> str:
    return f"{settings.SITE_URL}/api/v1/items/{item.code}/notice.pdf"


@transaction.atomic
def consultation_guide_send(
    *,
    center: Any,
    item: Any,
    phone: str,
    actor: Any,
    consultation: Consultation | None = None,
    now: dt.datetime | None = None,
) -> None:
    """6.1.2 一次性告知: "…将非涉密的办理依据、时限、申请材料等内容一次性告知完毕。对不在本中心
    办理的事项，明确告知办理路径，以及事项的前序、后序办事环节…" The item's place and a link
    to its printable one-time notice, by SMS through the outbox."""
    now = _now(now)
    require_desk(actor, center)
    phone = clean_phone(phone, required=True)
    if not normalize_mobile(phone):
        raise InvalidInput("请填写手机号码以接收短信。", field="phone")
    guide = getattr(item, "published", None)
    if guide is None or item.center_id != center.pk:
        raise InvalidInput("未找到该事项或未发布办事指南。", field="item_code")
    place = guide.handling_place
    if not guide.handled_here and guide.outside_address:
        place = f"{place}（{guide.outside_address}）"
    notification_send(
        template="consultation_guide",
        to=phone,
        params={"item": item.name, "place": place, "link": guide_link(item)},
        related=consultation,
        center=center,
        now=now,
    )
    if consultation is not None:
        workflow.record_event(
            consultation,
            action="guide_sent",
            from_status=consultation.status,
            actor=actor,
            now=now,
            reason=f"短信发送“{item.name}”一次性告知",
        )
