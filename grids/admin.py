"""Django admin for grids. Saves and actions call the grids services; an event's status and
clocks are read-only here and move only through the transition actions; the timeline and the
computed scores are view-only."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.admin import ServiceAdmin, ViewOnlyAdmin, add_service_error, adopt, run_action
from governance.masking import mask_phone
from governance.models import Area
from grids import policies, services
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
from grids.selectors import grid_worker_candidates
from grids.services import grid_save
from grids.services.grid import grid_check_area, grid_check_overlap, grid_check_workers
from grids.services.open311 import open311_key_deactivate, open311_key_issue
from grids.services.sensors import sensor_locate, sensor_update
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
        "dispute_prone",
        "is_active",
    ]
    list_filter = ["is_active", "dispute_prone", "group"]
    search_fields = ["service_code", "name", "name_en", "keywords"]
    fields = [
        "service_code",
        "name",
        "name_en",
        "description",
        "group",
        "keywords",
        "department",
        "response_minutes",
        "response_clock",
        "resolution_minutes",
        "is_active",
        "is_public",
        "reportable_by_people",
        "dispute_prone",
        "cc_departments",
    ]
    filter_horizontal = ["cc_departments"]
    autocomplete_fields = ["department"]
    inlines = [DispatchRuleInline]


class TimelineInWords:
    """The timeline's columns as people read them: 已受理 → 已派单, 社区, the note in the reader's
    language (a system note is stored as a message key), never the stored codes."""

    @admin.display(description=_("状态变更"))
    def status_change(self, entry: TimelineEntry) -> str:
        return entry.status_change_text()

    @admin.display(description=_("督办层级"))
    def level_text(self, entry: TimelineEntry) -> str:
        return entry.level_text()

    @admin.display(description=_("说明"))
    def note_text(self, entry: TimelineEntry) -> str:
        return entry.localized_note


class TimelineInline(TimelineInWords, admin.TabularInline):
    model = TimelineEntry
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "actor", "status_change", "level_text", "note_text"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class EventActionForm(ActionForm):
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=300,
        help_text=_("不予受理的原因、处置结果或备注"),
    )


def _note(request) -> str:
    return (request.POST.get("note") or "").strip()


def _move_action(action: str, description, *, done, service: str, note_as: str = "note"):
    """The admin action ``<action>_events``: for each selected event the policy, then
    ``services.<service>`` with the 说明 box as its ``note_as`` argument, row by row (run_action)."""

    @admin.action(description=description, permissions=["transition"])
    def move_each(modeladmin, request, queryset):
        text = _note(request)
        move = getattr(services, service)
        run_action(
            modeladmin,
            request,
            queryset,
            done,
            _asked(request, action, lambda e: move(event=e, actor=request.user, **{note_as: text})),
        )

    move_each.__name__ = move_each.__qualname__ = f"{action}_events"
    return move_each


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Events are read here and moved only by the actions below, each a service call that writes
    the timeline and keeps the clocks: no field of an event is edited in the admin."""

    list_display = ["code", "category", "grid", "status", "level", "department", "respond_by", "masked_phone"]
    list_filter = ["status", "level", "source", "category"]
    search_fields = ["code", "description", "address"]
    date_hierarchy = "created_at"
    exclude = ["reporter_phone"]
    inlines = [TimelineInline]
    action_form = EventActionForm
    actions = ["accept_events", "reject_events", "dispatch_events", "start_events", "resolve_events", "close_events"]

    @admin.display(description=_("联系电话"))
    def masked_phone(self, obj: Event) -> str:
        return mask_phone(obj.reporter_phone)

    def has_add_permission(self, request):
        return False  # events are reported through the pages, the API, sensors or Open311

    def has_change_permission(self, request, obj=None):
        return False  # status, clocks and the rest move only through the services (the actions)

    def has_delete_permission(self, request, obj=None):
        return False  # the whole history is kept (全流程留痕)

    def has_transition_permission(self, request) -> bool:
        # The form stays read-only for everyone; who may move events holds Django's change permission.
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    accept_events = _move_action("accept", _("受理所选事件"), done=_("已受理"), service="event_accept")
    reject_events = _move_action(
        "reject",
        _("不予受理所选事件（在“说明”中填写原因）"),
        done=_("已不予受理"),
        service="event_reject",
        note_as="reason",
    )
    dispatch_events = _move_action("dispatch", _("按规则派单"), done=_("已派单"), service="event_dispatch")
    start_events = _move_action("start", _("开始处置所选事件"), done=_("已开始处置"), service="event_start")
    resolve_events = _move_action(
        "resolve",
        _("办结所选事件（在“说明”中填写处置结果）"),
        done=_("已办结"),
        service="event_resolve",
        note_as="resolution",
    )
    close_events = _move_action("close", _("关闭所选事件"), done=_("已关闭"), service="event_close")


