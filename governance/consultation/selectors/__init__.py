"""Reads of the consultation app, one module per job, re-exported here."""

# A person sees a meeting, topic or resolution when its area lies under one of their posts (staff
# of a community see its compounds), or when its area *covers* one of their posts (a resident of a
# compound sees the community's meetings) — never a sibling compound's. Participants always see the
# meetings they are invited to, and a party organisation's secretary those it convenes.

from governance.consultation.selectors.agenda import agenda_item_get_for_user, agenda_numbers, agenda_outline
from governance.consultation.selectors.compounds import (
    SeatHolder,
    compound_buildings,
    compound_get_for_user,
    compound_party_organizations,
    compound_property_companies,
    compound_seat_get,
    compound_seats,
    compound_volunteer_get,
    cross_holders,
    is_cross_holding,
    seat_holders,
    seats_of,
    volunteers_in,
)
from governance.consultation.selectors.meetings import (
    meeting_get_for_user,
    meeting_list,
    public_meetings,
    visible_meetings,
)
from governance.consultation.selectors.minutes import MinutesConfirmation, minutes_confirmation
from governance.consultation.selectors.personal_calendar import (
    CALENDAR_SALT,
    personal_calendar_token,
    personal_calendar_user,
    personal_meetings,
)
from governance.consultation.selectors.property import (
    ScoreRow,
    fee_plans_for,
    rated_item_ids,
    scorecard,
    service_item_get_for_user,
    visible_fee_plans,
    visible_service_items,
)
from governance.consultation.selectors.quorum import (
    DEFAULT_PROPERTY_REQUIRED,
    DEFAULT_RESIDENT_REP_PERCENT,
    Attendance,
    Quorum,
    attendance_for,
    quorum_for,
    rule_for,
)
from governance.consultation.selectors.resolutions import (
    overdue_resolutions,
    resolution_get_for_user,
    visible_resolutions,
)
from governance.consultation.selectors.scope import area_scope_q
from governance.consultation.selectors.topics import visible_suggestions

__all__ = [
    "CALENDAR_SALT",
    "DEFAULT_PROPERTY_REQUIRED",
    "DEFAULT_RESIDENT_REP_PERCENT",
    "Attendance",
    "MinutesConfirmation",
    "Quorum",
    "ScoreRow",
    "SeatHolder",
    "agenda_item_get_for_user",
    "agenda_numbers",
    "agenda_outline",
    "area_scope_q",
    "attendance_for",
    "compound_buildings",
    "compound_get_for_user",
    "compound_party_organizations",
    "compound_property_companies",
    "compound_seat_get",
    "compound_seats",
    "compound_volunteer_get",
    "cross_holders",
    "fee_plans_for",
    "is_cross_holding",
    "meeting_get_for_user",
    "meeting_list",
    "minutes_confirmation",
    "overdue_resolutions",
    "personal_calendar_token",
    "personal_calendar_user",
    "personal_meetings",
    "public_meetings",
    "quorum_for",
    "rated_item_ids",
    "resolution_get_for_user",
    "rule_for",
    "scorecard",
    "seat_holders",
    "seats_of",
    "service_item_get_for_user",
    "visible_fee_plans",
    "visible_meetings",
    "visible_resolutions",
    "visible_service_items",
    "visible_suggestions",
    "volunteers_in",
]
