"""Result handover to the comprehensive output window (7.5.1) and release (7.5.2): pickup
against an on-screen signature, or mail.

7.5.1.1: 审批部门应在承诺办理时限截止前1个工作日，将办理结果文件或证件及交接凭证转交综合出件
窗口（即办件即行交接）。
7.5.1.2: 综合出件窗口人员在核对办理结果文件或证件及交接凭证所载信息无误后，在交接凭证上签收，
经核对发现信息有误的，不予接收。
7.5.2: 综合出件窗口人员在收到办理结果文件或证件及交接凭证之日起1个工作日内，发送取件通知。
通过窗口自取的，综合出件窗口人员核对相关信息无误后发放结果文件或证件，并要求服务对象登记签收；
需邮寄方式送达的，应做好相应登记。
6.7.2: 邮寄费用按照当地标准执行,有条件的地区可开展免费邮寄服务。"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from govhall.cases.models import (
    Case,
    CaseProblem,
    CaseRelease,
    CaseResult,
    CenterOutputPolicy,
    Delivery,
    Status,
)
from govhall.cases.services import _common as c
from govhall.cases.services import flow
from govhall.cases.services import flow_notices as fn
from govhall.cases.services.fees import require_fee_settled
from govhall.core import workdays
from govhall.core.errors import InvalidInput, InvalidTransition
from govhall.core.validators import validate_resident_id
from govhall.documents.models import DocumentKind
from govhall.documents.services import stored_file_save

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_BYTES = 512 * 1024


def _result_of(case: Case, now: dt.datetime, actor: Any) -> CaseResult:
    """The case's result; a 即办件 approved at the window gets its record here."""
    result = CaseResult.objects.filter(case=case).first()
    if result is None:
        result = CaseResult.objects.create(
            case=case,
            outcome=CaseResult.Outcome.APPROVED,
            result_type=CaseResult.ResultType.OTHER,
            result_no=case.number,
            decided_on=c.local_day(case.status_changed_at),
            decided_by=flow.actor_or_none(actor),
        )
    return result


@transaction.atomic
def case_result_handover(*, case: Case, actor: Any, now: dt.datetime | None = None) -> Case:
    """The department hands the result with its 交接凭证 to the output window."""
    now = c._now(now)
    c.require_department(actor, case)
    locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    changes: dict[str, Any] = {"result_handed_at": now}
    if locked.handover_due is None and locked.promised_due is not None:
        # 即办件 (never in approval): handed over at once, due the same day.
        changes |= {"handover_due": locked.promised_due, "handover_due_provisional": False}
    case = c.transition(
        locked, Status.RESULT_HANDED, action="result_handed", actor=actor, now=now, changes=changes
    )
    result = _result_of(case, now, actor)
    result.voucher = flow.department_document(
        case,
        kind=DocumentKind.HANDOVER_VOUCHER,
        title="交接凭证",
        render=fn.handover_voucher(
            case, result, handler=c.handler_name(actor), day=c.local_day(now)
        ),
        actor=actor,
        now=now,
    )
    result.handed_by = flow.actor_or_none(actor)
    result.save(update_fields=["voucher", "handed_by"])
    return case


@transaction.atomic
def case_result_receive(
    *, case: Case, ok: bool, problem: str = "", actor: Any, now: dt.datetime | None = None
) -> Case:
    """The output window checks the result against the voucher: signs for it (the pickup
    notice is then due within 1 working day) or refuses it with the problem, which returns
    it to the department."""
    now = c._now(now)
    flow.require_output(actor, case)
    if not ok and not (problem or "").strip():
        raise InvalidInput("拒收须写明核对发现的问题。", field="problem")
    locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    today = c.local_day(now)
    if ok:
        due = workdays.add_workdays_info(today, 1)
        case = c.transition(
            locked,
            Status.OUTPUT_RECEIVED,
            action="result_received",
            actor=actor,
            now=now,
            changes={"output_received_on": today, "pickup_notice_due": due.date},
        )
        CaseResult.objects.filter(case=case).update(received_by=flow.actor_or_none(actor))
        return case
    case = c.transition(
        locked,
        Status.APPROVED,
        action="result_refused",
        actor=actor,
        now=now,
        reason=problem.strip(),
        changes={"result_handed_at": None},
    )
    CaseProblem.objects.create(
        case=case,
        source=CaseProblem.Source.RESULT,
        text=problem.strip()[:500],
        raised_at=now,
        raised_by=flow.actor_or_none(actor),
    )
    return case


