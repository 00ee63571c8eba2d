"""Admin of the kernel: the calendar is editable; the audit trail and machine records are
read-only; API tokens can only be revoked (their key is never stored, never shown)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone

from govhall.core import services, workdays
from govhall.core.admin_audit import AuditedAdmin
from govhall.core.audit import log_action
from govhall.core.labels import ENTITIES, audit_action_label
from govhall.core.models import (
    ApiToken,
    AuditEntry,
    CalendarDay,
    CalendarYear,
    IdempotencyRecord,
    WorkerHeartbeat,
)

# The admin index warns when this or next year's calendar is missing.
admin.site.index_template = "admin/core/index.html"


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 3
    fields = ["date", "kind", "name"]
    ordering = ["date"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "notes", "holiday_count", "workday_count", "updated_at"]
    readonly_fields = ["updated_at"]
    inlines = [CalendarDayInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("days")

    @admin.display(description="节假日数")
    def holiday_count(self, obj: CalendarYear) -> int:
        return sum(d.kind == CalendarDay.HOLIDAY for d in obj.days.all())

    @admin.display(description="调休上班日数")
    def workday_count(self, obj: CalendarYear) -> int:
        return sum(d.kind == CalendarDay.WORKDAY for d in obj.days.all())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # One calendar_changed for the year and all its inline days, after commit.
        with transaction.atomic(), workdays.calendar_batch():
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.source = "manual"
        super().save_model(request, obj, form, change)
        log_action(
            actor=request.user,
            action="govhall.core.calendar.year_edited"
            if change
            else "govhall.core.calendar.year_entered",
            obj=obj,
            data={"notes": obj.notes, "via": "admin"},
        )

    def delete_model(self, request, obj):
        with transaction.atomic(), workdays.calendar_batch():
            log_action(
                actor=request.user,
                action="govhall.core.calendar.year_deleted",
                obj=obj,
                data={"via": "admin"},
            )
            super().delete_model(request, obj)


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    list_display = ["date", "kind", "name", "year"]
    list_filter = ["year", "kind"]
    date_hierarchy = "date"


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """Records of the whole install, tied to no center: superusers only (a center's staff
    given a view permission still see none of them)."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.none()


class ReadOnlyAdmin(SuperuserOnlyAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AuditActionFilter(admin.SimpleListFilter):
    title = "动作"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        actions = AuditEntry.objects.order_by("action").values_list("action", flat=True)
        return [(a, audit_action_label(a)) for a in actions.distinct()]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "chain",
        "sequence",
        "at",
        "actor_name",
        "action_name",
        "object_name",
        "object_id",
    ]
    list_filter = ["chain", AuditActionFilter]
    search_fields = ["action", "object_id", "actor_label"]
    date_hierarchy = "at"
    list_select_related = ["actor"]

    @admin.display(description="序号", ordering="seq")
    def sequence(self, obj: AuditEntry) -> str:
        # The sealer numbers and hashes entries a moment after they are written.
        return str(obj.seq) if obj.seq is not None else "待封存（尚未编号）"

    @admin.display(description="操作人", ordering="actor_label")
    def actor_name(self, obj: AuditEntry) -> str:
        return obj.actor_label or "系统（无登录人员）"

    @admin.display(description="动作", ordering="action")
    def action_name(self, obj: AuditEntry) -> str:
        return audit_action_label(obj.action)

    @admin.display(description="对象类型", ordering="object_type")
    def object_name(self, obj: AuditEntry) -> str:
        from django.apps import apps

        try:
            return str(apps.get_model(obj.object_type)._meta.verbose_name)
        except (LookupError, ValueError):
            return ENTITIES.get(obj.object_type, obj.object_type)


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "scope", "key", "status_code"]
    search_fields = ["key"]
    exclude = ["body"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["name", "seen_at"]


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["label", "expires_at"]

    def clean_expires_at(self):
        value = self.cleaned_data.get("expires_at")
        if value is None:
            raise forms.ValidationError("令牌须有过期时间。")
        latest = self.instance.created_at + ApiToken.MAX_LIFETIME
        if value > latest:
            raise forms.ValidationError(
                f"令牌有效期最长 {ApiToken.MAX_LIFETIME.days} 天"
                f"（至 {timezone.localtime(latest):%Y-%m-%d %H:%M}）。"
            )
        return value


@admin.register(ApiToken)
class ApiTokenAdmin(SuperuserOnlyAdmin):
    form = ApiTokenForm
    list_display = [
        "prefix",
        "user",
        "label",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
        "state",
    ]
    list_filter = ["revoked_at"]
    search_fields = ["prefix", "label", "user__username"]
    list_select_related = ["user"]
    # The key itself is never stored; its digest is not shown either.
    exclude = ["key_hash"]
    readonly_fields = ["user", "prefix", "scopes", "created_at", "last_used_at", "revoked_at"]
    fields = [
        "user",
        "label",
        "prefix",
        "scopes",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        # The end moves through the audited service; the label is saved here, audited too.
        expires_at = obj.expires_at
        with transaction.atomic():
            if "label" in form.changed_data:
                ApiToken.objects.filter(pk=obj.pk).update(label=obj.label)
                log_action(
                    actor=request.user,
                    action="govhall.core.api_token.relabelled",
                    obj=obj,
                    data={"prefix": obj.prefix, "label": obj.label},
                )
            if "expires_at" in form.changed_data:
                services.api_token_set_expiry(token=obj, expires_at=expires_at, actor=request.user)

    def has_add_permission(self, request) -> bool:
        # A key can only be shown once, on the command line: manage.py create_api_token.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoke instead: the row stays as a record of who had access

    @admin.display(description="状态")
    def state(self, obj: ApiToken) -> str:
        if obj.revoked_at:
            return "已吊销"
        if obj.is_expired(timezone.now()):
            return "已过期"
        return "有效"

    @admin.action(description="吊销所选令牌")
    def revoke(self, request, queryset) -> None:
        now = timezone.now()
        with transaction.atomic():
            tokens = list(queryset.select_for_update().filter(revoked_at__isnull=True))
            for token in tokens:
                token.revoked_at = now
                token.save(update_fields=["revoked_at"])  # signals forget the checked token
                log_action(
                    actor=request.user,
                    action="govhall.core.api_token.revoked",
                    obj=token,
                    data={"prefix": token.prefix, "user_id": token.user_id},
                    now=now,
                )
        self.message_user(request, f"已吊销 {len(tokens)} 个令牌。", messages.SUCCESS)
