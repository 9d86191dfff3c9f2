"""Small input/output serializers of the partners API. Contacts leave masked."""

from django.urls import reverse
from rest_framework import serializers

from partners.models import (
    MAX_RECORD_PHOTOS,
    EarningRule,
    LedgerEntry,
    Partner,
    Redemption,
    Reward,
    ServiceRecord,
    ServiceRecordPhoto,
)


class PartnerOutput(serializers.ModelSerializer):
    contact_phone = serializers.CharField(source="contact_phone_masked")
    community_name = serializers.CharField(source="community.name")

    class Meta:
        model = Partner
        fields = [
            "id", "name", "community", "community_name", "kind", "sub_kind", "form", "status",
            "contact_name", "contact_phone", "skills", "resources", "decision_reason", "created_at",
        ]  # fmt: skip


class PartnerInput(serializers.Serializer):
    community = serializers.IntegerField()
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=Partner.Kind.choices)
    sub_kind = serializers.ChoiceField(choices=Partner.SubKind.choices)
    form = serializers.ChoiceField(choices=Partner.Form.choices, default=Partner.Form.INDIVIDUAL)
    contact_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    skills = serializers.CharField(required=False, allow_blank=True, default="")
    resources = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class EarningRuleOutput(serializers.ModelSerializer):
    class Meta:
        model = EarningRule
        fields = ["id", "community", "activity", "points", "per_hour", "monthly_cap", "is_active"]


class EarningRuleInput(serializers.Serializer):
    community = serializers.IntegerField(required=False)
    activity = serializers.CharField(max_length=60)
    points = serializers.IntegerField(min_value=1)
    per_hour = serializers.BooleanField(default=False)
    monthly_cap = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class RecordPhotoOutput(serializers.ModelSerializer):
    """A photo's address is the scoped view (who may see the record), never a /media/ link."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = ServiceRecordPhoto
        fields = ["id", "url", "created_at"]

    def get_url(self, photo: ServiceRecordPhoto) -> str:
        path = reverse("partners:record_photo", args=[photo.record_id, photo.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ServiceRecordOutput(serializers.ModelSerializer):
    activity = serializers.CharField(source="rule.activity")
    photos = RecordPhotoOutput(many=True, read_only=True)

    class Meta:
        model = ServiceRecord
        fields = [
            "id", "partner", "rule", "activity", "served_on", "hours", "beneficiaries", "description",
            "status", "points_awarded", "capped", "reject_reason", "verified_at", "created_at", "photos",
        ]  # fmt: skip


class ServiceRecordInput(serializers.Serializer):
    partner = serializers.IntegerField(required=False)
    rule = serializers.IntegerField()
    served_on = serializers.DateField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0, default=0)
    beneficiaries = serializers.IntegerField(min_value=0, default=0)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=MAX_RECORD_PHOTOS
    )


class StatementOutput(serializers.ModelSerializer):
    transaction = serializers.IntegerField(source="transaction_id")
    kind = serializers.CharField(source="transaction.kind")
    memo = serializers.CharField(source="transaction.memo")
    created_at = serializers.DateTimeField(source="transaction.created_at")
    running_balance = serializers.IntegerField(source="balance_after")

    class Meta:
        model = LedgerEntry
        fields = ["id", "transaction", "kind", "memo", "amount", "running_balance", "created_at"]


class RewardOutput(serializers.ModelSerializer):
    partner = serializers.IntegerField(source="offered_by_id", allow_null=True)

    class Meta:
        model = Reward
        fields = [
            "id", "community", "name", "kind", "description", "cost", "stock", "per_partner_limit",
            "valid_from", "valid_until", "partner", "is_active",
        ]  # fmt: skip


class RewardInput(serializers.Serializer):
    community = serializers.IntegerField(required=False)
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=Reward.Kind.choices)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    cost = serializers.IntegerField(min_value=1)
    stock = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    per_partner_limit = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    valid_from = serializers.DateField(required=False, allow_null=True, default=None)
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    partner = serializers.IntegerField(required=False, allow_null=True, default=None)


class RedemptionOutput(serializers.ModelSerializer):
    reward_name = serializers.CharField(source="reward.name")

    class Meta:
        model = Redemption
        fields = [
            "id", "voucher_code", "status", "points", "reward", "reward_name", "partner", "quantity",
            "expires_at", "created_at",
        ]  # fmt: skip


class RedemptionInput(serializers.Serializer):
    reward = serializers.IntegerField()
    quantity = serializers.IntegerField(default=1)


class CodeInput(serializers.Serializer):
    code = serializers.CharField(max_length=20)


class AdjustmentInput(serializers.Serializer):
    partner = serializers.IntegerField()
    points = serializers.IntegerField()
    reason = serializers.CharField(max_length=300, allow_blank=True)


class AdjustmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    partner = serializers.IntegerField(source="partner_id")
    points = serializers.IntegerField()
    reason = serializers.CharField()
    status = serializers.CharField()


class NeedInput(serializers.Serializer):
    community = serializers.IntegerField()
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class NeedOutput(serializers.Serializer):
    id = serializers.IntegerField()
    community = serializers.IntegerField(source="community_id")
    title = serializers.CharField()
    description = serializers.CharField()
    status = serializers.CharField()
    supporters = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class ProjectInput(serializers.Serializer):
    community = serializers.IntegerField(required=False)
    need = serializers.IntegerField(required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    skills = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    slots = serializers.IntegerField()
    points_per_slot = serializers.IntegerField()
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)


class ProjectOutput(serializers.Serializer):
    id = serializers.IntegerField()
    community = serializers.IntegerField(source="community_id")
    need = serializers.IntegerField(source="need_id", allow_null=True)
    title = serializers.CharField()
    description = serializers.CharField()
    skills = serializers.CharField()
    slots = serializers.IntegerField()
    claimed = serializers.IntegerField()
    points_per_slot = serializers.IntegerField()
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    status = serializers.CharField()


class ClaimOutput(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.IntegerField(source="project_id")
    partner = serializers.IntegerField(source="partner_id")
    status = serializers.CharField()


class AttendanceInput(serializers.Serializer):
    claim = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=["done", "no_show"])


class EvaluationInput(serializers.Serializer):
    partner = serializers.IntegerField()
    score = serializers.IntegerField()
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class EvaluationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.IntegerField(source="project_id")
    partner = serializers.IntegerField(source="partner_id")
    role = serializers.CharField()
    score = serializers.IntegerField()
    comment = serializers.CharField()


class CreditOutput(serializers.Serializer):
    partner = serializers.IntegerField()
    score = serializers.IntegerField()
    verified_contributions = serializers.IntegerField()
    average_evaluation = serializers.FloatField(allow_null=True)
    completed = serializers.IntegerField()
    no_shows = serializers.IntegerField()
    completion_rate = serializers.FloatField(allow_null=True)
    formula = serializers.CharField()
