"""Admin of special-group services and emergency help (Chinese labels from the models).
Configuration (aids, green-channel items, contacts, equipment) is edited here, audited;
records with a workflow (requests, loans, the emergency log) are read-only: they change
only through the services (pages and API)."""

from __future__ import annotations

from django.contrib import admin

from govhall.assistance.models_emergency import (
    Drill,
    EmergencyContact,
    EmergencyEquipment,
    EmergencyIncident,
    EmergencyIncidentEvent,
    EquipmentCheck,
)
from govhall.assistance.models_special import (
    Aid,
    AidLoan,
    GreenChannelItem,
    SpecialRequest,
    SpecialRequestEvent,
)
from govhall.core.masking import mask_address, mask_name, mask_phone
from govhall.org.admin_scope import AuditedAdmin, CenterScopedAdmin, MaskedAdmin


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SpecialRequestEventInline(ReadOnlyMixin, admin.TabularInline):
    model = SpecialRequestEvent
    extra = 0
    fields = ["at", "actor", "action", "from_status", "to_status", "reason"]
    readonly_fields = fields


@admin.register(SpecialRequest)
class SpecialRequestAdmin(ReadOnlyMixin, MaskedAdmin):
    masked_fields = {"name": mask_name, "phone": mask_phone, "address": mask_address}
    list_display = ["number", "kind", "group", "status", "name", "phone", "scheduled_at", "staff"]
    list_filter = ["status", "kind", "group", "center"]
    search_fields = ["number"]
    inlines = [SpecialRequestEventInline]


@admin.register(Aid)
class AidAdmin(CenterScopedAdmin, AuditedAdmin):
    list_display = ["label", "kind", "location", "lendable", "is_active", "center"]
    list_filter = ["center", "kind", "lendable", "is_active"]
    search_fields = ["label", "location"]


@admin.register(AidLoan)
class AidLoanAdmin(ReadOnlyMixin, MaskedAdmin):
    masked_fields = {"borrower_name": mask_name, "borrower_phone": mask_phone}
    list_display = ["aid", "borrower_name", "borrower_phone", "lent_at", "returned_at"]
    list_filter = ["center", "aid__kind"]


@admin.register(GreenChannelItem)
class GreenChannelItemAdmin(CenterScopedAdmin, AuditedAdmin):
    list_display = ["item", "measures", "published", "center"]
    list_filter = ["center", "published"]
    autocomplete_fields = ["item"]


class EmergencyIncidentEventInline(ReadOnlyMixin, admin.TabularInline):
    model = EmergencyIncidentEvent
    extra = 0
    fields = ["at", "actor", "action", "from_status", "to_status", "reason"]
    readonly_fields = fields


@admin.register(EmergencyIncident)
class EmergencyIncidentAdmin(ReadOnlyMixin, CenterScopedAdmin):
    list_display = ["number", "kind", "status", "occurred_at", "place", "center"]
    list_filter = ["center", "kind", "status"]
    search_fields = ["number", "place", "description"]
    inlines = [EmergencyIncidentEventInline]


@admin.register(EmergencyContact)
class EmergencyContactAdmin(CenterScopedAdmin, AuditedAdmin):
    list_display = ["role", "name", "phone", "order", "center"]
    list_filter = ["center"]


class EquipmentCheckInline(ReadOnlyMixin, admin.TabularInline):
    model = EquipmentCheck
    extra = 0
    fields = ["checked_on", "ok", "expires_on", "note", "checked_by"]
    readonly_fields = fields


@admin.register(EmergencyEquipment)
class EmergencyEquipmentAdmin(CenterScopedAdmin, AuditedAdmin):
    list_display = ["label", "kind", "location", "last_checked", "expires_on", "center"]
    list_filter = ["center", "kind", "is_active"]
    inlines = [EquipmentCheckInline]


@admin.register(Drill)
class DrillAdmin(ReadOnlyMixin, CenterScopedAdmin):
    list_display = ["held_on", "kind", "scenario", "participant_count", "center"]
    list_filter = ["center", "kind"]
