from django.contrib import admin

from govhall.core.masking import mask_name, mask_phone
from govhall.evaluations.models import (
    Appeal,
    BlockedReport,
    Complaint,
    EvaluationSettings,
    Rating,
    Rectification,
    RectificationEvent,
    Survey,
    SurveyQuestion,
)
from govhall.org.admin_scope import AuditedAdmin, CenterScopedAdmin, MaskedAdmin


@admin.register(EvaluationSettings)
class EvaluationSettingsAdmin(AuditedAdmin, CenterScopedAdmin):
    list_display = ["center", "step_days", "link_days"]


class ReadOnly:
    """Ratings and their records are never edited by staff (nor deleted)."""

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Rating)
class RatingAdmin(ReadOnly, MaskedAdmin):
    list_display = ["matter_label", "level", "channel", "window", "staff", "at", "excluded"]
    list_filter = ["level", "channel", "excluded"]
    masked_fields = {"phone": mask_phone, "name": mask_name}


@admin.register(Complaint)
class ComplaintAdmin(ReadOnly, MaskedAdmin):
    list_display = ["content", "channel", "window", "at"]
    masked_fields = {"phone": mask_phone, "name": mask_name}


@admin.register(BlockedReport)
class BlockedReportAdmin(ReadOnly, MaskedAdmin):
    list_display = ["matter", "at"]
    masked_fields = {"phone": mask_phone, "name": mask_name}


class EventInline(admin.TabularInline):
    model = RectificationEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "action", "from_status", "to_status", "reason"]


@admin.register(Rectification)
class RectificationAdmin(ReadOnly, CenterScopedAdmin):
    list_display = ["pk", "source_label", "status", "step_due", "real_name"]
    list_filter = ["status", "real_name"]
    inlines = [EventInline]


@admin.register(Appeal)
class AppealAdmin(ReadOnly, CenterScopedAdmin):
    center_field = "rating__center"
    list_display = ["pk", "rating", "appellant", "status", "at"]


class QuestionInline(admin.TabularInline):
    model = SurveyQuestion
    extra = 1


@admin.register(Survey)
class SurveyAdmin(AuditedAdmin, CenterScopedAdmin):
    list_display = ["title", "center", "status", "token"]
    # Published and closed on the staff page (/evaluations/surveys/), through the workflow.
    readonly_fields = ["token", "status"]
    inlines = [QuestionInline]
