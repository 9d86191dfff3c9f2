"""Output serializers of the grids API. Reporter contact is masked in every output.

List rows go to everyone who can see the event (grid workers, staff, other departments' handlers):
their description and reporter name are masked too. One event's detail, for the people who work
on it, keeps the full text."""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from governance.masking import mask_name, mask_phone, mask_text
from grids.models import Event, EventCategory, EventPhoto, Grid, Patrol, TimelineEntry
from grids.services import time_left_state


class GridOutput(serializers.ModelSerializer):
    """``name`` and ``community`` in the reader's language (Accept-Language); ``name_en`` as stored."""

    name = serializers.CharField(source="localized_name", read_only=True)
    community = serializers.CharField(source="area.localized_name")
    households_advised = serializers.BooleanField(read_only=True)

    class Meta:
        model = Grid
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "community",
            "households",
            "households_advised",
            "boundary",
            "is_active",
        ]


class CategoryOutput(serializers.ModelSerializer):
    """``name`` in the reader's language (Accept-Language); ``name_en`` as stored."""

    department = serializers.CharField(source="department.localized_name", default=None, allow_null=True)
    name = serializers.CharField(source="localized_name", read_only=True)

    class Meta:
        model = EventCategory
        fields = [
            "id",
            "service_code",
            "name",
            "name_en",
            "description",
            "group",
            "department",
            "response_minutes",
            "resolution_minutes",
        ]


class CategoryBrief(serializers.ModelSerializer):
    name = serializers.CharField(source="localized_name", read_only=True)

    class Meta:
        model = EventCategory
        fields = ["id", "service_code", "name"]


class GridBrief(serializers.ModelSerializer):
    """The grid of an event: its ``name`` and its community's in the reader's language."""

    name = serializers.CharField(source="localized_name", read_only=True)
    community = serializers.CharField(source="area.localized_name", read_only=True)

    class Meta:
        model = Grid
        fields = ["id", "code", "name", "community"]


