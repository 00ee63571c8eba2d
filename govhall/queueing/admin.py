from django.contrib import admin

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


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnly):
    center_field = "ticket__center"
    list_display = ["ticket", "action", "from_status", "to_status", "window", "actor", "at"]


@admin.register(WindowSession)
class WindowSessionAdmin(ReadOnly):
    center_field = "window__center"
    list_display = ["window", "staff", "state", "opened_at", "closed_at", "last_activity_at"]


@admin.register(IdleIncident)
class IdleIncidentAdmin(ReadOnly):
    center_field = "window__center"
    list_display = ["window", "staff", "kind", "started_at", "ended_at", "duration_seconds"]
    list_filter = ["kind", "window__center"]
