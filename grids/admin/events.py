"""Admin of event categories with their dispatch rules, events (moves only through the transition
actions), the view-only timeline and patrols."""

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm
from django.utils.translation import gettext_lazy as _

from governance.admin import ViewOnlyAdmin, run_action
from governance.masking import mask_phone
from grids import policies, services
from grids.models import (
    DispatchRule,
    Event,
    EventCategory,
    Patrol,
    TimelineEntry,
)


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
