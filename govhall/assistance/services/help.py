"""帮办 records (6.6.1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from govhall.assistance import pdfs
from govhall.assistance.models import HelpAction, HelpOutcome, HelpRecord
from govhall.assistance.services import _common as c
from govhall.core import workflow
from govhall.core.errors import InvalidInput
from govhall.core.validators import validate_mobile
from govhall.org.models import Center

MAX_MINUTES = 600
MAX_FORMS = 30


@transaction.atomic
def help_record_create(
    *,
    center: Center,
    person_name: str,
    actions: list[str],
    minutes: int,
    outcome: str,
    item: Any = None,
    phone: str = "",
    forms_filled: list[str] | None = None,
    note: str = "",
    ticket: Any = None,
    case: Any = None,
    actor: Any,
    now: dt.datetime | None = None,
) -> HelpRecord:
    """6.6.1: 政务服务中心应提供免费帮办服务。帮助服务对象完成事项办理,包括指导服务对象熟悉办理
    流程、梳理报审资料清单,协助填写各类表单,协调解决办理过程中的问题等。

    One record of help given: who helped whom (the person's name; masked on every screen),
    with which item, what was done, the minutes spent and the outcome, linked to the
    ticket or case when there is one; the forms filled are listed in a printable PDF."""
    now = c.now_or(now)
    c.require_proxy_staff(actor, center.pk, what="该中心")
    errors: list[dict[str, str]] = []
    person_name = (person_name or "").strip()
    if not person_name or len(person_name) > 100:
        errors.append({"field": "person_name", "message": "请填写服务对象姓名（100字以内）。"})
    actions = list(dict.fromkeys(actions or []))
    if not actions or any(a not in HelpAction.values for a in actions):
        errors.append(
            {"field": "actions", "message": "请选择帮办内容（流程、材料、表单、协调、其他）。"}
        )
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_MINUTES:
        errors.append({"field": "minutes", "message": f"用时应为1–{MAX_MINUTES}分钟。"})
    if outcome not in HelpOutcome.values:
        errors.append({"field": "outcome", "message": "帮办结果不正确。"})
    forms = [str(f).strip()[:100] for f in (forms_filled or []) if str(f).strip()]
    if len(forms) > MAX_FORMS:
        errors.append({"field": "forms_filled", "message": f"表单最多{MAX_FORMS}项。"})
    if forms and HelpAction.FORMS not in actions:
        actions.append(HelpAction.FORMS)
    if phone:
        try:
            phone = validate_mobile(phone)
        except ValidationError as exc:
            errors.append({"field": "phone", "message": exc.messages[0]})
    if item is not None and item.center_id != center.pk:
        errors.append({"field": "item_code", "message": "未找到该事项。"})
    if ticket is not None and ticket.center_id != center.pk:
        errors.append({"field": "ticket_id", "message": "未找到该排队号。"})
    if case is not None and case.center_id != center.pk:
        errors.append({"field": "case_no", "message": "未找到该办件。"})
    if len(note or "") > 500:
        errors.append({"field": "note", "message": "说明不能超过500字。"})
    if errors:
        raise InvalidInput(errors[0]["message"], errors=errors)
    record = HelpRecord.objects.create(
        center=center,
        staff=c.actor_or_none(actor),
        at=now,
        person_name=person_name,
        phone=phone,
        item=item,
        actions=actions,
        forms_filled=forms,
        minutes=minutes,
        outcome=outcome,
        note=(note or "").strip(),
        ticket=ticket,
        case=case,
    )
    if forms:
        record.forms_document = c.issue(
            center,
            title=f"帮办填写表单清单 {record.masked_name}",
            render=pdfs.forms_list(
                record, center_name=center.name, handler=c.handler_name(actor), day=c.local_day(now)
            ),
            related=record,
            actor=actor,
            now=now,
        )
        record.save(update_fields=["forms_document"])
    workflow.record_audit(
        record,
        verb="created",
        actor=actor,
        now=now,
        data={"item": item.code if item else "", "actions": actions, "minutes": minutes},
    )
    return record
