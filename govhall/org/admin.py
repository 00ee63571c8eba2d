"""Admin for the organisation. Superusers see everything; holders of the `admin` role edit
their own centers, managers read them — both through the same scope as every screen."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from govhall.org import services
from govhall.org.forms import StaffAdminAuthenticationForm
from govhall.org.models import Center, Department, Role, RoleAssignment, User, Window, Zone
from govhall.org.selectors import scope_for

# The admin login refuses locked accounts like /staff/login/ and says until when.
admin.site.login_form = StaffAdminAuthenticationForm


class ScopedAdminMixin:
    """Row scope and permissions from scope_for, not from Django's permission tables."""

    center_field = "center"

    def _scope(self, request: HttpRequest):
        return scope_for(request.user)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        return self._scope(request).filter(qs, center_field=self.center_field)

    def has_module_permission(self, request: HttpRequest) -> bool:
        scope = self._scope(request)
        return scope.is_admin or scope.has_any_role({Role.ADMIN, Role.MANAGER})

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        scope = self._scope(request)
        return scope.is_admin or scope.has_role(Role.ADMIN)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._scope(request).is_admin

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = self._scope(request)
        if not scope.is_admin and db_field.related_model in (Center, Department, Window, Zone):
            field = "id" if db_field.related_model is Center else "center_id"
            kwargs["queryset"] = db_field.related_model.objects.filter(
                **{f"{field}__in": scope.center_ids}
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ["role", "center", "department"]

    def clean(self):
        data = super().clean()
        role, center, department = data.get("role"), data.get("center"), data.get("department")
        if role == Role.APPROVER and department is None:
            self.add_error("department", "审批人员须指定所属部门。")
        if department is not None and center is not None and department.center_id != center.pk:
            self.add_error("department", "部门不属于所选中心。")
        return data


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    form = RoleAssignmentForm
    fk_name = "user"
    extra = 1
    fields = ["role", "center", "department"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = scope_for(request.user)
        if not scope.is_admin and db_field.name == "center":
            kwargs["queryset"] = Center.objects.filter(id__in=scope.center_ids)
        if not scope.is_admin and db_field.name == "department":
            kwargs["queryset"] = Department.objects.filter(center_id__in=scope.center_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_view_permission(self, request, obj=None):
        return True

    def has_add_permission(self, request, obj=None):
        return scope_for(request.user).is_admin or scope_for(request.user).has_role(Role.ADMIN)

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)


class LockedFilter(admin.SimpleListFilter):
    title = "锁定状态"
    parameter_name = "locked"

    def lookups(self, request, model_admin):
        return [("yes", "已锁定"), ("no", "未锁定")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "yes":
            return queryset.filter(locked_until__gt=now)
        if self.value() == "no":
            return queryset.exclude(locked_until__gt=now)
        return queryset


@admin.register(User)
class UserAdmin(ScopedAdminMixin, BaseUserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = [
        "username",
        "display_name",
        "badge_no",
        "post",
        "home_window",
        "is_active",
        "is_device",
        "lock_status",
    ]
    list_filter = [LockedFilter, "is_active", "is_device", "is_public", "roles__role"]
    search_fields = ["username", "display_name", "badge_no", "phone"]
    actions = ["unlock_accounts"]
    readonly_fields = ["failed_logins", "locked_until", "last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            "个人信息（公示字段：姓名、照片、工号、岗位、窗口）",
            {"fields": ("display_name", "photo", "badge_no", "post", "home_window", "phone")},
        ),
        ("账号", {"fields": ("is_active", "is_public", "is_device", "email")}),
        ("登录安全", {"fields": ("failed_logins", "locked_until", "last_login", "date_joined")}),
        ("后台权限", {"fields": ("is_staff", "is_superuser")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "display_name", "password1", "password2"),
            },
        ),
    )

    def get_queryset(self, request):
        qs = super(ScopedAdminMixin, self).get_queryset(request)
        scope = self._scope(request)
        if scope.is_admin:
            return qs
        # Staff with a role in one of the actor's centers (and the actor themself).
        visible = RoleAssignment.objects.filter(center_id__in=scope.center_ids).values("user_id")
        result = qs.filter(pk__in=visible) | qs.filter(pk=request.user.pk)
        if scope.has_role(Role.ADMIN):
            # A new account has no role yet; its creator must reach it to assign one.
            result = result | qs.filter(roles__isnull=True, is_superuser=False)
        return result.distinct()

    def get_inline_instances(self, request, obj=None):
        # Like Django's own user admin: first the account and password, then the roles.
        return [] if obj is None else super().get_inline_instances(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Only superusers hand out site-wide power.
            fields += ["is_staff", "is_superuser"]
        return fields

    def save_formset(self, request, form, formset, change):
        if formset.model is not RoleAssignment:
            return super().save_formset(request, form, formset, change)
        # Role changes go through the services so that each one is audited.
        instances = formset.save(commit=False)
        for old in formset.deleted_objects:
            services.role_revoke(assignment=old, actor=request.user)
        for obj in instances:
            if obj.pk:
                services.role_revoke(
                    assignment=RoleAssignment.objects.get(pk=obj.pk), actor=request.user
                )
            services.role_assign(
                user=form.instance,
                role=obj.role,
                center=obj.center,
                department=obj.department,
                actor=request.user,
            )

    @admin.display(description="锁定状态")
    def lock_status(self, obj: User) -> str:
        if obj.is_locked(timezone.now()):
            return f"已锁定至 {timezone.localtime(obj.locked_until):%m-%d %H:%M}"
        if obj.failed_logins:
            return f"连续失败{obj.failed_logins}次"
        return "正常"

    @admin.action(description="解除所选账号的登录锁定")
    def unlock_accounts(self, request, queryset):
        now = timezone.now()
        count = 0
        for user in queryset:
            services.user_unlock(user=user, actor=request.user, now=now)
            count += 1
        self.message_user(request, f"已解除{count}个账号的锁定。", messages.SUCCESS)


@admin.register(Center)
class CenterAdmin(ScopedAdminMixin, admin.ModelAdmin):
    center_field = "id"
    list_display = ["code", "name", "level", "parent", "phone", "complaint_phone", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name", "short_name", "address"]
    autocomplete_fields = ["parent"]
    fieldsets = (
        (None, {"fields": ("code", "name", "short_name", "level", "parent", "is_active")}),
        ("公开信息（6.2.1）", {"fields": ("address", "phone", "opening_hours", "public_notice")}),
        ("投诉与监督", {"fields": ("complaint_phone", "supervision_channels")}),
        (
            "办公时段（取号、预约按此计算）",
            {"fields": ("morning_open", "morning_close", "afternoon_open", "afternoon_close")},
        ),
        ("短信", {"fields": ("sms_signature",)}),
    )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        from govhall.catalog.checks import MISSING_CHANNELS, lacks_channels

        center = self.get_object(request, object_id)
        if center is not None and request.method == "GET" and lacks_channels(center):
            messages.warning(request, MISSING_CHANNELS)
        return super().change_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request):
        qs = super(ScopedAdminMixin, self).get_queryset(request).select_related("parent")
        scope = self._scope(request)
        return qs if scope.is_admin else qs.filter(id__in=scope.center_ids)


@admin.register(Department)
class DepartmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "center", "phone", "is_active"]
    list_filter = ["center", "is_active"]
    search_fields = ["code", "name", "short_name"]


@admin.register(Zone)
class ZoneAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "floor", "center"]
    list_filter = ["center", "kind", "floor"]
    search_fields = ["code", "name", "directions"]


@admin.register(Window)
class WindowAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["number", "name", "kind", "zone", "department", "center", "is_active"]
    list_filter = ["center", "kind", "is_active"]
    search_fields = ["number", "name"]
    list_select_related = ["zone", "department", "center"]
