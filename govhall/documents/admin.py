from django.contrib import admin

from govhall.documents.models import Document, DocumentCounter
from govhall.org.admin_scope import CenterScopedAdmin


@admin.register(Document)
class DocumentAdmin(CenterScopedAdmin):
    list_display = ["number", "title", "kind", "center", "created_at", "size"]
    list_filter = ["kind", "center", "year"]
    search_fields = ["number", "title", "related_id"]
    readonly_fields = [f.name for f in Document._meta.fields]

    def has_add_permission(self, request):
        return False  # documents are issued by services only

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DocumentCounter)
class DocumentCounterAdmin(CenterScopedAdmin):
    center_field = None  # issuers' counters: superusers only
    list_display = ["issuer_short_name", "kind", "year", "last_serial"]
    readonly_fields = ["issuer_short_name", "kind", "year", "last_serial"]

    def has_add_permission(self, request):
        return False
