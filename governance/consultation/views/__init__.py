"""Consultation pages (phone first), one module per page group (re-exported here for the urls):
meetings, agenda, QR sign-in, documents and feeds, resolutions and topics, compounds, staff pages.
Same selectors, policies and services as the API; a refusal is shown as a message on the page it
came from (post → redirect → get)."""

from governance.consultation.views.agenda import (
    item_move_view,
    item_vote_view,
)
from governance.consultation.views.cards import (
    consultation_cards,
)
from governance.consultation.views.compounds import (
    compound_fee_plan_add_view,
    compound_service_add_view,
    compound_view,
    person_view,
    service_rate_view,
)
from governance.consultation.views.feeds import (
    calendar_view,
    minutes_pdf_view,
    personal_calendar_view,
)
from governance.consultation.views.meetings import (
    meeting_action_view,
    meeting_detail_view,
    meeting_list_view,
    meeting_new_view,
)
from governance.consultation.views.resolutions import (
    resolution_progress_view,
    resolution_subtask_view,
    resolutions_view,
    topic_support_view,
    topics_view,
)
from governance.consultation.views.sign_in import (
    scan_sign_in_view,
    sign_in_qr_svg_view,
    sign_in_qr_view,
)
from governance.consultation.views.staff import (
    compound_seat_end_view,
    compound_seats_view,
    compound_volunteer_end_view,
    compound_volunteers_view,
)

__all__ = [
    "calendar_view",
    "compound_fee_plan_add_view",
    "compound_seat_end_view",
    "compound_seats_view",
    "compound_service_add_view",
    "compound_view",
    "compound_volunteer_end_view",
    "compound_volunteers_view",
    "consultation_cards",
    "item_move_view",
    "item_vote_view",
    "meeting_action_view",
    "meeting_detail_view",
    "meeting_list_view",
    "meeting_new_view",
    "minutes_pdf_view",
    "person_view",
    "personal_calendar_view",
    "resolution_progress_view",
    "resolution_subtask_view",
    "resolutions_view",
    "scan_sign_in_view",
    "service_rate_view",
    "sign_in_qr_svg_view",
    "sign_in_qr_view",
    "topic_support_view",
    "topics_view",
]
