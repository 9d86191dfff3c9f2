"""Admin of the 红色议事厅 (in Chinese): meetings and resolutions are read-only records of what
happened, with their append-only timelines; moves are admin actions through the same services."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from governance.consultation import policies, services
from governance.consultation.models import (
    AgendaItem,
    CouncilRule,
    FeePlan,
    Meeting,
    Participant,
    Resolution,
    Seat,
    ServiceItem,
    ServiceRating,
    Suggestion,
    TimelineEntry,
)
from governance.exceptions import DomainError


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class TimelineInline(ReadOnlyInline):
    model = TimelineEntry
    fk_name = "meeting"
    fields = ["created_at", "kind", "from_status", "to_status", "percent", "note", "actor"]
    readonly_fields = fields


class ResolutionTimelineInline(TimelineInline):
    fk_name = "resolution"


class ParticipantInline(ReadOnlyInline):
    model = Participant
    fields = ["user", "group", "signed_in_at", "signed_in_by"]
    readonly_fields = fields


class AgendaInline(ReadOnlyInline):
    model = AgendaItem
    fields = ["order", "title", "is_major", "votes_for", "votes_against", "abstentions", "present", "adopted"]
    readonly_fields = fields


@admin.register(CouncilRule)
class CouncilRuleAdmin(admin.ModelAdmin):
    list_display = ["area", "resident_rep_percent", "property_required"]
    autocomplete_fields = ["area"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "area", "organization", "starts_at", "status", "minutes_published_at"]
    list_filter = ["status"]
    search_fields = ["title"]
    date_hierarchy = "starts_at"
    inlines = [ParticipantInline, AgendaInline, TimelineInline]
    actions = ["conclude_meetings"]

    def has_add_permission(self, request) -> bool:  # meetings are scheduled on the portal's pages / API
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Meeting._meta.fields]

    @admin.action(description=_("结束所选会议"))
    def conclude_meetings(self, request, queryset):
        for meeting in queryset:
            decision = policies.meeting_can(user=request.user, action="conclude", meeting=meeting)
            if not decision:
                self.message_user(request, f"{meeting}：{decision.detail}", messages.ERROR)
                continue
            try:
                services.meeting_conclude(actor=request.user, meeting=meeting)
            except (DomainError, ValidationError) as exc:
                self.message_user(request, f"{meeting}：{getattr(exc, 'detail', exc)}", messages.ERROR)
            else:
                self.message_user(request, _("%(m)s 已结束。") % {"m": meeting}, messages.SUCCESS)


@admin.register(Resolution)
class ResolutionAdmin(admin.ModelAdmin):
    list_display = ["title", "area", "responsible_department", "due_date", "status", "progress", "overdue_flagged_at"]
    list_filter = ["status"]
    search_fields = ["title"]
    inlines = [ResolutionTimelineInline]

    def has_add_permission(self, request) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Resolution._meta.fields]


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["title", "area", "author", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["title"]
    readonly_fields = ["author", "created_at"]


@admin.register(TimelineEntry)
class TimelineEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "meeting", "resolution", "actor", "note"]
    list_filter = ["kind"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ["person", "body", "position", "organization", "compound", "department", "started_on", "ended_on"]
    list_filter = ["body", "position"]
    search_fields = ["person__username", "person__full_name"]
    autocomplete_fields = ["person", "organization", "compound", "department"]


class RatingInline(ReadOnlyInline):
    model = ServiceRating
    fields = ["month", "score", "comment", "created_at"]
    readonly_fields = fields


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["name", "compound", "kind", "provider", "frequency", "is_published"]
    list_filter = ["kind", "is_published"]
    search_fields = ["name"]
    readonly_fields = ["resolution", "created_at"]
    inlines = [RatingInline]


@admin.register(FeePlan)
class FeePlanAdmin(admin.ModelAdmin):
    list_display = ["compound", "period_start", "period_end", "subsidy", "resident_fees", "public_income", "total"]

    def has_add_permission(self, request) -> bool:  # through the service, which explains a mismatch in Chinese
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in FeePlan._meta.fields]
