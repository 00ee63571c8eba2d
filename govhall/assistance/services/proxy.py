"""代办 (6.6.2) from the application to the case taken in: the application, the 委托书 signed
on screen by the applicant and the proxy, and the intake through the Cases path with the
center as the applicant's agent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from govhall.assistance import pdfs
from govhall.assistance.models import ProxyCase, ProxyStatus
from govhall.assistance.services import _common as c
from govhall.cases import services as case_services
from govhall.cases.services import AgentIn, ApplicantIn, MaterialIn
from govhall.cases.services.checks import validate_applicant
from govhall.core import workflow
from govhall.core.errors import InvalidInput, InvalidTransition
from govhall.core.validators import validate_resident_id
from govhall.org.models import Center

MAX_MATERIALS = 50


@dataclass
class MaterialLine:
    name: str
    copies: int = 1
    original: bool = False


@dataclass
class TakeInResult:
    proxy_case: ProxyCase
    missing: list[dict[str, Any]] = field(default_factory=list)
    document: Any = None  # the receipt, or the one-time list when materials are missing


def _materials(lines: list[MaterialLine], errors: list) -> list[dict[str, Any]]:
    out = []
    if len(lines) > MAX_MATERIALS:
        errors.append({"field": "materials", "message": f"材料最多{MAX_MATERIALS}项。"})
        return out
    for n, line in enumerate(lines):
        name = (line.name or "").strip()
        if not name or len(name) > 200:
            errors.append({"field": f"materials.{n}.name", "message": "请填写材料名称。"})
        if not isinstance(line.copies, int) or not 1 <= line.copies <= 99:
            errors.append({"field": f"materials.{n}.copies", "message": "份数应为1–99。"})
        out.append({"name": name, "copies": line.copies, "original": bool(line.original)})
    return out


@transaction.atomic
def proxy_apply(
    *,
    center: Center,
    item: Any,
    applicant_name: str,
    id_type: str,
    id_number: str,
    phone: str,
    materials: list[MaterialLine],
    delivery: str = ProxyCase.Delivery.HAND,
    delivery_address: str = "",
    address: str = "",
    contact: str = "",
    actor: Any,
    now: dt.datetime | None = None,
) -> ProxyCase:
    """6.6.2.2 a: 代办人员根据服务对象提供的代办申请、相应材料、委托手续,协调办理代办事项的
    相关手续.

    The application: the person (ID checked as an intake checks it: GB 11643 and the other
    ID types, a mainland mobile), the item (published at this center), the materials they
    hand over, how the result reaches them. The proxy who registers it handles it."""
    now = c.now_or(now)
    c.require_proxy_staff(actor, center.pk, what="该中心")
    errors: list[dict[str, str]] = []
    if item is None or item.center_id != center.pk:
        errors.append({"field": "item_code", "message": "未找到该事项或该事项未在本中心发布。"})
    person = ApplicantIn(
        kind="person",
        name=(applicant_name or "").strip(),
        id_type=id_type,
        id_number=(id_number or "").strip(),
        phone=(phone or "").strip(),
    )
    validate_applicant(person, errors, prefix="applicant")
    lines = _materials(materials or [], errors)
    if not lines:
        errors.append({"field": "materials", "message": "请登记服务对象交来的材料。"})
    if delivery not in ProxyCase.Delivery.values:
        errors.append({"field": "delivery", "message": "送达方式不正确。"})
    elif delivery == ProxyCase.Delivery.MAIL and not (delivery_address or "").strip():
        errors.append({"field": "delivery_address", "message": "邮寄送达须填写邮寄地址。"})
    if len(person.name) > 100:
        errors.append({"field": "applicant.name", "message": "姓名不能超过100字。"})
    if errors:
        raise InvalidInput(errors[0]["message"], errors=errors)
    p = ProxyCase.objects.create(
        number=c.allocate_number(center, c.local_day(now).year),
        center=center,
        item=item,
        status=ProxyStatus.APPLIED,
        status_changed_at=now,
        proxy=c.actor_or_none(actor),
        applicant_name=person.name,
        id_type=person.id_type,
        id_number=person.id_number,
        phone=person.phone,
        address=(address or "").strip()[:300],
        contact=(contact or "").strip()[:200],
        materials=lines,
        delivery=delivery,
        delivery_address=(delivery_address or "").strip()[:300],
        applied_at=now,
    )
    workflow.record(
        p,
        action="applied",
        from_status="",
        actor=actor,
        now=now,
        reason=item.name,
        audit_data={"number": p.number, "item": item.code},
    )
    return p


@transaction.atomic
def proxy_sign(
    *,
    proxy_case: ProxyCase,
    applicant_signature: bytes | None,
    proxy_signature: bytes | None,
    proxy_id_number: str,
    actor: Any,
    now: dt.datetime | None = None,
) -> ProxyCase:
    """6.6.2.1: 在服务对象准备齐全相应材料并完成委托手续后,由政务服务中心专人负责办理.

    The 委托书: both signatures drawn on screen (PNG, SHA-256 kept), the proxy's ID number,
    the PDF stored through documents; the 代办 is then authorised."""
    now = c.now_or(now)
    c.require_proxy_staff(actor, proxy_case.center_id)
    applicant_png = c.signature(applicant_signature, "applicant_signature_png_base64")
    proxy_png = c.signature(proxy_signature, "proxy_signature_png_base64")
    try:
        proxy_id_number = validate_resident_id(proxy_id_number or "")
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], field="proxy_id_number") from exc
    locked = ProxyCase.objects.select_for_update().get(pk=proxy_case.pk)
    if locked.status != ProxyStatus.APPLIED:
        raise InvalidTransition(f"代办当前为“{locked.get_status_display()}”，不能签署委托书。")
    center = locked.center
    a_file, a_sha = c.store_signature(
        center,
        applicant_png,
        f"proxy-{locked.number}-applicant.png",
        field="applicant_signature_png_base64",
        actor=actor,
        now=now,
    )
    p_file, p_sha = c.store_signature(
        center,
        proxy_png,
        f"proxy-{locked.number}-proxy.png",
        field="proxy_signature_png_base64",
        actor=actor,
        now=now,
    )
    locked.proxy_id_number = proxy_id_number
    locked.applicant_signature_sha256, locked.proxy_signature_sha256 = a_sha, p_sha
    document = c.issue(
        center,
        title=f"代办委托书 {locked.number}",
        render=pdfs.authorization(
            locked,
            proxy_name=c.handler_name(actor),
            applicant_png=applicant_png,
            proxy_png=proxy_png,
            day=c.local_day(now),
        ),
        related=locked,
        actor=actor,
        now=now,
    )
    return c.transition(
        locked,
        ProxyStatus.AUTHORISED,
        action="authorised",
        actor=actor,
        now=now,
        reason=f"委托书 {document.number}",
        changes={
            "proxy_id_number": proxy_id_number,
            "applicant_signature": a_file,
            "applicant_signature_sha256": a_sha,
            "proxy_signature": p_file,
            "proxy_signature_sha256": p_sha,
            "authorization": document,
            "authorised_at": now,
            "proxy": c.actor_or_none(actor) or locked.proxy,
        },
    )


@transaction.atomic
def proxy_take_in(
    *,
    proxy_case: ProxyCase,
    materials: list[MaterialIn],
    actor: Any,
    now: dt.datetime | None = None,
) -> TakeInResult:
    """6.6.2.1/6.6.2.2 a: the proxy takes the case in through the Cases path (channel
    “帮代办”, the center as the applicant's agent with the signed 委托书). Materials
    missing against the guide: no case, the one-time list is issued (as at any window) and
    the 代办 stays authorised."""
    now = c.now_or(now)
    c.require_proxy_staff(actor, proxy_case.center_id)
    locked = ProxyCase.objects.select_for_update().get(pk=proxy_case.pk)
    if locked.status != ProxyStatus.AUTHORISED:
        raise InvalidTransition(f"代办当前为“{locked.get_status_display()}”，不能收件。")
    center = locked.center
    mail = locked.delivery == ProxyCase.Delivery.MAIL
    result = case_services.case_intake(
        center=center,
        item=locked.item,
        channel="proxy",
        applicant=ApplicantIn(
            kind="person",
            name=locked.applicant_name,
            id_type=locked.id_type,
            id_number=locked.id_number,
            phone=locked.phone,
            address=locked.address,
        ),
        agent=AgentIn(
            name=f"{center.name}代办员{c.handler_name(actor)}"[:100],
            id_type="resident_id",
            id_number=locked.proxy_id_number,
            authorization=f"代办委托书 {locked.authorization.number}（{locked.number}）",
        ),
        materials=materials,
        delivery="mail" if mail else "pickup",
        delivery_address=locked.delivery_address if mail else "",
        actor=actor,
        now=now,
    )
    if result.case is None:
        workflow.record(
            locked,
            action="intake_incomplete",
            from_status=locked.status,
            actor=actor,
            now=now,
            reason="材料不全，已出具一次性告知单："
            + "、".join(m["name"] for m in result.missing)[:400],
        )
        return TakeInResult(locked, result.missing, result.document)
    locked = c.transition(
        locked,
        ProxyStatus.TAKEN_IN,
        action="taken_in",
        actor=actor,
        now=now,
        reason=f"办件 {result.case.number}",
        changes={"case": result.case, "taken_in_at": now},
    )
    return TakeInResult(locked, [], result.document)
