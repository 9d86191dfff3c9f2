"""Admin of the 红色议事厅 (in Chinese): meetings and resolutions are read-only records of what
happened, with their append-only timelines; moves are admin actions through the same services."""

from django import forms
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
    Volunteer,
)
from governance.exceptions import DomainError


class ViewOnlyAdmin(admin.ModelAdmin):
    """Rows written by the portal's services (pages, API): the admin shows them, never edits them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


def _errors_to_form(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


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
    fields = ["order", "parent", "title", "is_major", "votes_for", "votes_against", "abstentions", "present", "adopted"]
    readonly_fields = fields


@admin.register(CouncilRule)
class CouncilRuleAdmin(admin.ModelAdmin):
    list_display = ["area", "resident_rep_percent", "property_required"]
    autocomplete_fields = ["area"]

    def save_model(self, request, obj, form, change):
        saved = services.council_rule_set(
            actor=request.user,
            area=obj.area,
            resident_rep_percent=obj.resident_rep_percent,
            property_required=obj.property_required,
        )
        obj.pk = saved.pk


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
class SuggestionAdmin(ViewOnlyAdmin):
    list_display = ["title", "area", "author", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["title"]


@admin.register(TimelineEntry)
class TimelineEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "meeting", "resolution", "suggestion", "actor", "note"]
    list_filter = ["kind"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SeatAdminForm(forms.ModelForm):
    class Meta:
        model = Seat
        fields = ["person", "body", "position", "organization", "compound", "department", "started_on"]

    def clean(self):
        data = super().clean()
        try:
            services.seat_check(
                body=data.get("body"),
                position=data.get("position"),
                organization=data.get("organization"),
                compound=data.get("compound"),
                department=data.get("department"),
            )
        except ValidationError as exc:
            _errors_to_form(self, exc)
        return data


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    """Seats are added here (through ``seat_assign``) and ended with an action; never edited."""

    form = SeatAdminForm
    list_display = ["person", "body", "position", "organization", "compound", "department", "started_on", "ended_on"]
    list_filter = ["body", "position"]
    search_fields = ["person__username", "person__full_name"]
    autocomplete_fields = ["person", "organization", "compound", "department"]
    actions = ["end_seats"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.seat_assign(
            actor=request.user,
            person=data["person"],
            body=data["body"],
            position=data["position"],
            organization=data.get("organization"),
            compound=data.get("compound"),
            department=data.get("department"),
            started_on=data.get("started_on"),
        )
        obj.pk = saved.pk

    @admin.action(description=_("所选人员离任"))
    def end_seats(self, request, queryset):
        for seat in queryset.filter(ended_on__isnull=True):
            services.seat_end(actor=request.user, seat=seat)
        self.message_user(request, _("已办理离任。"), messages.SUCCESS)


class VolunteerAdminForm(forms.ModelForm):
    class Meta:
        model = Volunteer
        fields = ["person", "building", "duties", "since"]

    def clean(self):
        data = super().clean()
        if data.get("person") and data.get("building"):
            try:
                services.volunteer_check(person=data["person"], building=data["building"])
            except ValidationError as exc:
                _errors_to_form(self, exc)
            except DomainError as exc:
                self.add_error(None, exc.detail)
        return data


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    form = VolunteerAdminForm
    list_display = ["person", "building", "duties", "since", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["person__username", "person__full_name"]
    autocomplete_fields = ["person", "building"]
    actions = ["end_volunteers"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    @admin.action(description=_("所选红色管家离岗"))
    def end_volunteers(self, request, queryset):
        for volunteer in queryset.filter(is_active=True):
            services.volunteer_end(actor=request.user, volunteer=volunteer)
        self.message_user(request, _("已办理离岗。"), messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.volunteer_assign(
            actor=request.user,
            person=data["person"],
            building=data["building"],
            duties=data.get("duties", ""),
            since=data.get("since"),
        )
        obj.pk = saved.pk


class RatingInline(ReadOnlyInline):
    model = ServiceRating
    fields = ["month", "score", "comment", "created_at"]
    readonly_fields = fields


@admin.register(ServiceItem)
class ServiceItemAdmin(ViewOnlyAdmin):
    list_display = ["name", "compound", "kind", "provider", "frequency", "is_published"]
    list_filter = ["kind", "is_published"]
    search_fields = ["name"]
    inlines = [RatingInline]


@admin.register(FeePlan)
class FeePlanAdmin(ViewOnlyAdmin):
    list_display = ["compound", "period_start", "period_end", "subsidy", "resident_fees", "public_income", "total"]
