"""Admin for every partners model. Ledger rows are read-only (no add, change or delete); changes
to partners, records and vouchers go through actions that call the same services as every door."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from governance.exceptions import DomainError
from partners import services
from partners.models import (
    Account,
    Claim,
    EarningRule,
    Evaluation,
    EvaluationAppeal,
    LedgerBook,
    LedgerCheckpoint,
    LedgerEntry,
    LedgerTransaction,
    Need,
    Partner,
    PointsAdjustment,
    Project,
    Redemption,
    Reward,
    ServiceRecord,
    ServiceRecordPhoto,
)
from partners.policies import partner_can, record_can, redemption_can


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _run(modeladmin, request, queryset, decide, call):
    done = 0
    for obj in queryset:
        decision = decide(obj)
        if not decision:
            modeladmin.message_user(request, f"{obj}: {decision.detail}", messages.ERROR)
            continue
        try:
            call(obj)
            done += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.detail}", messages.ERROR)
    if done:
        modeladmin.message_user(request, _("已处理 %(n)d 条。") % {"n": done}, messages.SUCCESS)


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "kind", "sub_kind", "form", "status", "contact_phone_masked"]
    list_filter = ["status", "kind", "community"]
    search_fields = ["name"]
    readonly_fields = ["status", "version", "decided_by", "decision_reason", "status_changed_at"]
    filter_horizontal = ["users"]
    actions = ["approve"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("通过申请"))
    def approve(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda p: partner_can(user=request.user, action="decide", partner=p),
            lambda p: services.partner_decide(partner=p, decision="approve", actor=request.user),
        )


@admin.register(EarningRule)
class EarningRuleAdmin(admin.ModelAdmin):
    list_display = ["activity", "community", "points", "per_hour", "monthly_cap", "is_active"]
    list_filter = ["community", "is_active"]


@admin.register(ServiceRecordPhoto)
class ServiceRecordPhotoAdmin(ReadOnlyAdmin):
    """Evidence photos: seen on the record's pages (a scoped view), never as a /media/ link here."""

    list_display = ["record", "uploaded_by", "created_at"]
    fields = ["record", "uploaded_by", "created_at"]


@admin.register(ServiceRecord)
class ServiceRecordAdmin(admin.ModelAdmin):
    list_display = ["partner", "rule", "served_on", "hours", "status", "points_awarded", "capped"]
    list_filter = ["status"]
    readonly_fields = [
        "status", "version", "points_awarded", "capped", "verified_by", "verified_at", "reject_reason",
    ]  # fmt: skip
    actions = ["verify"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("核实并记分"))
    def verify(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda r: record_can(user=request.user, action="verify", record=r),
            lambda r: services.service_record_verify(record=r, actor=request.user),
        )


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "kind", "cost", "stock", "per_partner_limit", "is_active"]
    list_filter = ["community", "kind", "is_active"]
    readonly_fields = ["stock"]


@admin.register(Redemption)
class RedemptionAdmin(admin.ModelAdmin):
    list_display = ["voucher_code", "reward", "partner", "quantity", "points", "status", "expires_at"]
    list_filter = ["status"]
    search_fields = ["voucher_code"]
    actions = ["fulfil", "cancel"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("核销"))
    def fulfil(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda r: redemption_can(user=request.user, action="fulfil", redemption=r),
            lambda r: services.redemption_fulfil(redemption=r, actor=request.user),
        )

    @admin.action(description=_("取消并退回积分"))
    def cancel(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda r: redemption_can(user=request.user, action="cancel", redemption=r),
            lambda r: services.redemption_cancel(redemption=r, actor=request.user),
        )


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["id", "community", "kind", "partner", "balance"]
    list_filter = ["kind", "community"]


@admin.register(LedgerBook)
class LedgerBookAdmin(ReadOnlyAdmin):
    list_display = ["community", "sequence", "head_hash"]


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    fields = ["account", "amount", "balance_after"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ["id", "book", "sequence", "kind", "idempotency_key", "created_at"]
    list_filter = ["kind", "book"]
    search_fields = ["idempotency_key"]
    inlines = [LedgerEntryInline]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "transaction", "account", "amount", "balance_after"]


@admin.register(LedgerCheckpoint)
class LedgerCheckpointAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "ok", "transactions", "problem"]


@admin.register(PointsAdjustment)
class PointsAdjustmentAdmin(ReadOnlyAdmin):
    list_display = ["partner", "points", "reason", "status", "requested_by", "approved_by", "created_at"]
    list_filter = ["status"]


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "status", "supporters", "created_at"]
    readonly_fields = ["supporters", "status", "version", "status_changed_at"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "slots", "claimed", "points_per_slot", "status"]
    readonly_fields = ["claimed", "status", "version", "closed_at"]


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ["project", "partner", "status", "created_at"]


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ["project", "partner", "role", "score", "created_at"]


@admin.register(EvaluationAppeal)
class EvaluationAppealAdmin(ReadOnlyAdmin):
    list_display = ["evaluation", "status", "appealed_by", "decided_by", "created_at"]