def _asked(request, action: str, move):
    """The admin door asks the same policy as the API and the pages before each row's move."""

    def run(event):
        policies.event_can(user=request.user, action=action, event=event).raise_if_denied()
        return move(event)

    return run


@admin.register(TimelineEntry)
class TimelineEntryAdmin(TimelineInWords, ViewOnlyAdmin):
    """The event history is append-only: read here, never added, changed or deleted."""

    list_display = ["created_at", "event", "kind", "status_change", "level_text", "actor"]
    fields = ["event", "created_at", "kind", "actor", "status_change", "level_text", "note_text"]
    readonly_fields = fields
    list_filter = ["kind"]
    search_fields = ["event__code", "note"]
    date_hierarchy = "created_at"
    list_select_related = ["event__category", "actor"]


@admin.register(Patrol)
class PatrolAdmin(ViewOnlyAdmin):
    """Patrols are walked and finished from the phone (``patrol_start`` / ``patrol_finish``)."""

    list_display = ["grid", "worker", "status", "started_at", "ended_at"]
    list_filter = ["status"]


class SensorDeviceForm(forms.ModelForm):
    class Meta:
        model = SensorDevice
        fields = ["device_id", "kind", "name", "address", "lon", "lat", "category", "is_active"]

    def clean(self):
        cleaned = super().clean()
        if "lon" in cleaned and "lat" in cleaned:
            try:
                sensor_locate(lon=cleaned["lon"], lat=cleaned["lat"])
            except ValidationError as exc:
                add_service_error(self, exc)
        return cleaned


@admin.register(SensorDevice)
class SensorDeviceAdmin(ServiceAdmin):
    """Registered with ``sensor_register`` (the token is shown once, stored hashed) and edited with
    ``sensor_update``, which files a moved device under the grid that now holds its point."""

    form = SensorDeviceForm
    list_display = ["device_id", "name", "kind", "grid", "category", "is_active", "last_alert_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["device_id", "name", "address"]
    autocomplete_fields = ["category"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["device_id", "kind", "name", "address", "lon", "lat", "category"]
        return ["device_id", "kind", "name", "address", "lon", "lat", "grid", "category", "is_active", "last_alert_at"]

    def get_readonly_fields(self, request, obj=None):
        return ["device_id", "grid", "last_alert_at"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # switch it off instead: its events keep pointing at it

    def save_model(self, request, obj, form, change):
        if change:
            sensor_update(
                device=SensorDevice.objects.get(pk=obj.pk),
                kind=obj.kind,
                lon=obj.lon,
                lat=obj.lat,
                category=obj.category,
                name=obj.name,
                address=obj.address,
                is_active=obj.is_active,
                actor=request.user,
            )
            return
        device, token = services.sensor_register(
            device_id=obj.device_id,
            kind=obj.kind,
            lon=obj.lon,
            lat=obj.lat,
            category=obj.category,
            name=obj.name,
            address=obj.address,
        )
        adopt(obj, device)
        self.message_user(
            request, _("设备令牌（只显示这一次，请立即写入设备）：%(token)s") % {"token": token}, messages.WARNING
        )


@admin.register(DepartmentScore)
class DepartmentScoreAdmin(ViewOnlyAdmin):
    """Computed each month from the events; read here, never edited."""

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


# --- Open311 keys ---------------------------------------------------------------------------


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
