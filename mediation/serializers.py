"""API input and output shapes of mediation. Lists and details show parties masked; only the
audited ``parties/`` endpoint (like the case page) shows them in full."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mediation.models import (
    Agreement,
    Case,
    CaseMediator,
    CaseTimelineEntry,
    FollowUp,
    Party,
    PartyRelation,
    Session,
    SessionNote,
)
from mediation.services.confirmation import confirmation_deadline


class PartyInput(serializers.Serializer):
    role = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=60)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)


class RelationInput(serializers.Serializer):
    party = serializers.IntegerField()
    relation = serializers.CharField(max_length=40)
    other_party = serializers.IntegerField(required=False, allow_null=True)
    other_user = serializers.IntegerField(required=False, allow_null=True)


class RelationOutput(serializers.ModelSerializer):
    class Meta:
        model = PartyRelation
        fields = ["id", "party", "relation", "other_party", "other_user"]


class CaseInput(serializers.Serializer):
    type = serializers.ChoiceField(choices=Case.Type.choices)
    subtype = serializers.CharField(max_length=40, required=False, allow_blank=True)
    description = serializers.CharField()
    area = serializers.IntegerField()
    source = serializers.ChoiceField(choices=Case.Source.choices)
    risk_level = serializers.ChoiceField(choices=Case.Risk.choices, default=Case.Risk.LOW)
    risk_reason = serializers.CharField(max_length=300, required=False, allow_blank=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    people_involved = serializers.IntegerField(min_value=1, required=False)
    event = serializers.IntegerField(required=False, allow_null=True)
    parties = PartyInput(many=True, required=False)


class EventToCaseInput(serializers.Serializer):
    type = serializers.ChoiceField(choices=Case.Type.choices, default=Case.Type.NEIGHBOUR)
    risk_level = serializers.ChoiceField(choices=Case.Risk.choices, default=Case.Risk.LOW)
    risk_reason = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    parties = PartyInput(many=True, required=False)


class NoteInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField()


class ReferInput(serializers.Serializer):
    to = serializers.ChoiceField(choices=Case.ReferredTo.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class EscalateInput(serializers.Serializer):
    tried = serializers.CharField()
    assessment = serializers.CharField()
    shareable_notes = serializers.CharField(required=False, allow_blank=True, default="")
    keep = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="mediators (user ids) of this tier kept on as co-mediators; the others keep read access only",
    )


class AssignInput(serializers.Serializer):
    mediator = serializers.IntegerField()
    lead = serializers.BooleanField(required=False, default=False)


class SessionInput(serializers.Serializer):
    scheduled_at = serializers.DateTimeField()
    mode = serializers.ChoiceField(choices=Session.Mode.choices, default=Session.Mode.IN_PERSON)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    video_link = serializers.URLField(required=False, allow_blank=True, default="")
    attendees = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class SessionNoteInput(serializers.Serializer):
    channel = serializers.ChoiceField(choices=SessionNote.Channel.choices)
    text = serializers.CharField()


class HoldInput(serializers.Serializer):
    outcome = serializers.CharField()
    notes = SessionNoteInput(many=True, required=False)


class AgreementInput(serializers.Serializer):
    terms = serializers.CharField()
    signed_on = serializers.DateField()
    performance_due = serializers.DateField(required=False, allow_null=True)


class SignatureInput(serializers.Serializer):
    party = serializers.IntegerField()
    method = serializers.CharField(max_length=16)
    signed_on = serializers.DateField(required=False, allow_null=True, default=None)


class WithdrawInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class SignatureOutput(serializers.Serializer):
    """One party of the case and their live signature on the agreement (masked name, like the
    detail); ``signature`` is the id to withdraw it by (null: not signed)."""

    signature = serializers.IntegerField(allow_null=True)
    party = serializers.IntegerField()
    role = serializers.CharField()
    name = serializers.CharField()
    signed = serializers.BooleanField()
    signed_on = serializers.DateField(allow_null=True)
    method = serializers.CharField(allow_blank=True)
    recorded_at = serializers.DateTimeField(allow_null=True)


def signature_rows(rows) -> list[dict]:
    """``selectors.agreement_signatures`` as the API shows it."""
    return [
        {
            "signature": signature.pk if signature else None,
            "party": party.pk,
            "role": party.role,
            "name": party.name_masked,
            "signed": signature is not None,
            "signed_on": signature.signed_on if signature else None,
            "method": signature.method if signature else "",
            "recorded_at": signature.recorded_at if signature else None,
        }
        for party, signature in rows
    ]


class FollowUpInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=FollowUp.Outcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    needs_counselling = serializers.BooleanField(required=False, default=False)


class ConfirmationInput(serializers.Serializer):
    applied_on = serializers.DateField()
    court = serializers.CharField(max_length=100)


class DecideInput(serializers.Serializer):
    result = serializers.ChoiceField(choices=[("confirmed", "confirmed"), ("rejected", "rejected")])
    ruling_number = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class MaskedPartyOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="name_masked")
    phone = serializers.CharField(source="phone_masked")
    id_number = serializers.CharField(source="id_number_masked")

    class Meta:
        model = Party
        fields = ["id", "role", "name", "phone", "id_number"]


class PartyOutput(serializers.ModelSerializer):
    class Meta:
        model = Party
        fields = ["id", "role", "name", "phone", "id_number", "address"]


class CaseCreatedOutput(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ["id", "number", "status", "tier"]


class CaseListOutput(serializers.ModelSerializer):
    parties = MaskedPartyOutput(many=True, read_only=True)
    area = serializers.CharField(source="area.localized_name")
    centre = serializers.CharField(source="handling_area.localized_name")

    class Meta:
        model = Case
        fields = [
            "id", "number", "status", "tier", "type", "subtype", "source", "risk_level", "area", "centre",
            "deadline", "created_at", "parties",
        ]  # fmt: skip


class MediatorOutput(serializers.ModelSerializer):
    id = serializers.IntegerField(source="mediator_id")
    name = serializers.CharField(source="mediator.display_name")

    class Meta:
        model = CaseMediator
        fields = ["id", "name", "is_lead"]


class AgreementOutput(serializers.ModelSerializer):
    """One round's agreement: ``effective_on`` the day the last party signed (null: not in force),
    ``superseded_at`` set on an earlier round's."""

    confirmation = serializers.CharField(source="confirmation.status", default="")
    confirmation_deadline = serializers.SerializerMethodField()
    superseded_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id", "round", "terms", "signed_on", "effective_on", "performance_due", "superseded_at",
            "confirmation", "confirmation_deadline",
        ]  # fmt: skip

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_confirmation_deadline(self, obj):
        """The last day to apply for judicial confirmation (null: not in force, or superseded)."""
        return None if obj.superseded_at is not None else confirmation_deadline(obj)


