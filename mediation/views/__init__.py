"""Mediation pages (phone first) under /mediation/: the mediator's case list, the case page (parties
unmasked, every view audited), new case (walk-in, or from a grid event), session scheduling and
record, agreement, follow-up. Same selectors, policies and services as the API.

One module per kind of page; everything is re-exported here for the URLconf and the app's ready().
"""

from mediation.views._common import S
from mediation.views.agreement import (
    agreement_pdf_view,
    agreement_view,
    confirmation_apply_view,
    confirmation_decide_view,
    signature_view,
    signature_withdraw_view,
)
from mediation.views.cards import event_links, mediator_cards, nav_links
from mediation.views.case import (
    DONE,
    MOVE_FORMS,
    case_assign_view,
    case_detail_view,
    case_move_view,
    relation_add_view,
    relation_remove_view,
)
from mediation.views.follow_ups import follow_up_view
from mediation.views.lists import RISK_ORDER, case_list_view, overview_view
from mediation.views.register import case_apply_view, case_new_view
from mediation.views.sessions import session_hold_view, session_new_view

__all__ = [
    "DONE",
    "MOVE_FORMS",
    "RISK_ORDER",
    "S",
    "agreement_pdf_view",
    "agreement_view",
    "case_apply_view",
    "case_assign_view",
    "case_detail_view",
    "case_list_view",
    "case_move_view",
    "case_new_view",
    "confirmation_apply_view",
    "confirmation_decide_view",
    "event_links",
    "follow_up_view",
    "mediator_cards",
    "nav_links",
    "overview_view",
    "relation_add_view",
    "relation_remove_view",
    "session_hold_view",
    "session_new_view",
    "signature_view",
    "signature_withdraw_view",
]
