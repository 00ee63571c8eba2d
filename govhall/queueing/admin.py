from django.contrib import admin

from govhall.core.labels import event_action_label
from govhall.org.admin_scope import AuditedAdmin, CenterScopedAdmin
from govhall.queueing.models import (
    IdleIncident,
    QueueConfig,
    Ticket,
    TicketCategory,
    TicketEvent,
    WindowSession,
    WindowSkill,
)


@admin.register(TicketCategory)
class TicketCategoryAdmin(AuditedAdmin, CenterScopedAdmin):
    list_display = ["center", "letter", "name", "zone", "default_service_minutes", "is_active"]
    list_filter = ["center", "is_active"]
    filter_horizontal = ["items"]


@admin.register(WindowSkill)
class WindowSkillAdmin(AuditedAdmin, CenterScopedAdmin):
    center_field = "window__center"
    list_display = ["window", "category", "is_primary", "order"]
    list_filter = ["window__center"]


@admin.register(QueueConfig)
class QueueConfigAdmin(AuditedAdmin, CenterScopedAdmin):
    list_display = ["center", "idle_minutes", "pause_max_minutes", "recall_limit"]


class ReadOnly(CenterScopedAdmin):
    # Queue records are kept as evidence: changed only through the services.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnly):
    list_display = ["number", "center", "category", "day", "status", "window", "issued_at"]
    list_filter = ["center", "status", "day"]
    search_fields = ["number", "appointment_code"]
    exclude = ["phone", "token"]


def _status_label(value: str) -> str:
    return str(dict(Ticket.Status.choices).get(value, value)) if value else "—"


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnly):
    center_field = "ticket__center"
    list_display = ["ticket", "action_name", "from_name", "to_name", "window", "actor", "at"]
    list_select_related = ["ticket", "window", "actor"]
    fields = ["ticket", "action_name", "from_name", "to_name", "window", "actor", "at", "reason"]
    readonly_fields = ["action_name", "from_name", "to_name"]

    @admin.display(description="动作", ordering="action")
    def action_name(self, obj: TicketEvent) -> str:
        return event_action_label(obj.action)

    @admin.display(description="原状态", ordering="from_status")
    def from_name(self, obj: TicketEvent) -> str:
        return _status_label(obj.from_status)

    @admin.display(description="新状态", ordering="to_status")
    def to_name(self, obj: TicketEvent) -> str:
        return _status_label(obj.to_status)


@admin.register(WindowSession)
class WindowSessionAdmin(ReadOnly):
    center_field = "window__center"
    list_display = ["window", "staff", "state", "opened_at", "closed_at", "last_activity_at"]


@admin.register(IdleIncident)
class IdleIncidentAdmin(ReadOnly):
    center_field = "window__center"
    list_display = ["window", "staff", "kind", "started_at", "ended_at", "duration_seconds"]
    list_filter = ["kind", "window__center"]