def pickup_place(case: Case) -> str:
    return f"{case.center.name}综合出件窗口"


@transaction.atomic
def case_pickup_notify(*, case: Case, actor: Any = None, now: dt.datetime | None = None) -> Case:
    """The pickup notice by SMS (a phone-call task where there is no mobile)."""
    now = c._now(now)
    if actor is not None:
        flow.require_output(actor, case)
    locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if locked.delivery == Delivery.MAIL:
        raise InvalidTransition("该办件选择邮寄送达，请登记邮寄。")
    case = c.transition(
        locked,
        Status.PICKUP_NOTIFIED,
        action="pickup_notified",
        actor=actor,
        now=now,
        changes={"pickup_notified_at": now},
    )
    flow.notify(case, "pickup_ready", now=now, place=pickup_place(case))
    return case


def cases_pickup_notices(now: dt.datetime) -> int:
    """Job: every result signed for at the output window gets its notice without waiting
    for a clerk (one transaction per case; a case moved meanwhile is skipped)."""
    sent = 0
    ids = Case.objects.filter(status=Status.OUTPUT_RECEIVED, delivery=Delivery.PICKUP).values_list(
        "pk", flat=True
    )
    for case in Case.objects.filter(pk__in=list(ids[:500])).select_related("item", "center"):
        try:
            case_pickup_notify(case=case, now=now)
        except InvalidTransition:
            continue
        sent += 1
    return sent


def _signature(data: bytes | None) -> bytes:
    if not data or not data.startswith(PNG_MAGIC):
        raise InvalidInput("请领取人在屏幕上签名（PNG 图片）。", field="signature_png_base64")
    if len(data) > MAX_SIGNATURE_BYTES:
        raise InvalidInput("签名图片过大。", field="signature_png_base64")
    return data


@transaction.atomic
def case_pickup(
    *,
    case: Case,
    signature_png: bytes | None,
    id_checked: bool,
    signer_name: str = "",
    signer_id_number: str = "",
    agent: bool = False,
    authorization: str = "",
    actor: Any,
    now: dt.datetime | None = None,
) -> tuple[Case, CaseRelease]:
    """Pickup at the window: identity checked (the applicant, or an agent with an
    authorisation), the signature taken on screen (PNG, SHA-256 kept), the 领取签收单 issued
    and the case closed. A.2.6: “这是您的XXXX，请您核对后签收”。"""
    now = c._now(now)
    flow.require_release(actor, case)
    png = _signature(signature_png)
    if not id_checked:
        raise InvalidInput("请先核验领取人身份证件。", field="id_checked")
    if agent:
        if not (signer_name or "").strip():
            raise InvalidInput("请填写代理人姓名。", field="signer_name")
        if not (authorization or "").strip():
            raise InvalidInput("代理人领取须查验授权委托书。", field="authorization")
        try:
            signer_id_number = validate_resident_id(signer_id_number or "")
        except ValidationError as exc:
            raise InvalidInput("代理人身份证号码无效。", field="signer_id_number") from exc
    else:
        signer_name, signer_id_number = case.applicant_name, case.id_number
    locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if locked.status not in (Status.PICKUP_NOTIFIED, Status.OUTPUT_RECEIVED):
        raise InvalidTransition(f"办件当前为“{locked.get_status_display()}”，不能领取签收。")
    require_fee_settled(locked)
    if locked.status == Status.OUTPUT_RECEIVED:  # came before the notice went out
        locked = c.transition(
            locked,
            Status.PICKUP_NOTIFIED,
            action="pickup_notified",
            actor=actor,
            now=now,
            reason="申请人到窗口领取（当面告知）",
            changes={"pickup_notified_at": now},
        )
    stored = stored_file_save(
        center=locked.center,
        data=png,
        filename=f"signature-{locked.number}.png",
        actor=actor,
        now=now,
        field="signature_png_base64",
    )
    release = CaseRelease.objects.create(
        case=locked,
        method=CaseRelease.Method.PICKUP,
        signer_name=signer_name.strip(),
        signer_is_agent=agent,
        signer_id_number=signer_id_number,
        authorization=(authorization or "").strip(),
        id_checked=True,
        signature=stored,
        signature_sha256=hashlib.sha256(png).hexdigest(),
        released_at=now,
        released_by=flow.actor_or_none(actor),
    )
    case = c.transition(
        locked,
        Status.CLOSED,
        action="picked_up",
        actor=actor,
        now=now,
        reason=f"{release.signer_name}{'（代理人）' if agent else ''}签收",
        changes={"closed_at": now},
    )
    release.receipt = flow.center_document(
        case,
        kind=DocumentKind.PICKUP_RECEIPT,
        title="领取签收单",
        render=fn.pickup_receipt(
            case, release, signature_png=png, handler=c.handler_name(actor), day=c.local_day(now)
        ),
        actor=actor,
        now=now,
    )
    release.save(update_fields=["receipt"])
    return case, release


