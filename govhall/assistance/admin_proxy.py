"""Admin of 帮办 records and 代办: read-only (every change goes through the services, the
assistance console and the API), masked personal data, scoped to the user's centers."""

from __future__ import annotations

from django.contrib import admin

from govhall.assistance.models import HelpRecord, ProxyCase, ProxyEvent, ProxyNote
from govhall.core.masking import mask_address, mask_id_number, mask_name, mask_phone
from govhall.org.admin_scope import MaskedAdmin

__all__ = ["HelpRecordAdmin", "ProxyCaseAdmin"]


class ReadOnly:
    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(HelpRecord)
class HelpRecordAdmin(ReadOnly, MaskedAdmin):
    list_display = ["at", "center", "person_name", "item", "minutes", "outcome", "staff"]
    list_filter = ["outcome", "center"]
    masked_fields = {"person_name": mask_name, "phone": mask_phone}


class ProxyEventInline(ReadOnly, admin.TabularInline):
    model = ProxyEvent
    extra = 0
    readonly_fields = ["at", "actor", "action", "from_status", "to_status", "reason"]


class ProxyNoteInline(ReadOnly, admin.TabularInline):
    model = ProxyNote
    extra = 0
    readonly_fields = ["kind", "at", "by", "department", "method", "contact", "content", "answer"]


@admin.register(ProxyCase)
class ProxyCaseAdmin(ReadOnly, MaskedAdmin):
    list_display = ["number", "center", "item", "applicant_name", "status", "proxy", "applied_at"]
    list_filter = ["status", "center"]
    search_fields = ["number"]
    inlines = [ProxyNoteInline, ProxyEventInline]
    masked_fields = {
        "applicant_name": mask_name,
        "id_number": mask_id_number,
        "phone": mask_phone,
        "address": mask_address,
        "delivery_address": mask_address,
        "proxy_id_number": mask_id_number,
    }
