from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from govhall.catalog.excel import ImportFailed, export_workbook, import_workbook
from govhall.catalog.models import GuideVersion, Material, ServiceItem
from govhall.catalog.services import (
    GUIDE_FIELDS,
    ITEM_FIELDS,
    guide_draft_create,
    guide_publish,
    guide_update,
    item_create,
    item_update,
)
from govhall.core.errors import DomainError
from govhall.org.admin_scope import CenterScopedAdmin


class VersionInline(admin.TabularInline):
    model = GuideVersion
    fields = ["version", "status", "published_at", "published_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")


@admin.register(ServiceItem)
class ServiceItemAdmin(CenterScopedAdmin):
    list_display = ["code", "name", "department", "kind", "current_version", "is_active"]
    list_filter = ["center", "department", "kind", "is_active"]
    search_fields = ["code", "name", "keywords"]
    readonly_fields = ["published"]
    inlines = [VersionInline]
    actions = ["new_draft", "export_selected"]
    change_list_template = "admin/catalog/serviceitem/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        return ["published", "code", "center"] if obj else ["published"]

    @admin.display(description="现行版本")
    def current_version(self, obj):
        return f"第{obj.published.version}版" if obj.published_id else "未发布"

    def save_model(self, request, obj, form, change):
        # Through the services, so every change is audited and the search index follows.
        if not change:
            created = item_create(
                center=obj.center,
                department=obj.department,
                code=obj.code,
                name=obj.name,
                kind=obj.kind,
                keywords=obj.keywords,
                actor=request.user,
            )
            obj.pk = created.pk
            obj.refresh_from_db()
            return
        fields = {f: getattr(obj, f) for f in form.changed_data if f in ITEM_FIELDS}
        obj.refresh_from_db()
        item_update(item=obj, actor=request.user, **fields)

    @admin.action(description="新建草稿")
    def new_draft(self, request, queryset):
        for item in queryset:
            draft = guide_draft_create(item=item, actor=request.user)
            self.message_user(request, f"{item.name}：草稿第{draft.version}版已就绪。")

    @admin.action(description="导出所选事项为 Excel")
    def export_selected(self, request, queryset):
        return _xlsx(export_workbook(queryset.filter(published__isnull=False)))

    def get_urls(self):
        return [
            path("export/", self.admin_site.admin_view(self.export_view), name="catalog_export"),
            path("import/", self.admin_site.admin_view(self.import_view), name="catalog_import"),
            *super().get_urls(),
        ]

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return _xlsx(export_workbook(self._published(request)))

    def _published(self, request):
        return (
            self.get_queryset(request)
            .filter(published__isnull=False)
            .select_related("center", "department", "published", "published__zone")
            .order_by("center__code", "code")
        )

    def import_view(self, request):
        if not self.has_change_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        form = ImportForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            try:
                report = import_workbook(form.cleaned_data["file"].read(), actor=request.user)
            except ImportFailed as exc:
                problems = exc.problems
                messages.error(request, exc.message)
            else:
                messages.success(request, f"导入完成：{report.summary()}")
                return HttpResponseRedirect(reverse("admin:catalog_serviceitem_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "从 Excel 导入事项目录",
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/catalog/import.html", context)


def _xlsx(data: bytes) -> HttpResponse:
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="catalog-{stamp}.xlsx"'
    return response


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    fields = [
        "position",
        "name",
        "required",
        "form",
        "copies",
        "original_required",
        "notes",
        "blank_form",
        "sample",
    ]

    def _frozen(self, obj):
        return obj is not None and obj.is_frozen

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


# 6.1.2 preceding/following items: many-to-many, so not in _meta.fields.
LINKED_ITEMS = ["preceding_items", "following_items"]


@admin.register(GuideVersion)
class GuideVersionAdmin(CenterScopedAdmin):
    center_field = "item__center"
    list_display = ["item", "version", "status", "published_at"]
    list_filter = ["status", "item__department"]
    search_fields = ["item__code", "item__name"]
    inlines = [MaterialInline]
    actions = ["new_draft", "publish"]
    readonly_fields = ["item", "version", "status", "published_at", "published_by"]
    autocomplete_fields = ["preceding_items", "following_items"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return [f.name for f in GuideVersion._meta.fields] + LINKED_ITEMS
        return self.readonly_fields

    def has_add_permission(self, request):
        return False  # drafts come from the "新建草稿" action

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_frozen

    def save_model(self, request, obj, form, change):
        if obj.is_frozen:
            return
        fields = {f: getattr(obj, f) for f in form.changed_data if f in GUIDE_FIELDS}
        guide_update(guide=obj, actor=request.user, **fields)

    @admin.action(description="新建草稿")
    def new_draft(self, request, queryset):
        for item_id in set(queryset.values_list("item_id", flat=True)):
            draft = guide_draft_create(item=ServiceItem.objects.get(pk=item_id), actor=request.user)
            self.message_user(request, f"{draft.item.name}：草稿第{draft.version}版已就绪。")

    @admin.action(description="发布")
    def publish(self, request, queryset):
        for guide in queryset:
            try:
                guide_publish(guide=guide, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{guide}：{exc.message}", level=messages.ERROR)
            else:
                self.message_user(request, f"{guide.item.name} 第{guide.version}版已发布。")
