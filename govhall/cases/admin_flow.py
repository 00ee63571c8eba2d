"""Admin of Cases II (registered from admin.py): the settings centers edit (handover
cut-offs, extension limits and publicity per item, mailing fee) and read-only records
(batches, results, releases with masked personal data, fees, alerts). Every change of a
record goes through the services."""

from __future__ import annotations

from django.contrib import admin

from govhall.cases.models import (
    CaseRelease,
    CaseResult,
    CenterOutputPolicy,
    DeadlineAlert,
    FeeOrder,
    HandoverBatch,
    HandoverSchedule,
    ItemCasePolicy,
)
from govhall.core.masking import mask_address, mask_id_number
from govhall.org.admin_scope import CenterScopedAdmin, MaskedAdmin


class ReadOnly:
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HandoverSchedule)
class HandoverScheduleAdmin(CenterScopedAdmin):
    center_field = "department__center"
    list_display = ["department", "morning_cutoff", "afternoon_cutoff"]


@admin.register(ItemCasePolicy)
class ItemCasePolicyAdmin(CenterScopedAdmin):
    center_field = "item__center"
    list_display = ["item", "extension_limit_days", "publish_results"]


@admin.register(CenterOutputPolicy)
class CenterOutputPolicyAdmin(CenterScopedAdmin):
    list_display = ["center", "mail_free", "mail_fee"]


@admin.register(HandoverBatch)
class HandoverBatchAdmin(ReadOnly, CenterScopedAdmin):
    list_display = ["day", "slot", "department", "status", "signed_at"]
    list_filter = ["status", "slot", "department"]


@admin.register(CaseResult)
class CaseResultAdmin(ReadOnly, CenterScopedAdmin):
    center_field = "case__center"
    list_display = ["case", "outcome", "result_type", "result_no", "decided_on"]
    list_filter = ["outcome", "result_type"]


@admin.register(CaseRelease)
class CaseReleaseAdmin(ReadOnly, MaskedAdmin):
    center_field = "case__center"
    list_display = ["case", "method", "signer_name", "released_at", "tracking_no"]
    masked_fields = {"signer_id_number": mask_id_number, "address": mask_address}


@admin.register(FeeOrder)
class FeeOrderAdmin(ReadOnly, CenterScopedAdmin):
    center_field = "case__center"
    list_display = ["out_trade_no", "case", "amount", "status", "paid_at"]
    list_filter = ["status"]


@admin.register(DeadlineAlert)
class DeadlineAlertAdmin(ReadOnly, CenterScopedAdmin):
    center_field = "case__center"
    list_display = ["case", "kind", "level", "due", "created_at", "recipients"]
    list_filter = ["kind", "level"]
