from __future__ import annotations

import contextlib
import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from govhall.core.masking import mask_phone
from govhall.notifications.budget import budget_alert_acknowledge
from govhall.notifications.models import (
    MULTI_SMS_PART_CHARS,
    SINGLE_SMS_CHARS,
    OutboxMessage,
    PhoneCallTask,
    SentSms,
    SmsBudgetAlert,
    SmsOptOut,
    SmsTemplate,
    sms_segments,
    template_fields,
)
from govhall.notifications.selectors import outbox_stats
from govhall.notifications.services import message_resend
from govhall.notifications.templates_seed import BUILTIN_TEMPLATES
from govhall.org.admin_scope import AuditedAdmin, CenterScopedAdmin, MaskedAdmin

PREVIEW_SIGNATURE = "××县政务服务中心"


def _hidden_text(value) -> str:
    # Bodies and parameters carry names, numbers and codes: shown only in full view.
    return f"（已隐藏，共{len(value)}字）" if value else "—"


def _hidden_params(value) -> str:
    return f"（已隐藏：{'、'.join(sorted(value))}）" if value else "—"


MESSAGE_MASKS = {"to": mask_phone, "body": _hidden_text, "params": _hidden_params}


def _sample_params(template: SmsTemplate) -> dict[str, str]:
    # A parameter's name stands in for its value, so the preview shows where it goes;
    # the longest realistic values matter for length, so the check adds a margin below.
    names = list(dict.fromkeys([*template.params, *template_fields(template.body)]))
    return {n: f"〔{n}〕" for n in names}


class SmsTemplateForm(forms.ModelForm):
    class Meta:
        model = SmsTemplate
        fields = [
            "code",
            "name",
            "kind",
            "body",
            "params",
            "call_script",
            "aliyun_template_code",
            "tencent_template_id",
            "center_hourly_budget",
            "is_active",
        ]

    def clean(self):
        data = super().clean()
        body, params = data.get("body") or "", data.get("params")
        if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
            self.add_error("params", '参数应为参数名列表，例如 ["name", "item"]。')
            return data
        try:
            used = template_fields(body)
        except ValueError as exc:
            self.add_error("body", f"正文格式有误：{exc}")
            return data
        unknown = [f for f in used if f not in params]
        if unknown:
            self.add_error("body", f"正文使用了未登记的参数：{'、'.join(unknown)}。")
        builtin = BUILTIN_TEMPLATES.get(data.get("code") or "")
        if builtin is not None and tuple(params) != builtin.params:
            # Other apps send these codes with exactly these parameters.
            self.add_error("params", f"内置模板的参数不可更改，应为：{list(builtin.params)}。")
        return data


@admin.register(SmsTemplate)
class SmsTemplateAdmin(AuditedAdmin):
    form = SmsTemplateForm
    list_display = ["code", "name", "kind", "length_info", "aliyun_template_code", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "body"]
    readonly_fields = ["preview", "length_info", "updated_at"]
    fields = [
        "code",
        "name",
        "kind",
        "body",
        "params",
        "preview",
        "length_info",
        "call_script",
        "aliyun_template_code",
        "tencent_template_id",
        "center_hourly_budget",
        "is_active",
        "updated_at",
    ]

    @admin.display(description="预览（含示例签名）")
    def preview(self, obj: SmsTemplate) -> str:
        if not obj.pk or not obj.body:
            return "保存后显示预览。"
        try:
            text = obj.render(_sample_params(obj), PREVIEW_SIGNATURE)
        except (KeyError, ValueError, IndexError) as exc:
            return f"模板有误：{exc}"
        return format_html('<div style="max-width:30em;white-space:pre-wrap">{}</div>', text)

    @admin.display(description="长度")
    def length_info(self, obj: SmsTemplate) -> str:
        if not obj.body:
            return "—"
        try:
            fixed = obj.render({n: "" for n in _sample_params(obj)}, PREVIEW_SIGNATURE)
        except (KeyError, ValueError, IndexError):
            return "模板有误"
        n = len(fixed)
        return (
            f"固定文字 {n} 字（含签名），约 {sms_segments(fixed)} 条计费；"
            f"单条上限 {SINGLE_SMS_CHARS} 字，超出按每条 {MULTI_SMS_PART_CHARS} 字拆分"
        )


