"""Red-property consultation (红色议事厅) tables, one module per job; every model is imported here."""

# Tables, constraints and indexes only; every write goes through ``consultation.services``, every
# status move through the core's workflow kit (``MEETING_FLOW``, ``RESOLUTION_FLOW``).

from governance.consultation.models.agenda import AgendaItem
from governance.consultation.models.meetings import CouncilRule, Group, Meeting, MinutesResponse, Participant
from governance.consultation.models.property import FeePlan, Seat, ServiceItem, ServiceRating, Volunteer
from governance.consultation.models.resolutions import Resolution
from governance.consultation.models.timeline import TimelineEntry
from governance.consultation.models.topics import Suggestion, SuggestionSupport

__all__ = [
    "AgendaItem",
    "CouncilRule",
    "FeePlan",
    "Group",
    "Meeting",
    "MinutesResponse",
    "Participant",
    "Resolution",
    "Seat",
    "ServiceItem",
    "ServiceRating",
    "Suggestion",
    "SuggestionSupport",
    "TimelineEntry",
    "Volunteer",
]
