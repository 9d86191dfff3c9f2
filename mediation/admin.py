"""Admin in Chinese: read-only views of mediation's rows. Every change goes through the services
(the pages and the API), so the admin can neither move a case nor rewrite its timeline."""

from django.contrib import admin

from mediation.models import (
    Agreement,
    AgreementSignature,
    Case,
    CaseCounter,
    CaseMediator,
    CaseTimelineEntry,
    FollowUp,
    JudicialConfirmation,
    MediatorProfile,
    Party,
    PartyRelation,
    Session,
)
from mediation.services import case_read_record


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TimelineInline(admin.TabularInline):
    model = CaseTimelineEntry
    fields = ["created_at", "kind", "from_status", "to_status", "tier", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "type", "status", "tier", "handling_area", "risk_level", "deadline", "created_at"]
    list_filter = ["status", "tier", "type", "risk_level", "source"]
    search_fields = ["number"]
    inlines = [TimelineInline]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Reading a case in the admin is audited like the case page."""
        case = self.get_object(request, object_id)
        if case is not None:
            case_read_record(actor=request.user, case=case, part="admin", request=request)
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(CaseTimelineEntry)
class CaseTimelineEntryAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "from_status", "to_status", "tier", "actor", "created_at"]
    list_filter = ["kind"]


@admin.register(Party)
class PartyAdmin(ReadOnlyAdmin):
    list_display = ["case", "role", "name_masked", "phone_masked"]
    exclude = ["name", "phone", "id_number", "address"]


@admin.register(MediatorProfile)
class MediatorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "tier", "capacity", "is_active"]
    list_filter = ["kind", "tier", "is_active"]
    autocomplete_fields = ["user"]


# Session notes (背对背 channels) are for the case's mediators only: not in the admin.
for model in (
    CaseMediator,
    CaseCounter,
    PartyRelation,
    Session,
    Agreement,
    AgreementSignature,
    JudicialConfirmation,
    FollowUp,
):
    admin.site.register(model, ReadOnlyAdmin)