@transaction.atomic
def case_mail(
    *,
    case: Case,
    carrier: str,
    tracking_no: str,
    address: str = "",
    actor: Any,
    now: dt.datetime | None = None,
) -> tuple[Case, CaseRelease]:
    """Mail the result: carrier, tracking number, address, fee or free per center policy
    (6.7.2); the applicant's SMS carries the tracking number."""
    now = c._now(now)
    flow.require_release(actor, case)
    if not (carrier or "").strip():
        raise InvalidInput("请填写快递公司。", field="carrier")
    if not (tracking_no or "").strip():
        raise InvalidInput("请填写快递单号。", field="tracking_no")
    address = (address or case.delivery_address or case.address or "").strip()
    if not address:
        raise InvalidInput("请填写邮寄地址。", field="address")
    locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if locked.status not in (Status.OUTPUT_RECEIVED, Status.PICKUP_NOTIFIED):
        raise InvalidTransition(f"办件当前为“{locked.get_status_display()}”，不能登记邮寄。")
    require_fee_settled(locked)
    policy = CenterOutputPolicy.objects.filter(center=locked.center_id).first()
    fee = Decimal(0) if policy is None or policy.mail_free else policy.mail_fee
    today = c.local_day(now)
    changes: dict[str, Any] = {}
    if locked.pickup_notified_at is None:
        changes["pickup_notified_at"] = now  # the mailing SMS is the notice
    case = c.transition(
        locked,
        Status.MAILED,
        action="mailed",
        actor=actor,
        now=now,
        reason=f"{carrier.strip()} {tracking_no.strip()}",
        changes=changes,
    )
    release = CaseRelease.objects.create(
        case=case,
        method=CaseRelease.Method.MAIL,
        signer_name=case.applicant_name,
        carrier=carrier.strip(),
        tracking_no=tracking_no.strip(),
        address=address,
        mail_fee=fee,
        sent_on=today,
        released_at=now,
        released_by=flow.actor_or_none(actor),
    )
    release.receipt = flow.center_document(
        case,
        kind=DocumentKind.MAIL_VOUCHER,
        title="邮寄送达凭证",
        render=fn.mail_voucher(case, release, handler=c.handler_name(actor), day=today),
        actor=actor,
        now=now,
    )
    release.save(update_fields=["receipt"])
    flow.notify(
        case, "case_mailed", now=now, carrier=release.carrier, tracking_no=release.tracking_no
    )
    return case, release


@transaction.atomic
def case_mail_delivered(
    *, case: Case, delivered_on: dt.date, actor: Any, now: dt.datetime | None = None
) -> Case:
    """Delivery confirmed (妥投): the case is closed."""
    now = c._now(now)
    flow.require_output(actor, case)
    if delivered_on is None or delivered_on > c.local_day(now):
        raise InvalidInput("妥投日期无效。", field="delivered_on")
    case = c.transition(
        case,
        Status.CLOSED,
        action="delivered",
        actor=actor,
        now=now,
        reason=f"{delivered_on:%Y-%m-%d} 妥投",
        changes={"closed_at": now},
    )
    CaseRelease.objects.filter(case=case).update(delivered_on=delivered_on)
    return case
