from django.contrib import admin

from govhall.appointments.models import (
    Appointment,
    AppointmentEvent,
    BookingRule,
    CenterClosure,
    Slot,
)


@admin.register(BookingRule)
class BookingRuleAdmin(admin.ModelAdmin):
    list_display = ["center", "item", "department", "slot_minutes", "capacity", "days_ahead"]
    list_filter = ["center", "is_active"]
    raw_id_fields = ["item"]


@admin.register(CenterClosure)
class CenterClosureAdmin(admin.ModelAdmin):
    list_display = ["center", "rule", "start_date", "end_date", "reason"]
    list_filter = ["center"]


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
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
class AppointmentAdmin(admin.ModelAdmin):
    """Read-only: every change goes through the services (audit, SMS)."""

    list_display = ["code", "item", "slot_start", "channel", "status"]
    list_filter = ["center", "status", "channel"]
    search_fields = ["code"]
    date_hierarchy = "slot_start"
    inlines = [EventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
