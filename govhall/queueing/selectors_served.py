"""Reads of served tickets for other apps (evaluations: the evaluator device, invitations)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from govhall.queueing.models import Ticket

# --- reads for other apps (evaluations) ----------------------------------------------------


def ticket_get(ticket_id: int) -> Ticket | None:
    """One ticket by id with what is shown about its service (window, clerk, items)."""
    return (
        Ticket.objects.select_related("center", "category", "window", "window__department", "staff")
        .prefetch_related("items")
        .filter(pk=ticket_id)
        .first()
    )


def window_last_finished(window_id: int, since: dt.datetime) -> Ticket | None:
    """The ticket last finished at a window since a moment (the evaluator device wakes on
    it)."""
    return (
        Ticket.objects.select_related("staff", "window", "center")
        .filter(window_id=window_id, status=Ticket.Status.DONE, finished_at__gte=since)
        .order_by("-finished_at", "-id")
        .first()
    )


def tickets_finished_between(start: dt.datetime, end: dt.datetime) -> QuerySet[Ticket]:
    """Finished tickets that left a phone number, in a time range (evaluation invitations)."""
    return (
        Ticket.objects.select_related("category")
        .filter(status=Ticket.Status.DONE, finished_at__gte=start, finished_at__lt=end)
        .exclude(phone="")
        .order_by("finished_at", "id")
    )


def served_between(center_id: int, start: dt.datetime, end: dt.datetime) -> QuerySet:
    """Tickets served (finished) at a center whose service began in a time range: window,
    its zone and the call time (assistance: service given in extended hours, 6.7.4)."""
    return (
        Ticket.objects.filter(
            center_id=center_id,
            status=Ticket.Status.DONE,
            called_at__gte=start,
            called_at__lt=end,
            window__isnull=False,
        )
        .order_by("called_at", "id")
        .values("window_id", "window__zone_id", "called_at")
    )
