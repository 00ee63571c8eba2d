"""Notifications: the one entry point other services call inside their own transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from govhall.notifications.models import OutboxMessage


def notification_send(
    *,
    template: str,
    to: str,
    params: dict[str, Any],
    related: models.Model | None = None,
    center: Any = None,
    urgent: bool = False,
    now: dt.datetime | None = None,
) -> OutboxMessage:
    """Queue one message. Nothing leaves before the caller's transaction commits: the row
    is written in that transaction and the worker only sees committed rows.

    `template` is a template code (see notifications.templates); `params` its named
    parameters; `urgent` messages ignore quiet hours (legal notices are not urgent, they
    wait for the morning; a your-turn-is-near message is urgent).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notification_send must run inside the caller's transaction")
    now = now or timezone.now()
    return OutboxMessage.objects.create(
        template=template,
        to=to,
        params=params,
        center=center,
        urgent=urgent,
        related_type=related._meta.label_lower if related is not None else "",
        related_id=str(related.pk) if related is not None else "",
        created_at=now,
        due_at=now,
    )