class CaseDetailOutput(CaseListOutput):
    mediators = MediatorOutput(source="assignments", many=True, read_only=True)
    event = serializers.IntegerField(source="event_id", allow_null=True)
    agreement = AgreementOutput(read_only=True, allow_null=True, help_text="the current agreement (null: none)")

    class Meta(CaseListOutput.Meta):
        fields = [
            *CaseListOutput.Meta.fields, "description", "amount", "people_involved", "risk_reason",
            "accepted_at", "decline_reason", "fail_reason", "referred_to", "closed_at", "event", "mediators",
            "agreement", "version",
        ]  # fmt: skip


class CaseTimelineOutput(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.display_name", default="")

    class Meta:
        model = CaseTimelineEntry
        fields = ["id", "kind", "from_status", "to_status", "tier", "note", "handover", "actor", "created_at"]


class SessionNoteOutput(serializers.ModelSerializer):
    class Meta:
        model = SessionNote
        fields = ["id", "channel", "text", "created_at"]


class SessionOutput(serializers.ModelSerializer):
    """A session; its channel notes only for those ``context["notes_visible"]`` lets read (the
    case's mediators: ``mediation.policies.channel_notes_visible``), else an empty list."""

    notes = serializers.SerializerMethodField()

    @extend_schema_field(SessionNoteOutput(many=True))
    def get_notes(self, obj) -> list:
        visible = self.context.get("notes_visible")
        if visible is None or not visible(obj):
            return []
        return SessionNoteOutput(obj.notes.all(), many=True).data

    class Meta:
        model = Session
        fields = [
            "id",
            "status",
            "scheduled_at",
            "mode",
            "place",
            "video_link",
            "attendees",
            "outcome",
            "held_at",
            "notes",
        ]


class FollowUpOutput(serializers.ModelSerializer):
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = ["id", "agreement", "kind", "due_on", "status", "outcome", "note", "done_at", "overdue"]

    def get_overdue(self, obj) -> bool:
        return obj.status == FollowUp.Status.PENDING and obj.due_on < timezone.localdate()
