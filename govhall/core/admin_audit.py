"""Admin edits of configuration written to the audit chain (27.8): saves and deletions
through the admin are audited as `govhall.<app>.<model>.admin_added|admin_changed|
admin_deleted` with the changed fields and their new values (configuration only: never
mix this into an admin of personal data)."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction

from govhall.core.audit import log_action


class AuditedAdmin(admin.ModelAdmin):
    def _action(self, verb: str) -> str:
        opts = self.model._meta
        return f"govhall.{opts.app_label}.{opts.model_name}.admin_{verb}"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        fields = {
            name: str(form.cleaned_data.get(name, ""))[:200]
            for name in form.changed_data
            if name in form.cleaned_data
        }
        log_action(
            actor=request.user,
            action=self._action("changed" if change else "added"),
            obj=obj,
            data={"fields": fields},
        )

    def delete_model(self, request, obj):
        log_action(actor=request.user, action=self._action("deleted"), obj=obj, data={})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                log_action(actor=request.user, action=self._action("deleted"), obj=obj, data={})
            super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        counts = {
            "added": len(formset.new_objects),
            "changed": len(formset.changed_objects),
            "deleted": len(formset.deleted_objects),
        }
        if any(counts.values()):
            log_action(
                actor=request.user,
                action=self._action("changed"),
                obj=form.instance,
                data={"inline": formset.model._meta.model_name, **counts},
            )
