from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from governance.exceptions import DomainError
from grids import services
from grids.geo import validate_polygon
from grids.models import (
    DepartmentScore,
    DispatchRule,
    Event,
    EventCategory,
    Grid,
    Open311Key,
    Patrol,
    SensorDevice,
    TimelineEntry,
)
from grids.services import grid_save
from grids.services.open311 import open311_key_deactivate, open311_key_issue


class GridAdminForm(forms.ModelForm):
    class Meta:
        model = Grid
        fields = ["code", "name", "area", "boundary", "households", "workers", "is_active"]

    def clean_boundary(self):
        return validate_polygon(self.cleaned_data["boundary"])


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    form = GridAdminForm
    list_display = ["code", "name", "area", "households", "is_active"]
    list_filter = ["is_active", "area"]
    search_fields = ["code", "name"]
    filter_horizontal = ["workers"]
    autocomplete_fields = ["area"]

    def save_model(self, request, obj, form, change):
        saved, warnings = grid_save(
            code=obj.code,
            name=obj.name,
            area=obj.area,
            boundary=obj.boundary,
            households=obj.households,
            grid=obj if change else None,
        )
        obj.pk = saved.pk
        for warning in warnings:
            self.message_user(request, warning, messages.WARNING)


# --- Categories, rules, events, sensors, scores ---------------------------------------------


class DispatchRuleInline(admin.TabularInline):
    model = DispatchRule
    extra = 0
    autocomplete_fields = ["area", "department"]


@admin.register(EventCategory)
class EventCategoryAdmin(admin.ModelAdmin):
    list_display = [
        "service_code",
        "name",
        "group",
        "department",
        "response_minutes",
        "resolution_minutes",
        "is_active",
    ]
    list_filter = ["is_active", "group"]
    search_fields = ["service_code", "name", "keywords"]
    filter_horizontal = ["cc_departments"]
    autocomplete_fields = ["department"]
    inlines = [DispatchRuleInline]


class TimelineInline(admin.TabularInline):
    model = TimelineEntry
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "actor", "from_status", "to_status", "level", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


def _run(modeladmin, request, queryset, label, call):
    done = 0
    for event in queryset:
        try:
            call(event)
            done += 1
        except (DomainError, ValidationError) as exc:
            detail = getattr(exc, "detail", None) or "; ".join(getattr(exc, "messages", [str(exc)]))
            modeladmin.message_user(request, f"{event.code}: {detail}", messages.ERROR)
    if done:
        modeladmin.message_user(
            request,
            ngettext("%(label)s：%(n)d 个事件", "%(label)s：%(n)d 个事件", done) % {"label": label, "n": done},
            messages.SUCCESS,
        )


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["code", "category", "grid", "status", "level", "department", "respond_by", "masked_phone"]
    list_filter = ["status", "level", "source", "category"]
    search_fields = ["code", "description", "address"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "code",
        "status",
        "level",
        "grid",
        "window_started_at",
        "respond_by",
        "remind_at",
        "reminded_at",
        "responded_at",
        "resolve_by",
        "resolved_at",
        "closed_at",
        "status_changed_at",
        "rating",
        "rating_comment",
        "reporter",
        "source",
        "sensor",
        "sensor_fault",
        "patrol",
        "department",
        "lon",
        "lat",
    ]
    exclude = ["reporter_phone"]
    inlines = [TimelineInline]
    actions = ["accept_events", "dispatch_events", "close_events"]

    @admin.display(description=_("联系电话"))
    def masked_phone(self, obj: Event) -> str:
        from governance.masking import mask_phone

        return mask_phone(obj.reporter_phone)

    def has_add_permission(self, request):
        return False  # events are reported through the pages, the API, sensors or Open311

    @admin.action(description=_("受理所选事件"))
    def accept_events(self, request, queryset):
        _run(self, request, queryset, _("已受理"), lambda e: services.event_accept(event=e, actor=request.user))

    @admin.action(description=_("按规则派单"))
    def dispatch_events(self, request, queryset):
        _run(self, request, queryset, _("已派单"), lambda e: services.event_dispatch(event=e, actor=request.user))

    @admin.action(description=_("关闭所选事件"))
    def close_events(self, request, queryset):
        _run(self, request, queryset, _("已关闭"), lambda e: services.event_close(event=e, actor=request.user))


@admin.register(Patrol)
class PatrolAdmin(admin.ModelAdmin):
    list_display = ["grid", "worker", "status", "started_at", "ended_at"]
    list_filter = ["status"]
    readonly_fields = ["worker", "grid", "status", "started_at", "ended_at", "route"]


@admin.register(SensorDevice)
class SensorDeviceAdmin(admin.ModelAdmin):
    list_display = ["device_id", "name", "kind", "grid", "category", "is_active", "last_alert_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["device_id", "name", "address"]
    readonly_fields = ["grid", "last_alert_at"]

    def has_add_permission(self, request):
        return False  # registered with `sensor_register` so the token is issued and stored hashed


@admin.register(DepartmentScore)
class DepartmentScoreAdmin(admin.ModelAdmin):
    list_display = [
        "month",
        "department",
        "events",
        "avg_response_minutes",
        "on_time_rate",
        "resolution_rate",
        "satisfaction",
        "score",
    ]
    list_filter = ["month"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- Open311 keys ---------------------------------------------------------------------------
# Imports here because this section was appended (move them to the top when convenient).


class Open311KeyAddForm(forms.ModelForm):
    class Meta:
        model = Open311Key
        fields = ["name"]


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
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
        return [] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
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

    @admin.action(description=_("停用所选密钥"))
    def deactivate_keys(self, request, queryset):
        done = 0
        for key in queryset.filter(is_active=True):
            open311_key_deactivate(key=key)
            done += 1
        self.message_user(
            request, ngettext("已停用 %(n)d 个密钥。", "已停用 %(n)d 个密钥。", done) % {"n": done}, messages.SUCCESS
        )
