"""Admin of grids (boundary drawn on the map, workers, area checked by the service) and Open311 keys."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.admin import ServiceAdmin, add_service_error, run_action
from governance.models import Area
from grids.geo import validate_polygon
from grids.models import (
    Grid,
    Open311Key,
)
from grids.selectors import grid_worker_candidates
from grids.services import grid_save
from grids.services.grid import grid_check_area, grid_check_overlap, grid_check_workers
from grids.services.open311 import open311_key_deactivate, open311_key_issue
from grids.widgets import BoundaryMapWidget


class GridAdminForm(forms.ModelForm):
    """The boundary is drawn on a map over the other grids' outlines (``BoundaryMapWidget``); the
    community picker lists communities only and the worker picker the grid workers posted in the
    chosen community (all grid workers until one is chosen), each checked again by the service."""

    class Meta:
        model = Grid
        fields = ["code", "name", "name_en", "area", "boundary", "households", "workers", "is_active"]
        error_messages = {"boundary": {"required": _("请在地图上画出网格边界。")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        others = Grid.objects.exclude(pk=self.instance.pk).values("name", "name_en", "code", "boundary")
        self.fields["boundary"].widget = BoundaryMapWidget(others=others)
        self.fields["boundary"].help_text = ""
        if "area" in self.fields:
            self.fields["area"].queryset = Area.objects.filter(level=Area.Level.COMMUNITY)
        if "workers" in self.fields:
            workers = self.fields["workers"]
            workers.queryset = grid_worker_candidates(area=self._chosen_area())
            workers.help_text = _("只列出所选社区（含其小区、楼栋）在岗的网格员；先选社区并保存，名单随之缩小。")

    def _chosen_area(self) -> Area | None:
        """The community the form is about: the one posted, else the grid's own."""
        pk = self.data.get(self.add_prefix("area")) if self.is_bound else None
        if pk:
            return Area.objects.filter(pk=pk, level=Area.Level.COMMUNITY).first() if str(pk).isdigit() else None
        return self.instance.area if self.instance.area_id else None

    def clean_boundary(self):
        return validate_polygon(self.cleaned_data["boundary"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("area") is not None:
            try:
                grid_check_area(area=cleaned["area"])
                grid_check_workers(area=cleaned["area"], workers=cleaned.get("workers") or [])
            except ValidationError as exc:
                add_service_error(self, exc)
        if cleaned.get("boundary") and cleaned.get("is_active", True):
            # grid_save refuses it too; here it is a form error, with what was drawn kept.
            try:
                grid_check_overlap(boundary=cleaned["boundary"], grid=self.instance)
            except ValidationError as exc:
                add_service_error(self, exc)
        return cleaned


@admin.register(Grid)
class GridAdmin(ServiceAdmin):
    form = GridAdminForm
    list_display = ["code", "name", "name_en", "area", "households", "is_active"]
    list_filter = ["is_active", "area"]
    search_fields = ["code", "name", "name_en"]
    filter_horizontal = ["workers"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "workers":
            # The two-box picker's headings read "Available grid workers" / "可用 网格员".
            kwargs["widget"] = FilteredSelectMultiple(pgettext_lazy("plural", "网格员"), is_stacked=False)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        saved, warnings = grid_save(
            code=obj.code,
            name=obj.name,
            name_en=obj.name_en,
            area=obj.area,
            boundary=obj.boundary,
            households=obj.households,
            grid=obj,  # the form's other fields (is_active) kept on an added grid too
        )
        obj.pk = saved.pk
        for warning in warnings:
            self.message_user(request, warning, messages.WARNING)


class Open311KeyAddForm(forms.ModelForm):
    class Meta:
        model = Open311Key
        fields = ["name"]


@admin.register(Open311Key)
class Open311KeyAdmin(ServiceAdmin):
    """Keys are issued by the service (stored hashed); the key itself is shown once, on adding."""

    list_display = ["name", "prefix", "is_active", "created_at", "last_used_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    actions = ["deactivate_keys"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = Open311KeyAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["name"] if obj is None else ["name", "prefix", "is_active", "created_at", "last_used_at"]

    def get_readonly_fields(self, request, obj=None):
        # Once issued a key is only read or deactivated (the action below): no edit bypasses the service.
        return [] if obj is None else ["name", "prefix", "is_active", "created_at", "last_used_at"]

    def save_model(self, request, obj, form, change):
        if change:
            return
        record, key = open311_key_issue(name=obj.name)
        obj.pk, obj.key_hash, obj.prefix, obj.created_at = record.pk, record.key_hash, record.prefix, record.created_at
        self.message_user(
            request,
            _("Open311 密钥（只显示这一次，请立即复制）：%(key)s") % {"key": key},
            messages.WARNING,
        )

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead, so the history of who filed what stays readable

    @admin.action(description=_("停用所选密钥"), permissions=["change"])
    def deactivate_keys(self, request, queryset):
        run_action(
            self, request, queryset.filter(is_active=True), _("已停用"), lambda key: open311_key_deactivate(key=key)
        )
