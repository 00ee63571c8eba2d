"""What every app's admin shares: rows scoped to the viewer's centers, personal data masked
with an audited "查看完整信息", and configuration edits written to the audit chain.

- `CenterScopedAdmin`: `center_field` names the path to the row's center; a non-superuser
  sees the rows of their centers only (`scope_for`), and none of a model without a center
  (`center_field = None`: machine records, global lists).
- `MaskedAdmin`: `masked_fields` maps a field to its masking function. Lists and change
  pages show the masked value; "查看完整信息" (a POST, audited as
  `govhall.<app>.<model>.full_viewed`) shows the full values to a superuser or to a
  manager or admin of the row's center.
- `AuditedAdmin` (from core.admin_audit): saves and deletions through the admin are
  audited as `govhall.<app>.<model>.admin_added|admin_changed|admin_deleted`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from govhall.core.admin_audit import AuditedAdmin
from govhall.core.audit import log_action
from govhall.org.models import Role
from govhall.org.selectors import scope_for

__all__ = ["AuditedAdmin", "CenterScopedAdmin", "MaskedAdmin"]

FULL_VIEW_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


class CenterScopedAdmin(admin.ModelAdmin):
    center_field: str | None = "center"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        if self.center_field is None:
            return qs.none()
        return scope_for(request.user).filter(qs, center_field=self.center_field)


def _center_id_of(obj: Model, center_field: str | None) -> int | None:
    if center_field is None:
        return None
    value: Any = obj
    for part in center_field.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value.pk if isinstance(value, Model) else value


def _display(name: str, label: str, mask: Callable[[Any], str]):
    def shown(obj):
        return mask(getattr(obj, name)) if obj is not None else ""

    shown.__name__ = f"masked_{name}"
    return admin.display(description=label)(shown)


class MaskedAdmin(CenterScopedAdmin):
    masked_fields: dict[str, Callable[[Any], str]] = {}

    def __init__(self, model, admin_site) -> None:
        super().__init__(model, admin_site)
        # One display per masked field, labelled like the field (admin checks look for it).
        for name, mask in self.masked_fields.items():
            label = model._meta.get_field(name).verbose_name
            setattr(self, f"masked_{name}", _display(name, label, mask))

    def _swap(self, names) -> list:
        return [f"masked_{n}" if n in self.masked_fields else n for n in names]

    def get_list_display(self, request):
        return self._swap(super().get_list_display(request))

    def get_fields(self, request, obj=None):
        return [*self._swap(super().get_fields(request, obj)), "full_info_link"]

    def get_readonly_fields(self, request, obj=None):
        names = self._swap(super().get_readonly_fields(request, obj))
        extra = [f"masked_{n}" for n in self.masked_fields if f"masked_{n}" not in names]
        return [*names, *extra, "full_info_link"]

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or []), *self.masked_fields]

    @admin.display(description="查看完整信息")
    def full_info_link(self, obj) -> str:
        if obj is None or obj.pk is None:
            return ""
        opts = self.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_full", args=[obj.pk])
        return format_html('<a href="{}">查看完整信息（将记入审计日志）</a>', url)

    def may_see_full(self, request: HttpRequest, obj: Model) -> bool:
        if request.user.is_superuser:
            return True
        center_id = _center_id_of(obj, self.center_field)
        return center_id is not None and scope_for(request.user).has_any_role(
            FULL_VIEW_ROLES, center_id
        )

    def get_urls(self):
        opts = self.model._meta
        full = path(
            "<path:object_id>/full/",
            self.admin_site.admin_view(self.full_info_view),
            name=f"{opts.app_label}_{opts.model_name}_full",
        )
        return [full, *super().get_urls()]

    def full_info_view(self, request: HttpRequest, object_id: str):
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404("对象不存在")
        if not self.may_see_full(request, obj):
            raise PermissionDenied
        opts = self.model._meta
        rows = []
        if request.method == "POST":
            with transaction.atomic():
                log_action(
                    actor=request.user,
                    action=f"govhall.{opts.app_label}.{opts.model_name}.full_viewed",
                    obj=obj,
                    data={"fields": list(self.masked_fields)},
                )
            rows = [
                (opts.get_field(name).verbose_name, getattr(obj, name))
                for name in self.masked_fields
            ]
        context = {
            **self.admin_site.each_context(request),
            "title": f"查看完整信息：{obj}",
            "opts": opts,
            "object": obj,
            "rows": rows,
            "change_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]
            ),
        }
        return TemplateResponse(request, "admin/govhall_full_info.html", context)
