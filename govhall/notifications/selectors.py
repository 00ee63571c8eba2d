"""Reads of notifications, scoped through org.selectors.scope_for."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from govhall.notifications.models import OutboxMessage, PhoneCallTask, SmsBudgetAlert, SmsTemplate
from govhall.org.selectors import scope_for

CALL_ROLES = ("consultant", "guide", "manager", "clerk")


def may_handle_calls(user: Any) -> bool:
    scope = scope_for(user)
    return any(scope.has_role(role) for role in CALL_ROLES)


def call_tasks_for(user: Any, *, status: str = PhoneCallTask.Status.OPEN) -> QuerySet:
    """Tasks of the centers where the user holds a calling role: a clerk at A who is an
    approver at B sees A's tasks only."""
    qs = PhoneCallTask.objects.select_related("message", "center")
    if status:
        qs = qs.filter(status=status)
    scope = scope_for(user)
    if not scope.is_admin:
        qs = qs.filter(center_id__in=scope.centers_with_role(set(CALL_ROLES)))
    return qs.order_by("created_at")


def call_task_get(user: Any, task_id: int) -> PhoneCallTask | None:
    return call_tasks_for(user, status="").filter(pk=task_id).first()


def budget_alerts_for(user: Any) -> QuerySet:
    """Unacknowledged budget alerts of the centers where the user is a manager."""
    scope = scope_for(user)
    qs = SmsBudgetAlert.objects.filter(acknowledged_at__isnull=True).select_related("center")
    if not scope.is_admin:
        managed = [c for c, roles in scope.center_roles.items() if "manager" in roles]
        qs = qs.filter(center_id__in=managed)
    return qs.order_by("-hour")


def template_names() -> dict[str, str]:
    """Template code → its Chinese name (for screens that show a template)."""
    return dict(SmsTemplate.objects.values_list("code", "name"))


def outbox_stats(
    *, since: dt.datetime | None = None, queryset: QuerySet | None = None
) -> list[dict[str, Any]]:
    """Sent / failed / other counts per template and (local) day of creation, with the
    messages still `checking` (outcome unknown) and the duplicates detected from receipts
    and queries (extra provider ids for one message id)."""
    qs = queryset if queryset is not None else OutboxMessage.objects.all()
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    S = OutboxMessage.Status
    rows = (
        qs.annotate(day=TruncDate("created_at", tzinfo=ZoneInfo("Asia/Shanghai")))
        .values("day", "template")
        .annotate(
            total=Count("id"),
            sent=Count("id", filter=Q(status=S.SENT)),
            failed=Count("id", filter=Q(status=S.FAILED)),
            waiting=Count("id", filter=Q(status__in=[S.PENDING, S.SENDING])),
            checking=Count("id", filter=Q(status=S.CHECKING)),
            duplicates=Sum("duplicates", default=0),
            call=Count("id", filter=Q(status=S.CALL)),
            cancelled=Count("id", filter=Q(status=S.CANCELLED)),
            delivered=Count("id", filter=Q(delivery_status=OutboxMessage.Delivery.DELIVERED)),
        )
        .order_by("-day", "template")
    )
    return list(rows)


def call_tasks_by_id(task_ids: list[int]) -> dict[int, PhoneCallTask]:
    """The call tasks with these ids (for an app that opened them and follows their result)."""
    return {t.pk: t for t in PhoneCallTask.objects.filter(pk__in=task_ids)}
