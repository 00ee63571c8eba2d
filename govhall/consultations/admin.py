from django.contrib import admin

from govhall.consultations.models import (
    CenterSettings,
    Consultation,
    ConsultationEvent,
    OverdueAlert,
    Phrase,
    Place,
)
from govhall.consultations.phrases import fill
from govhall.core.masking import mask_name, mask_phone
from govhall.org.admin_scope import AuditedAdmin, CenterScopedAdmin, MaskedAdmin
from govhall.org.models import Role
from govhall.org.selectors import scope_for


class ConsultationEventInline(admin.TabularInline):
    model = ConsultationEvent
    extra = 0
    can_delete = False
    readonly_fields = [
        "at",
        "actor",
        "action",
        "from_status",
        "to_status",
        "reason",
        "to_user",
        "to_department",
    ]


@admin.register(Consultation)
class ConsultationAdmin(MaskedAdmin):
    """Read-only: every change goes through the services (desk, ledger, API)."""

    masked_fields = {"phone": mask_phone, "name": mask_name}
    list_display = ["number", "channel", "status", "name", "phone", "owner", "reply_due"]
    list_filter = ["status", "channel", "kind", "center"]
    search_fields = ["number", "question"]
    inlines = [ConsultationEventInline]

    def get_readonly_fields(self, request, obj=None):
        names = [f.name for f in Consultation._meta.fields if f.name not in ("phone", "name")]
        return [*names, *super().get_readonly_fields(request, obj)]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OverdueAlert)
class OverdueAlertAdmin(CenterScopedAdmin):
    center_field = "consultation__center"
    list_display = ["consultation", "level", "recipient", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(CenterSettings)
class CenterSettingsAdmin(AuditedAdmin, CenterScopedAdmin):
    list_display = ["center", "reply_days", "second_level_days"]


@admin.register(Place)
class PlaceAdmin(AuditedAdmin, CenterScopedAdmin):
    list_display = ["name", "kind", "floor", "windows", "center", "position", "is_active"]
    list_filter = ["center", "kind", "floor"]
    list_editable = ["position", "is_active"]


def _manager(request) -> bool:
    user = request.user
    return user.is_active and (user.is_superuser or scope_for(user).has_role(Role.MANAGER))


@admin.register(Phrase)
class PhraseAdmin(AuditedAdmin):
    """Appendix A phrases, edited by the centers' managers; placeholders {center} {window}
    {item} {materials} {regulation} are filled where the phrase is shown."""

    list_display = ["code", "moment", "text", "example", "is_active"]
    list_filter = ["moment", "is_active"]
    search_fields = ["code", "text"]
    readonly_fields = ["example", "updated_at"]

    @admin.display(description="示例（占位符已填）")
    def example(self, obj: Phrase) -> str:
        return fill(
            obj.text,
            {
                "center": "青松县政务服务中心",
                "window": "3号窗口",
                "item": "食品经营许可",
                "materials": "营业执照",
                "regulation": "《食品经营许可管理办法》",
            },
        )

    def has_module_permission(self, request):
        return _manager(request)

    def has_view_permission(self, request, obj=None):
        return _manager(request)

    def has_change_permission(self, request, obj=None):
        return _manager(request)

    def has_add_permission(self, request):
        return _manager(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
