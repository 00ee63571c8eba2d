from django.contrib import admin

from govhall.cases.models import Case, CaseEvent, CaseMaterial, IntakeRefusal, RemedyBodies


class CaseMaterialInline(admin.TabularInline):
    model = CaseMaterial
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in CaseMaterial._meta.fields]


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "action", "from_status", "to_status", "reason"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only: every change goes through the services (window and department consoles)."""

    list_display = [
        "number",
        "item",
        "department",
        "status",
        "channel",
        "received_at",
        "acceptance_due",
        "deemed",
    ]
    list_filter = ["status", "channel", "deemed", "center", "department"]
    search_fields = ["number", "item__name"]
    inlines = [CaseMaterialInline, CaseEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Case._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IntakeRefusal)
class IntakeRefusalAdmin(admin.ModelAdmin):
    list_display = ["at", "item", "center", "clerk", "channel"]
    list_filter = ["center", "channel"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in IntakeRefusal._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(RemedyBodies)
class RemedyBodiesAdmin(admin.ModelAdmin):
    list_display = ["department", "reconsideration_body", "court"]


from govhall.cases import admin_flow  # noqa: E402, F401  (Cases II admin)
