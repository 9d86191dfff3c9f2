"""Admin in Chinese: read-only views of mediation's rows. Every change goes through the services
(the pages and the API), so the admin can neither move a case nor rewrite its timeline. The one
action here — withdrawing a wrongly recorded signature — asks the same policy as the API and the
case page (``withdraw_signature``: the case's acting mediators) and calls the same service."""

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm
from django.utils.translation import gettext_lazy as _

from governance.admin import run_action
from mediation import policies, services
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


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    """Every round's agreement: the current one has no 失效时间; earlier rounds are history."""

    list_display = ["case", "round", "signed_on", "effective_on", "superseded_at", "created_at"]
    list_filter = ["superseded_at"]
    search_fields = ["case__number"]
    list_select_related = ["case"]


class WithdrawActionForm(ActionForm):
    reason = forms.CharField(label=_("撤回原因"), required=False, max_length=300)


@admin.register(AgreementSignature)
class AgreementSignatureAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "party", "signed_on", "method", "recorded_at", "withdrawn_at", "withdraw_reason"]
    list_filter = ["method", "withdrawn_at"]
    search_fields = ["agreement__case__number"]
    list_select_related = ["agreement__case", "party"]
    action_form = WithdrawActionForm
    actions = ["withdraw_signatures"]

    @admin.action(description=_("撤回所选签字（在“撤回原因”中说明）"))
    def withdraw_signatures(self, request, queryset):
        reason = (request.POST.get("reason") or "").strip()

        def withdraw(signature: AgreementSignature) -> None:
            case = signature.agreement.case
            policies.case_can(user=request.user, action="withdraw_signature", case=case).raise_if_denied()
            services.signature_withdraw(case=case, actor=request.user, signature=signature, reason=reason)

        run_action(self, request, queryset.select_related("agreement__case", "party"), _("已撤回"), withdraw)


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ["case", "agreement", "kind", "due_on", "status", "outcome", "done_at"]
    list_filter = ["status", "kind"]
    search_fields = ["case__number"]
    list_select_related = ["case", "agreement"]


# Session notes (背对背 channels) are for the case's mediators only: not in the admin.
for model in (CaseMediator, CaseCounter, PartyRelation, Session, JudicialConfirmation):
    admin.site.register(model, ReadOnlyAdmin)
