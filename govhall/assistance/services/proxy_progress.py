"""代办 after intake (6.6.2.2 a–d): coordination notes and chases of the department, the fee
shown to the applicant to pay themselves, delivery through the Cases output path with the
evaluation invitation, termination with the materials returned, filing for the archive."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from govhall.assistance import pdfs
from govhall.assistance.models import ProxyCase, ProxyNote, ProxyStatus
from govhall.assistance.services import _common as c
from govhall.cases import selectors as case_selectors
from govhall.cases.models import Status as CaseStatus
from govhall.cases.services import case_withdraw
from govhall.cases.services import output as case_output
from govhall.core import workflow
from govhall.core.errors import Conflict, InvalidInput, InvalidTransition
from govhall.documents.selectors import documents_for
from govhall.evaluations.services.outreach import invitation_send

# Case states in which the case has ended without a result (refused or withdrawn).
CASE_REFUSED = (CaseStatus.REJECTED, CaseStatus.DENIED, CaseStatus.RETURNED, CaseStatus.WITHDRAWN)
# Case states from which the applicant may still withdraw (before the acceptance decision).
CASE_WITHDRAWABLE = (CaseStatus.RECEIVED, CaseStatus.CORRECTION_REQUESTED)


def _locked(p: ProxyCase) -> ProxyCase:
    return (
        ProxyCase.objects.select_for_update(of=("self",))
        .select_related("center", "item")
        .get(pk=p.pk)
    )


@transaction.atomic
def proxy_note_add(
    *,
    proxy_case: ProxyCase,
    kind: str,
    content: str,
    department: Any = None,
    method: str = "",
    contact: str = "",
    answer: str = "",
    promised_on: dt.date | None = None,
    actor: Any,
    now: dt.datetime | None = None,
) -> ProxyNote:
    """6.6.2.2 a: 协调办理代办事项的相关手续,协调督促相关部门在规定时限或承诺时限内办结.

    A coordination note, or a chase of the department with the department's answer (each
    chase recorded). The first chase moves the 代办 to “协调督办中”."""
    now = c.now_or(now)
    c.require_proxy_staff(actor, proxy_case.center_id)
    errors: list[dict[str, str]] = []
    if kind not in ProxyNote.Kind.values:
        errors.append({"field": "kind", "message": "记录类型应为协调记录或督办催办。"})
    content = (content or "").strip()
    if not content or len(content) > 500:
        errors.append({"field": "content", "message": "请填写内容（500字以内）。"})
    if method and method not in ProxyNote.Method.values:
        errors.append({"field": "method", "message": "督办方式不正确。"})
    if kind == ProxyNote.Kind.CHASE:
        if department is None:
            errors.append({"field": "department", "message": "督办须写明被督办的部门。"})
        if not (answer or "").strip():
            errors.append({"field": "answer", "message": "请记录部门的答复。"})
    if department is not None and department.center_id != proxy_case.center_id:
        errors.append({"field": "department", "message": "未找到该部门。"})
    if len(answer or "") > 500 or len(contact or "") > 100:
        errors.append({"field": "answer", "message": "答复不超过500字，联系人不超过100字。"})
    if errors:
        raise InvalidInput(errors[0]["message"], errors=errors)
    locked = _locked(proxy_case)
    working = locked.status in (ProxyStatus.TAKEN_IN, ProxyStatus.CHASING)
    if not working and (kind == ProxyNote.Kind.CHASE or not locked.is_open):
        what = "督办" if kind == ProxyNote.Kind.CHASE else "记录协调"
        raise InvalidTransition(f"代办当前为“{locked.get_status_display()}”，不能{what}。")
    note = ProxyNote.objects.create(
        proxy_case=locked,
        kind=kind,
        at=now,
        by=c.actor_or_none(actor),
        department=department,
        method=method,
        contact=(contact or "").strip(),
        content=content,
        answer=(answer or "").strip(),
        promised_on=promised_on,
    )
    verb = "chased" if kind == ProxyNote.Kind.CHASE else "noted"
    reason = f"{department.name if department else ''} {content}"[:300]
    if kind == ProxyNote.Kind.CHASE and locked.status == ProxyStatus.TAKEN_IN:
        c.transition(locked, ProxyStatus.CHASING, action=verb, actor=actor, now=now, reason=reason)
    else:
        workflow.record(
            locked, action=verb, from_status=locked.status, actor=actor, now=now, reason=reason
        )
    return note


@transaction.atomic
def proxy_fee_guide(*, proxy_case: ProxyCase, actor: Any, now: dt.datetime | None = None):
    """6.6.2.2 a: 办理过程中涉及行政事业性收费、中介机构收费等,代办人员要引导服务对象自行缴纳.

    The case's fee order is shown to the applicant to pay themselves (cash at the window
    or the electronic payment link); recorded. The proxy never records the payment: the
    fees service refuses it (cases/services/fees.py)."""
    now = c.now_or(now)
    c.require_proxy_staff(actor, proxy_case.center_id)
    locked = _locked(proxy_case)
    order = case_selectors.case_fee(locked.case) if locked.case_id else None
    if order is None or order.status != order.Status.UNPAID:
        raise Conflict("该代办没有待缴的费用。", code="no_fee_due")
    workflow.record(
        locked,
        action="fee_guided",
        from_status=locked.status,
        actor=actor,
        now=now,
        reason=f"已引导申请人自行缴纳 {order.amount} 元（{order.basis[:100]}）",
    )
    return order


@transaction.atomic
def proxy_deliver(
    *,
    proxy_case: ProxyCase,
    method: str,
    signature_png: bytes | None = None,
    id_checked: bool = False,
    carrier: str = "",
    tracking_no: str = "",
    address: str = "",
    actor: Any,
    now: dt.datetime | None = None,
) -> ProxyCase:
    """6.6.2.2 c: 代办事项办结后,代办人员应向服务对象送达相关证照或批准文件,并请服务对象对代办
    服务进行评价.

    Through the Cases output path: by hand (the applicant signs the 领取签收单 on screen) or
    by mail (carrier and tracking number); then the SMS evaluation invitation of the 代办
    (evaluations outreach, kind “proxy”) and the 代办 is closed."""
    now = c.now_or(now)
    c.require_proxy_staff(actor, proxy_case.center_id)
    if method not in ProxyCase.Delivery.values:
        raise InvalidInput("送达方式应为当面送达或邮寄送达。", field="method")
    locked = _locked(proxy_case)
    if locked.status not in (ProxyStatus.TAKEN_IN, ProxyStatus.CHASING) or locked.case is None:
        raise InvalidTransition(f"代办当前为“{locked.get_status_display()}”，不能送达。")
    case = locked.case
    if method == ProxyCase.Delivery.HAND:
        case, _ = case_output.case_pickup(
            case=case, signature_png=signature_png, id_checked=id_checked, actor=actor, now=now
        )
    else:
        case, _ = case_output.case_mail(
            case=case,
            carrier=carrier,
            tracking_no=tracking_no,
            address=address or locked.delivery_address,
            actor=actor,
            now=now,
        )
    locked = c.transition(
        locked,
        ProxyStatus.DELIVERED,
        action="delivered",
        actor=actor,
        now=now,
        reason=f"{ProxyCase.Delivery(method).label}：办件 {case.number}",
        changes={"delivered_at": now, "delivery_method": method},
    )
    invited = invitation_send(
        kind="proxy",
        matter_id=locked.pk,
        center_id=locked.center_id,
        phone=locked.phone,
        item=f"{locked.item.name}（代办）",
        now=now,
    )
    return c.transition(
        locked,
        ProxyStatus.CLOSED,
        action="closed",
        actor=actor,
        now=now,
        reason="已发送评价邀请短信" if invited else "已邀请评价",
        changes={"closed_at": now, "invited_at": now},
    )


@transaction.atomic
def proxy_terminate(
    *,
    proxy_case: ProxyCase,
    kind: str,
    reason: str,
    returned: list[str],
    signature_png: bytes | None,
    actor: Any,
    now: dt.datetime | None = None,
) -> ProxyCase:
    """6.6.2.2 b: 代办过程中,因业务本身不具备办结条件或者服务对象要求中止委托的,由代办人员向
    服务对象说明有关情况,移交相关材料,履行相关终止程序.

    The reason explained, the materials returned on a list the applicant signs on screen,
    and the case ended as the law requires: the applicant's withdrawal withdraws a case
    still awaiting the acceptance decision; a case that cannot be completed ends by the
    department's refusal (不予受理, 不予许可, 退件), which must be made first (409)."""
    now = c.now_or(now)
    c.require_proxy_staff(actor, proxy_case.center_id)
    errors: list[dict[str, str]] = []
    if kind not in ProxyCase.Termination.values:
        errors.append({"field": "kind", "message": "终止类型应为不具备办结条件或申请人中止委托。"})
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        errors.append({"field": "reason", "message": "请写明向申请人说明的终止情况（500字以内）。"})
    items = [str(r).strip()[:200] for r in (returned or []) if str(r).strip()]
    if not items and proxy_case.materials:
        errors.append({"field": "returned", "message": "请登记退还给申请人的材料。"})
    if errors:
        raise InvalidInput(errors[0]["message"], errors=errors)
    png = c.signature(signature_png, "signature_png_base64")
    locked = _locked(proxy_case)
    if not locked.is_open:
        raise InvalidTransition(f"代办当前为“{locked.get_status_display()}”，不能终止。")
    case = locked.case
    if case is not None and case.status not in CASE_REFUSED:
        if kind == ProxyCase.Termination.WITHDRAWN and case.status in CASE_WITHDRAWABLE:
            case = case_withdraw(
                case=case, reason=f"申请人中止代办委托：{reason}", actor=actor, now=now
            )
        elif kind == ProxyCase.Termination.WITHDRAWN:
            raise InvalidTransition(
                f"办件当前为“{case.get_status_display()}”，已进入审批，须由申请人向审批部门"
                "申请撤回并待部门依法作出决定后，再终止代办。"
            )
        else:
            raise InvalidTransition(
                f"办件当前为“{case.get_status_display()}”：不具备办结条件的，须待审批部门依法"
                "作出不予受理或不予许可决定后，再终止代办。"
            )
    stored, sha = c.store_signature(
        locked.center,
        png,
        f"proxy-{locked.number}-return.png",
        field="signature_png_base64",
        actor=actor,
        now=now,
    )
    locked.termination, locked.termination_reason = kind, reason
    locked.return_signature_sha256 = sha
    if case is not None:
        locked.case = case
    document = c.issue(
        locked.center,
        title=f"代办终止及材料退还清单 {locked.number}",
        render=pdfs.material_return(
            locked,
            returned=items,
            signature_png=png,
            handler=c.handler_name(actor),
            day=c.local_day(now),
        ),
        related=locked,
        actor=actor,
        now=now,
    )
    return c.transition(
        locked,
        ProxyStatus.TERMINATED,
        action="terminated",
        actor=actor,
        now=now,
        reason=f"{ProxyCase.Termination(kind).label}：{reason}",
        changes={
            "terminated_at": now,
            "termination": kind,
            "termination_reason": reason,
            "returned_materials": items,
            "return_signature": stored,
            "return_signature_sha256": sha,
            "return_document": document,
        },
    )