@admin.register(OutboxMessage)
class OutboxMessageAdmin(MaskedAdmin):
    change_list_template = "admin/notifications/outboxmessage/change_list.html"
    masked_fields = MESSAGE_MASKS
    list_display = [
        "created_at",
        "template",
        "to",
        "channel",
        "status",
        "attempts",
        "cycle",
        "due_at",
        "sent_at",
        "delivery_status",
        "duplicates",
        "short_error",
    ]
    list_filter = ["status", "channel", "delivery_status", "template", "provider", "urgent"]
    search_fields = ["message_id", "to", "related_id", "provider_message_id"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="错误")
    def short_error(self, obj: OutboxMessage) -> str:
        return (obj.last_error or "")[:60]

    @admin.action(description="重新发送所选的失败消息（同一消息编号）")
    def resend(self, request, queryset):
        count = sum(
            message_resend(message_id=pk, actor=request.user)
            for pk in queryset.filter(status=OutboxMessage.Status.FAILED).values_list(
                "pk", flat=True
            )
        )
        messages.success(request, f"已重新排队 {count} 条失败消息。")

    def get_urls(self):
        urls = super().get_urls()
        stats = path(
            "stats/",
            self.admin_site.admin_view(self.stats_view),
            name="notifications_outboxmessage_stats",
        )
        return [stats, *urls]

    def stats_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        days = 30
        with contextlib.suppress(ValueError):
            days = max(1, min(366, int(request.GET.get("days", days))))
        since = timezone.now() - dt.timedelta(days=days)
        context = {
            **self.admin_site.each_context(request),
            "title": f"短信发送统计（近 {days} 天，按模板和日期）",
            "rows": outbox_stats(since=since, queryset=self.get_queryset(request)),
            "days": days,
            "opts": self.model._meta,
            "changelist_url": reverse("admin:notifications_outboxmessage_changelist"),
        }
        return TemplateResponse(request, "admin/notifications/outbox_stats.html", context)


@admin.register(PhoneCallTask)
class PhoneCallTaskAdmin(MaskedAdmin):
    masked_fields = {"phone": mask_phone, "script": _hidden_text, "note": _hidden_text}
    list_display = ["created_at", "center", "reason", "status", "outcome", "calls", "done_by"]
    list_filter = ["status", "reason", "outcome", "center"]
    readonly_fields = [f.name for f in PhoneCallTask._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SmsOptOut)
class SmsOptOutAdmin(MaskedAdmin):
    # Not tied to a center: superusers only. Opt-outs change through the services.
    center_field = None
    masked_fields = {"phone": mask_phone}
    list_display = ["phone", "created_at", "source"]
    search_fields = ["phone"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SentSms)
class SentSmsAdmin(MaskedAdmin):
    # The database SMS backend's record of what left: superusers only.
    center_field = None
    masked_fields = MESSAGE_MASKS
    list_display = ["sent_at", "template", "to", "requests"]
    list_filter = ["template"]
    readonly_fields = [f.name for f in SentSms._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # a record of what was sent is never made by hand

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # nor changed: the list and the records are for viewing


@admin.register(SmsBudgetAlert)
class SmsBudgetAlertAdmin(CenterScopedAdmin):
    """Alerts of the viewer's centers (all for a superuser)."""

    list_display = ["hour", "center", "template", "budget", "held", "acknowledged_at"]
    list_filter = ["template", "center"]
    readonly_fields = [f.name for f in SmsBudgetAlert._meta.fields]
    actions = ["acknowledge"]

    list_select_related = ["center"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="确认已知悉所选预警")
    def acknowledge(self, request, queryset):
        count = sum(
            budget_alert_acknowledge(alert_id=pk, actor=request.user)
            for pk in queryset.values_list("pk", flat=True)
        )
        messages.success(request, f"已确认 {count} 条预警。")
