"""Intake (收件, 7.2.2): complete → a received case with its receipt; incomplete → no case,
the refusal recorded and the one-time list (6.1.2, A.2.3). Mail-in sign-in (7.2.5)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from govhall.cases.models import (
    Case,
    CaseMaterial,
    Channel,
    Delivery,
    IntakeRefusal,
    Status,
)
from govhall.cases.services import _common as c
from govhall.cases.services import notices
from govhall.cases.services.checks import (
    AgentIn,
    ApplicantIn,
    MailIn,
    MaterialIn,
    a23_phrase,
    check_field,
    missing_materials,
    raise_if_errors,
    validate_applicant,
    validate_materials,
)
from govhall.catalog.models import Material, ServiceItem
from govhall.core import workflow
from govhall.core.errors import InvalidInput
from govhall.core.validators import validate_id_document
from govhall.core.writer import writing
from govhall.documents.models import Document, DocumentKind
from govhall.documents.services import stored_file_save
from govhall.org.models import Center, Window


@dataclass
class IntakeResult:
    case: Case | None
    refusal: IntakeRefusal | None
    document: Document
    missing: list[dict[str, Any]] = field(default_factory=list)


def save_lines(
    case: Case,
    guide_materials: dict[int, Material],
    lines: list[MaterialIn],
    *,
    submission: int,
    all_materials: bool,
    actor: Any,
    now: dt.datetime,
) -> list[CaseMaterial]:
    by_id = {line.material_id: line for line in lines}
    ids = list(guide_materials) if all_materials else [x.material_id for x in lines]
    rows = []
    for material_id in ids:
        material = guide_materials[material_id]
        line = by_id.get(material_id) or MaterialIn(
            material_id=material_id, provided=False, copies=0
        )
        stored = None
        if line.file_data:
            stored = stored_file_save(
                center=case.center,
                data=line.file_data,
                filename=line.file_name,
                actor=actor,
                now=now,
            )
        rows.append(
            CaseMaterial(
                case=case,
                material=material,
                name=material.name,
                required=material.required,
                submission=submission,
                provided=line.provided,
                form=line.form if line.provided else "",
                licence_ref=line.licence_ref,
                original_checked=line.original_checked,
                copies=line.copies if line.provided else 0,
                defects=line.defects,
                file=stored,
                received_at=now,
            )
        )
    return CaseMaterial.objects.bulk_create(rows)


def case_intake(
    *,
    center: Center,
    item: ServiceItem | None,
    channel: str,
    applicant: ApplicantIn,
    materials: list[MaterialIn],
    agent: AgentIn | None = None,
    delivery: str = Delivery.PICKUP,
    delivery_address: str = "",
    window: Window | None = None,
    ticket: Any = None,
    mail: MailIn | None = None,
    actor: Any,
    now: dt.datetime | None = None,
) -> IntakeResult:
    """7.2.2: 无差别综合办事窗口人员……对申请材料是否齐全及完整性进行核查。符合……要求的，
    当场予以接收，并通过统一受理中心推送给审批部门，向服务对象出具收件凭证。……材料不齐全或
    不符法定形式的，窗口服务人员应一次性告知服务对象所需补齐的相关材料。"""
    now = c._now(now)
    errors: list[dict[str, str]] = []
    if item is None or item.center_id != center.pk or not item.is_active or not item.published_id:
        raise InvalidInput("未找到该事项或该事项未在本中心发布。", field="item_code")
    if channel not in Channel.values:
        errors.append({"field": "channel", "message": "申请渠道不正确。"})
    guide = item.published
    guide_materials = {m.pk: m for m in guide.materials.order_by("position", "id")}
    validate_applicant(applicant, errors)
    if agent is not None:
        if not agent.name.strip():
            errors.append({"field": "agent.name", "message": "请填写代理人姓名。"})
        agent.id_number = (
            check_field(
                errors, "agent.id_number", validate_id_document, agent.id_type, agent.id_number
            )
            or agent.id_number
        )
        if not agent.authorization.strip():
            errors.append({"field": "agent.authorization", "message": "代理办理须记录授权委托书。"})
    if delivery not in Delivery.values:
        errors.append({"field": "delivery", "message": "送达方式不正确。"})
    elif delivery == Delivery.MAIL and not delivery_address.strip():
        errors.append({"field": "delivery_address", "message": "邮寄送达须填写邮寄地址。"})
    if channel == Channel.MAIL and mail is None:
        errors.append({"field": "mail", "message": "邮寄申请须登记快递公司、单号和签收时间。"})
    if mail is not None and not (mail.carrier.strip() and mail.tracking_no.strip()):
        errors.append({"field": "mail.tracking_no", "message": "请填写快递公司和快递单号。"})
    validate_materials(guide_materials, materials, errors)
    raise_if_errors(errors)

    received_at = mail.signed_in_at if mail is not None else now
    day = c.local_day(received_at)
    # The checks above only read: they run before the transaction, so intakes of a center
    # hold its counter row (SQLite: the write lock, queued by `writing()`) only for the
    # writes below.
    missing = missing_materials(guide_materials, materials)
    with writing(), transaction.atomic():
        if missing:
            return _refuse(
                center, item, guide, channel, applicant, missing, window, ticket, actor, now
            )

        year = day.year
        serial, number = c.allocate_case_number(center, year)
        case = Case.objects.create(
            number=number,
            center=center,
            year=year,
            serial=serial,
            item=item,
            guide=guide,
            department=item.department,
            channel=channel,
            status=Status.RECEIVED,
            status_changed_at=now,
            applicant_kind=applicant.kind,
            applicant_name=applicant.name.strip(),
            id_type=applicant.id_type,
            id_number=applicant.id_number,
            legal_representative=applicant.legal_representative,
            phone=applicant.phone,
            address=applicant.address,
            agent_name=agent.name if agent else "",
            agent_id_type=agent.id_type if agent else "",
            agent_id_number=agent.id_number if agent else "",
            agent_authorization=agent.authorization if agent else "",
            delivery=delivery,
            delivery_address=delivery_address.strip(),
            window=window,
            clerk=actor if getattr(actor, "pk", None) else None,
            ticket=ticket,
            mail_carrier=mail.carrier if mail else "",
            mail_tracking_no=mail.tracking_no if mail else "",
            mail_contents=mail.contents if mail else "",
            received_at=received_at,
            **c.review_deadlines(day, guide),
        )
        lines = save_lines(
            case, guide_materials, materials, submission=0, all_materials=True, actor=actor, now=now
        )
        c.created_event(
            case, action="received", actor=actor, now=now, reason=case.get_channel_display()
        )
        handler = c.handler_name(actor)
        document = c.issue(
            case,
            kind=DocumentKind.RECEIPT,
            title=f"收件凭证 {case.number}",
            issuer=c.center_issuer(center),
            render=notices.receipt(
                case, lines, handler=handler, progress=c.progress_url(case.number), title="收件凭证"
            ),
            related=case,
            actor=actor,
            now=now,
            after_commit=True,
        )
        c.sms(case, "case_received", document, now=now)
        if guide.is_immediate:
            case = _immediate(case, actor=actor, now=now)
        return IntakeResult(case=case, refusal=None, document=document)


def _immediate(case: Case, *, actor: Any, now: dt.datetime) -> Case:
    """即办件: accepted and approved at the window in one step; the output work picks it up."""
    today = c.local_day(now)
    case = c.transition(
        case,
        Status.ACCEPTED,
        action="accepted",
        actor=actor,
        now=now,
        reason="即办件当场受理",
        changes={
            "accepted_on": today,
            "promised_due": today,
            "promised_due_provisional": False,
            "decided_at": now,
            "decided_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    return c.transition(
        case, Status.APPROVED, action="approved", actor=actor, now=now, reason="即办件当场办结"
    )


def _refuse(
    center, item, guide, channel, applicant, missing, window, ticket, actor, now
) -> IntakeResult:
    handler = c.handler_name(actor)
    day = c.local_day(now)
    refusal = IntakeRefusal.objects.create(
        center=center,
        item=item,
        guide=guide,
        channel=channel,
        at=now,
        clerk=actor if getattr(actor, "pk", None) else None,
        window=window,
        ticket=ticket,
        applicant_name=applicant.name.strip(),
        applicant_key=hashlib.sha256(applicant.id_number.encode()).hexdigest(),
        phone=applicant.phone,
        missing=missing,
    )
    document = c.issue(
        center,
        kind=DocumentKind.ONE_TIME_NOTICE,
        title=f"一次性告知单 {item.name}",
        issuer=c.center_issuer(center),
        render=notices.one_time_list(
            center_name=center.name,
            department_name=item.department.name,
            item_name=item.name,
            applicant=notices.masked_applicant(applicant.kind, applicant.name, applicant.id_number),
            missing=missing,
            basis=guide.basis,
            phrase=a23_phrase(guide.basis, missing),
            handler=handler,
            window=str(window) if window else "",
            day=day,
            progress=f"{settings.SITE_URL}/items/{item.code}/",
        ),
        related=refusal,
        actor=actor,
        now=now,
    )
    refusal.document = document
    refusal.save(update_fields=["document"])
    workflow.record_audit(
        refusal,
        verb="created",
        actor=actor,
        now=now,
        data={"item": item.code, "missing": [m["name"] for m in missing]},
    )
    return IntakeResult(case=None, refusal=refusal, document=document, missing=missing)


def case_mail_sign_in(
    *,
    center: Center,
    item: ServiceItem | None,
    applicant: ApplicantIn,
    materials: list[MaterialIn],
    mail: MailIn,
    delivery: str = Delivery.PICKUP,
    delivery_address: str = "",
    actor: Any,
    now: dt.datetime | None = None,
) -> IntakeResult:
    """7.2.5: 服务对象通过网上申请，选择邮寄方式提交申请材料的，由政务服务中心服务人员负责签收，
    并转交审批部门. The receipt date is the sign-in date."""
    now = c._now(now)
    if mail.signed_in_at > now + dt.timedelta(minutes=5):
        raise InvalidInput("签收时间不能晚于当前时间。", field="mail.signed_in_at")
    return case_intake(
        center=center,
        item=item,
        channel=Channel.MAIL,
        applicant=applicant,
        materials=materials,
        delivery=delivery,
        delivery_address=delivery_address,
        mail=mail,
        actor=actor,
        now=now,
    )