class PhotoOutput(serializers.ModelSerializer):
    """Photos are served through a scoped view (never a public /media/ link)."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = EventPhoto
        fields = ["id", "kind", "url", "created_at"]

    def get_url(self, photo: EventPhoto) -> str:
        path = reverse("grids:event_photo", args=[photo.event_id, photo.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class EventOutputBase(serializers.ModelSerializer):
    """The fields of an event as a list row shows it (description, reporter name and phone masked)."""

    category = CategoryBrief(allow_null=True)
    grid = GridBrief()
    department = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display")
    time_left = serializers.SerializerMethodField()
    minutes_left = serializers.SerializerMethodField()
    reporter_phone = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    reporter_name = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id",
            "code",
            "status",
            "status_display",
            "category",
            "grid",
            "department",
            "source",
            "level",
            "description",
            "address",
            "lon",
            "lat",
            "respond_by",
            "responded_at",
            "time_left",
            "minutes_left",
            "reporter_name",
            "reporter_phone",
            "created_at",
        ]

    def get_department(self, event: Event) -> dict | None:
        return {"id": event.department_id, "name": event.department.localized_name} if event.department_id else None

    def get_time_left(self, event: Event) -> str:
        return time_left_state(event=event, now=self.context.get("now"))

    def get_minutes_left(self, event: Event) -> int | None:
        if not event.is_open or event.responded_at is not None:
            return None
        now = self.context.get("now") or timezone.now()
        return int((event.respond_by - now).total_seconds() // 60)

    def get_reporter_phone(self, event: Event) -> str:
        return mask_phone(event.reporter_phone)

    def get_description(self, event: Event) -> str:
        return mask_text(event.description)

    def get_reporter_name(self, event: Event) -> str:
        return mask_name(event.reporter_name)


def _iso(value: datetime | None) -> str | None:
    """As DRF's DateTimeField renders it: local time, ISO 8601 with offset."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class EventListOutput(EventOutputBase):
    """List rows: the same fields as ``EventOutputBase``, built directly (a page of 20 is on
    every queue screen; DRF's generic field machinery cost more than the database here).
    ``test_fast_list_rows_equal_the_generic_serializer`` keeps the two identical."""

    # The columns a row reads, for ``QuerySet.only()``: a row then loads 30 columns, not 70.
    columns = (
        "code",
        "status",
        "source",
        "level",
        "description",
        "address",
        "lon",
        "lat",
        "respond_by",
        "due_at",
        "remind_at",
        "responded_at",
        "reporter_name",
        "reporter_phone",
        "created_at",
        "category__service_code",
        "category__name",
        "category__name_en",
        "grid__code",
        "grid__name",
        "grid__name_en",
        "grid__area__name",
        "grid__area__name_en",
        "department__name",
        "department__name_en",
    )

    def to_representation(self, event: Event) -> dict:
        now = self.context.get("now") or timezone.now()
        labels = self.context.get("_status_labels")
        if labels is None:  # once per page, not per row: str() of a lazy label is a gettext call
            labels = self.context["_status_labels"] = {k: str(v) for k, v in Event.Status.choices}
        category, grid = event.category, event.grid
        is_waiting = event.is_open and event.responded_at is None
        return {
            "id": event.pk,
            "code": event.code,
            "status": event.status,
            "status_display": labels[event.status],
            "category": None
            if category is None
            else {"id": category.pk, "service_code": category.service_code, "name": category.localized_name},
            "grid": {
                "id": grid.pk,
                "code": grid.code,
                "name": grid.localized_name,
                "community": grid.area.localized_name,
            },
            "department": {"id": event.department_id, "name": event.department.localized_name}
            if event.department_id
            else None,
            "source": event.source,
            "level": event.level,
            "description": mask_text(event.description),
            "address": event.address,
            "lon": event.lon,
            "lat": event.lat,
            "respond_by": _iso(event.respond_by),
            "responded_at": _iso(event.responded_at),
            "time_left": time_left_state(event=event, now=now),
            "minutes_left": int((event.respond_by - now).total_seconds() // 60) if is_waiting else None,
            "reporter_name": mask_name(event.reporter_name),
            "reporter_phone": mask_phone(event.reporter_phone),
            "created_at": _iso(event.created_at),
        }


class EventDetailBase(EventOutputBase):
    """All the fields of one event (generic; ``EventDetailOutput`` builds the same directly).
    Description and reporter name in full; the phone stays masked (``contact/`` reveals it)."""

    description = serializers.CharField()
    reporter_name = serializers.CharField()
    suggested_category = CategoryBrief(allow_null=True)
    photos = PhotoOutput(many=True)
    resolve_by = serializers.DateTimeField(allow_null=True)

    class Meta(EventOutputBase.Meta):
        fields = [
            *EventOutputBase.Meta.fields,
            "suggested_category",
            "photos",
            "resolution",
            "reject_reason",
            "rating",
            "rating_comment",
            "resolve_by",
            "resolved_at",
            "closed_at",
            "status_changed_at",
        ]


class EventDetailOutput(EventDetailBase):
    """One event as the API returns it after every action: built directly, like the list rows."""

    def to_representation(self, event: Event) -> dict:
        row = EventListOutput(context=self.context).to_representation(event)
        suggested = event.suggested_category
        row.update(
            {
                "description": event.description,
                "reporter_name": event.reporter_name,
                "suggested_category": None
                if suggested is None
                else {"id": suggested.pk, "service_code": suggested.service_code, "name": suggested.localized_name},
                # A caller that knows the event has no photos (a report sent without any) says so.
                "photos": []
                if self.context.get("no_photos")
                else PhotoOutput(event.photos.all(), many=True, context=self.context).data,
                "resolution": event.resolution,
                "reject_reason": event.reject_reason,
                "rating": event.rating,
                "rating_comment": event.rating_comment,
                "resolve_by": _iso(event.resolve_by),
                "resolved_at": _iso(event.resolved_at),
                "closed_at": _iso(event.closed_at),
                "status_changed_at": _iso(event.status_changed_at),
            }
        )
        return row


class NearbyOutput(serializers.ModelSerializer):
    """Possible duplicates shown to a reporter: other people's events, so the text is masked."""

    status_display = serializers.CharField(source="get_status_display")
    description = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = ["id", "code", "status", "status_display", "description", "address", "created_at"]

    def get_description(self, event: Event) -> str:
        return mask_text(event.description)


class TimelineOutput(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    kind_display = serializers.CharField(source="get_kind_display")
    # A system note in the reader's language (from its message key); a person's note as written.
    note = serializers.CharField(source="localized_note", read_only=True)

    class Meta:
        model = TimelineEntry
        fields = ["id", "kind", "kind_display", "actor", "from_status", "to_status", "level", "note", "created_at"]

    def get_actor(self, entry: TimelineEntry) -> str | None:
        return entry.actor.display_name if entry.actor_id else None


class PatrolOutput(serializers.ModelSerializer):
    grid = GridBrief()
    findings = serializers.SerializerMethodField()

    class Meta:
        model = Patrol
        fields = ["id", "grid", "status", "started_at", "ended_at", "route", "notes", "findings"]

    def get_findings(self, patrol: Patrol) -> list[str]:
        return [e.code for e in patrol.findings.all()]
