"""Sweeps the worker runs (govhall/queueing/jobs.py)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from govhall.core.errors import InvalidTransition
from govhall.core.workflow import resolve_now
from govhall.core.writer import writing
from govhall.queueing.models import Ticket, local_day
from govhall.queueing.services._common import move


def tickets_close_stale(*, now: dt.datetime | None = None) -> int:
    """Tickets of earlier days still waiting or called are cancelled (day's end)."""
    with writing(), transaction.atomic():
        return _close_stale(resolve_now(now))


def _close_stale(now: dt.datetime) -> int:
    stale = list(
        Ticket.objects.select_for_update(of=("self",))
        .select_related("center", "category", "window")
        .filter(day__lt=local_day(now), status__in=[Ticket.Status.WAITING, Ticket.Status.CALLED])
        .order_by("id")[:500]
    )
    done = 0
    for ticket in stale:
        try:
            move(
                ticket,
                Ticket.Status.CANCELLED,
                action="expire",
                actor=None,
                now=now,
                reason="当日未办理，自动作废",
            )
            done += 1
        except InvalidTransition:
            continue
    return done
