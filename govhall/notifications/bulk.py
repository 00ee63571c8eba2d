"""Many messages of one template at once, for set-based jobs (e.g. the cases' deemed
acceptance sweep): the same rules as `notification_send`, with the template, the
signatures, the opt-outs and the quiet hours looked up once per call instead of per
message, and the outbox rows written with one bulk insert."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from govhall.core.errors import InvalidInput
from govhall.notifications.models import OutboxMessage, SmsOptOut
from govhall.notifications.services import (
    get_template,
    normalize_mobile,
    notification_send,
    quiet_until,
    signature_for,
)


@dataclass
class Recipient:
    """One message: the phone, the template's parameters, the center (its signature) and
    the record it is about (its model label and primary key)."""

    to: str
    params: dict[str, Any]
    center: Any = None
    related_type: str = ""
    related_id: str = ""


def notifications_send_many(
    *,
    template: str,
    recipients: Iterable[Recipient],
    now: dt.datetime,
    urgent: bool = False,
    batch_size: int = 2000,
) -> int:
    """Queue one message per recipient inside the caller's transaction (nothing leaves
    before it commits). Each text is rendered from the template fetched once; a recipient
    without a mainland mobile number goes through `notification_send` one by one (its
    phone-call task). Returns the number of outbox rows written."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notifications_send_many must run inside the caller's transaction")
    tpl = get_template(template)
    urgent = urgent or tpl.is_urgent
    hold = None if urgent else quiet_until(now)
    signatures: dict[Any, str] = {}
    rows: list[OutboxMessage] = []
    calls: list[Recipient] = []
    for r in recipients:
        params = {k: v if isinstance(v, str) else str(v) for k, v in r.params.items()}
        missing = tpl.missing_params(params)
        if missing:
            raise InvalidInput(
                f"短信模板“{tpl.code}”缺少参数：{'、'.join(missing)}。",
                field="params",
                code="missing_template_params",
            )
        mobile = normalize_mobile(r.to)
        if mobile is None:
            calls.append(r)
            continue
        key = getattr(r.center, "pk", r.center)
        if key not in signatures:
            signatures[key] = signature_for(r.center)
        signature = signatures[key]
        rows.append(
            OutboxMessage(
                template=tpl.code,
                to=mobile,
                params=params,
                signature=signature,
                body=tpl.render(params, signature),
                center=r.center,
                urgent=urgent,
                related_type=r.related_type,
                related_id=r.related_id,
                created_at=now,
                due_at=hold or now,
                hold_reason="免打扰时段" if hold is not None else "",
            )
        )
    if rows and tpl.opt_out_allowed:
        opted = set(
            SmsOptOut.objects.filter(phone__in={m.to for m in rows}).values_list("phone", flat=True)
        )
        for message in rows:
            if message.to in opted:
                message.status = OutboxMessage.Status.CANCELLED
                message.last_error = "该号码已退订提醒类短信"
    OutboxMessage.objects.bulk_create(rows, batch_size=batch_size)
    for r in calls:
        message = notification_send(
            template=tpl.code, to=r.to, params=r.params, center=r.center, urgent=urgent, now=now
        )
        OutboxMessage.objects.filter(pk=message.pk).update(
            related_type=r.related_type, related_id=r.related_id
        )
    return len(rows) + len(calls)
