"""Admin for the organisation. Superusers see everything; holders of the `admin` role edit
their own centers, managers read them — both through the same scope as every screen."""

from __future__ import annotations

import contextvars

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from govhall.core.admin_audit import AuditedAdmin
from govhall.core.audit import log_action
from govhall.core.errors import Forbidden
from govhall.org import services
from govhall.org.forms import StaffAdminAuthenticationForm
from govhall.org.models import (
    Center,
    Department,
    ExtendedService,
    Role,
    RoleAssignment,
    User,
    Window,
    Zone,
)
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


# Who is changing a password in the admin's password view (the form has no request).
_password_actor: contextvars.ContextVar[User | None] = contextvars.ContextVar("password_actor")


class AuditedPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's password form, writing through services.user_account_change."""

    def save(self, commit: bool = True) -> User:
        usable = self.cleaned_data["set_usable_password"]
        return services.user_account_change(
            user=self.user,
            password=self.cleaned_data["password1"] if usable else None,
            disable_password=not usable,
            actor=_password_actor.get(),
        )


def _users_visible_to(request: HttpRequest, qs: QuerySet, roles: set[str]) -> QuerySet:
    """Non-superusers whose every role lies in centers where the viewer holds one of
    `roles`, and the viewer themself; holders of the admin role also see accounts
    without any role (their creator must reach them to assign one)."""
    scope = scope_for(request.user)
    if scope.is_admin:
        return qs
    ours = {cid for cid, held in scope.center_roles.items() if held & roles}
    elsewhere = RoleAssignment.objects.exclude(center_id__in=ours).values("user_id")
    mine = RoleAssignment.objects.filter(center_id__in=ours).values("user_id")
    condition = Q(pk__in=mine) & ~Q(pk__in=elsewhere)
    if scope.has_role(Role.ADMIN):
        condition |= ~Q(pk__in=RoleAssignment.objects.values("user_id"))
    return qs.filter((condition & Q(is_superuser=False)) | Q(pk=request.user.pk))


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

    change_password_form = AuditedPasswordChangeForm

    def get_queryset(self, request):
        qs = super(ScopedAdminMixin, self).get_queryset(request)
        return _users_visible_to(request, qs, {Role.ADMIN, Role.MANAGER})

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or services.may_manage_user(request.user, obj)

    def user_change_password(self, request, id, form_url=""):
        token = _password_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _password_actor.reset(token)

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            log_action(
                actor=request.user,
                action="govhall.org.user.created",
                obj=obj,
                data={"username": obj.username},
            )
            return
        account = [f for f in form.changed_data if f in services.ACCOUNT_FIELDS]
        wanted = {f: getattr(obj, f) for f in account}
        other = [f for f in form.changed_data if f not in services.ACCOUNT_FIELDS]
        if account:
            # The form's values go through the audited service, not this save.
            stored = User.objects.get(pk=obj.pk)
            for name in account:
                setattr(obj, name, getattr(stored, name))
        super().save_model(request, obj, form, change)
        if other:
            log_action(
                actor=request.user,
                action="govhall.org.user.edited",
                obj=obj,
                data={"fields": sorted(other)},
            )
        if account:
            services.user_account_change(user=obj, actor=request.user, **wanted)

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
            try:
                services.user_unlock(user=user, actor=request.user, now=now)
            except Forbidden as exc:
                self.message_user(request, f"{user}：{exc.message}", messages.ERROR)
            else:
                count += 1
        self.message_user(request, f"已解除{count}个账号的锁定。", messages.SUCCESS)


@admin.register(Center)
class CenterAdmin(ScopedAdminMixin, AuditedAdmin):
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

    def get_readonly_fields(self, request, obj=None):
        # Where a center sits in the tree is decided by superusers; a center admin's own
        # center hangs under one they do not administer.
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return [*super().get_readonly_fields(request, obj), "parent", "level"]

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
class DepartmentAdmin(ScopedAdminMixin, AuditedAdmin):
    list_display = ["code", "name", "short_name", "center", "phone", "is_active"]
    list_filter = ["center", "is_active"]
    search_fields = ["code", "name", "short_name"]


@admin.register(Zone)
class ZoneAdmin(ScopedAdminMixin, AuditedAdmin):
    list_display = ["code", "name", "kind", "floor", "center"]
    list_filter = ["center", "kind", "floor"]
    search_fields = ["code", "name", "directions"]


@admin.register(Window)
class WindowAdmin(ScopedAdminMixin, AuditedAdmin):
    list_display = ["number", "name", "kind", "zone", "department", "center", "is_active"]
    list_filter = ["center", "kind", "is_active"]
    search_fields = ["number", "name"]
    list_select_related = ["zone", "department", "center"]


@admin.register(ExtendedService)
class ExtendedServiceAdmin(ScopedAdminMixin, AuditedAdmin):
    """6.7.4 延时服务: the sessions the portal, the board and the kiosk publish and the queue
    and the 空窗 rule count as opening time for the windows they open."""

    list_display = ["center", "kind", "days", "weekdays", "on_date", "start", "end", "published"]
    list_filter = ["center", "kind", "days", "published", "is_active"]
    filter_horizontal = ["windows", "zones"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        scope = self._scope(request)
        if not scope.is_admin and db_field.related_model in (Window, Zone):
            kwargs["queryset"] = db_field.related_model.objects.filter(
                center_id__in=scope.center_ids
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)
