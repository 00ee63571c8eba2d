from django.contrib import admin

from govhall.appointments import services
from govhall.appointments.models import (
    Appointment,
    AppointmentEvent,
    BookingRule,
    CenterClosure,
    Slot,
)
from govhall.core.masking import mask_id_number, mask_name, mask_phone
from govhall.org.admin_scope import AuditedAdmin, CenterScopedAdmin, MaskedAdmin


@admin.register(BookingRule)
class BookingRuleAdmin(AuditedAdmin, CenterScopedAdmin):
    list_display = ["center", "item", "department", "slot_minutes", "capacity", "days_ahead"]
    list_filter = ["center", "is_active"]
    raw_id_fields = ["item"]


@admin.register(CenterClosure)
class CenterClosureAdmin(AuditedAdmin, CenterScopedAdmin):
    """Entering a closure goes through `services.closure_enter` (6.3.3: the booked people
    are moved or cancelled and told the reason by SMS). An entered closure is not edited:
    the people have been told; delete it to take bookings on those days again. The service
    writes its own audit entry; deletions are audited by AuditedAdmin."""

    list_display = ["center", "rule", "start_date", "end_date", "reason", "created_at"]
    list_filter = ["center"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        result = services.closure_enter(
            center=obj.center,
            rule=obj.rule,
            start_date=obj.start_date,
            end_date=obj.end_date,
            reason=obj.reason,
            actor=request.user,
        )
        obj.pk, obj.created_at = result.closure.pk, result.closure.created_at
        self.message_user(
            request,
            f"已登记暂停预约。受影响的预约：改约 {len(result.rescheduled)} 个，"
            f"因无可改约时段取消 {len(result.cancelled)} 个，均已短信告知原因。",
        )


@admin.register(Slot)
class SlotAdmin(AuditedAdmin, CenterScopedAdmin):
    list_display = ["start", "end", "rule", "capacity", "booked", "is_closed"]
    list_filter = ["center", "is_closed"]
    date_hierarchy = "start"
    readonly_fields = ["booked"]


class EventInline(admin.TabularInline):
    model = AppointmentEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "action", "from_status", "to_status", "reason"]


@admin.register(Appointment)
class AppointmentAdmin(MaskedAdmin):
    """Read-only: every change goes through the services (audit, SMS). Name, ID number and
    phone are masked; 查看完整信息 shows them, audited."""

    list_display = ["code", "item", "slot_start", "channel", "status"]
    list_filter = ["center", "status", "channel"]
    search_fields = ["code"]
    date_hierarchy = "slot_start"
    inlines = [EventInline]
    masked_fields = {"name": mask_name, "phone": mask_phone, "id_number": mask_id_number}

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