@transaction.atomic
def proxy_file(*, proxy_case: ProxyCase, actor: Any, now: dt.datetime | None = None) -> ProxyCase:
    """6.6.2.2 d: 代办人员应做好相应代办服务登记,并整理、归档相应文书.

    A closed or terminated 代办 is filed once: the 代办登记表 (its history, chases and
    every document with its SHA-256) is issued and the 代办 marked filed."""
    now = c.now_or(now)
    c.require_proxy_staff(actor, proxy_case.center_id)
    locked = _locked(proxy_case)
    if locked.status not in (ProxyStatus.CLOSED, ProxyStatus.TERMINATED):
        raise InvalidTransition(
            f"代办当前为“{locked.get_status_display()}”，办结或终止后方可归档。"
        )
    if locked.filed_at is not None:
        raise Conflict("该代办已归档。", code="already_filed")
    documents = list(documents_for(locked).order_by("created_at", "id"))
    if locked.case_id:
        documents += list(case_selectors.case_documents(locked.case))
    document = c.issue(
        locked.center,
        title=f"代办登记表 {locked.number}",
        render=pdfs.register_sheet(
            locked,
            events=list(locked.events.order_by("at", "id")),
            notes=list(locked.notes.select_related("department")),
            documents=documents,
            handler=c.handler_name(actor),
            day=c.local_day(now),
        ),
        related=locked,
        actor=actor,
        now=now,
    )
    ProxyCase.objects.filter(pk=locked.pk).update(
        filed_at=now, filed_by=c.actor_or_none(actor), register_document=document
    )
    locked.filed_at, locked.register_document = now, document
    workflow.record(
        locked,
        action="filed",
        from_status=locked.status,
        actor=actor,
        now=now,
        reason=f"代办登记表 {document.number}，归档文书 {len(documents) + 1} 份",
    )
    return locked
