"""Small input/output serializers of the consultation API; no business rule lives here."""

from rest_framework import serializers

from governance.consultation.models import (
    AgendaItem,
    FeePlan,
    Group,
    Meeting,
    Participant,
    Resolution,
    ServiceItem,
    ServiceRating,
    Suggestion,
)
from governance.models import Area, Department, PartyOrganization, User


class MeetingInput(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all())
    organization = serializers.PrimaryKeyRelatedField(queryset=PartyOrganization.objects.all())
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    video_url = serializers.URLField(required=False, allow_blank=True, default="")


class ParticipantInput(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    group = serializers.ChoiceField(choices=Group.choices)


class SignInInput(serializers.Serializer):
    code = serializers.CharField(max_length=12)


class CancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class AgendaItemInput(serializers.Serializer):
    title = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    suggestion = serializers.PrimaryKeyRelatedField(queryset=Suggestion.objects.all(), required=False, allow_null=True)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=AgendaItem.objects.all(), required=False, allow_null=True, help_text="上级议程（子议程时填写）"
    )
    agenda_version = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, help_text="所见议程版本；议程已被他人调整时返回 409"
    )
    is_major = serializers.BooleanField(required=False, default=False)
    responsible_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), required=False, allow_null=True
    )
    due_date = serializers.DateField(required=False, allow_null=True)


class AgendaMoveInput(serializers.Serializer):
    position = serializers.IntegerField(min_value=1, max_value=1000, help_text="在同级议程中的位置，1 为第一")
    parent = serializers.PrimaryKeyRelatedField(
        queryset=AgendaItem.objects.all(), required=False, allow_null=True, default=None, help_text="上级议程；空为顶级"
    )
    agenda_version = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, default=None, help_text="所见议程版本；已被他人调整时返回 409"
    )


class VoteInput(serializers.Serializer):
    votes_for = serializers.IntegerField(min_value=0, max_value=10000)
    votes_against = serializers.IntegerField(min_value=0, max_value=10000)
    abstentions = serializers.IntegerField(min_value=0, max_value=10000)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class MinutesInput(serializers.Serializer):
    text = serializers.CharField()


class MinutesReplyInput(serializers.Serializer):
    objection = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class SubtaskInput(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    due_date = serializers.DateField()
    responsible_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), required=False, allow_null=True
    )


class ProgressInput(serializers.Serializer):
    percent = serializers.IntegerField(min_value=0, max_value=100)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SuggestionInput(serializers.Serializer):
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all())
    title = serializers.CharField(max_length=120)
    body = serializers.CharField(required=False, allow_blank=True, default="")


class ParticipantOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="user.display_name")
    signed_in = serializers.SerializerMethodField()

    class Meta:
        model = Participant
        fields = ["id", "user", "name", "group", "signed_in", "signed_in_at"]

    def get_signed_in(self, obj) -> bool:
        return obj.signed_in_at is not None


class AgendaItemOutput(serializers.ModelSerializer):
    number = serializers.SerializerMethodField(help_text="议程编号：1、1.1、1.2、2 …")

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "meeting",
            "number",
            "parent",
            "order",
            "title",
            "description",
            "suggestion",
            "is_major",
            "responsible_department",
            "due_date",
            "notes",
            "votes_for",
            "votes_against",
            "abstentions",
            "present",
            "adopted",
            "voted_at",
        ]

    def get_number(self, obj) -> str:
        return getattr(obj, "number", "")


class MeetingOutput(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name")
    area_name = serializers.CharField(source="area.name")
    minutes_published = serializers.BooleanField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "title",
            "organization",
            "organization_name",
            "area",
            "area_name",
            "starts_at",
            "ends_at",
            "place",
            "video_url",
            "status",
            "cancel_reason",
            "minutes_published",
            "minutes_published_at",
            "agenda_version",
        ]


class ResolutionOutput(serializers.ModelSerializer):
    meeting_title = serializers.CharField(source="meeting.title")
    is_overdue = serializers.BooleanField()

    class Meta:
        model = Resolution
        fields = [
            "id",
            "title",
            "meeting",
            "meeting_title",
            "area",
            "responsible_department",
            "due_date",
            "status",
            "progress",
            "done_at",
            "is_overdue",
            "parent",
        ]


class SuggestionOutput(serializers.ModelSerializer):
    supports = serializers.SerializerMethodField()

    class Meta:
        model = Suggestion
        fields = ["id", "area", "title", "body", "status", "supports", "created_at"]

    def get_supports(self, obj) -> int:
        return obj.n_supports if hasattr(obj, "n_supports") else obj.supports.count()


class PartyOrganizationOutput(serializers.ModelSerializer):
    class Meta:
        model = PartyOrganization
        fields = ["id", "name", "level", "area", "parent"]


class ServiceItemInput(serializers.Serializer):
    compound = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all())
    provider = serializers.PrimaryKeyRelatedField(queryset=Department.objects.filter(is_active=True))
    kind = serializers.ChoiceField(choices=ServiceItem.Kind.choices, required=False, default=ServiceItem.Kind.BASIC)
    name = serializers.CharField(max_length=60)
    standard = serializers.CharField(max_length=200)
    frequency = serializers.CharField(max_length=60)
    resolution = serializers.PrimaryKeyRelatedField(queryset=Resolution.objects.all(), required=False, allow_null=True)


class ServiceItemOutput(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name")

    class Meta:
        model = ServiceItem
        fields = ["id", "compound", "provider", "provider_name", "kind", "name", "standard", "frequency", "resolution"]


class RatingInput(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RatingOutput(serializers.ModelSerializer):
    class Meta:
        model = ServiceRating
        fields = ["id", "item", "month", "score", "comment"]


class FeePlanInput(serializers.Serializer):
    compound = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all())
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    subsidy = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    resident_fees = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    public_income = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    total = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class FeePlanOutput(serializers.ModelSerializer):
    class Meta:
        model = FeePlan
        fields = [
            "id",
            "compound",
            "period_start",
            "period_end",
            "subsidy",
            "resident_fees",
            "public_income",
            "total",
            "note",
        ]
