"""Every write of mediation: one function per use case, keyword-only, atomic, audited."""

from mediation.services.agreements import (
    FOLLOW_UP_FLOW,
    agreement_record,
    agreement_settle,
    case_reopen,
    current_agreement,
    effective_date,
)
from mediation.services.assignment import case_assign
from mediation.services.cases import (
    CASE_FLOW,
    CASE_TRANSITIONS,
    case_accept,
    case_close,
    case_decline,
    case_fail,
    case_refer,
    case_start,
)
from mediation.services.clock import (
    follow_up_clock,
    follow_ups_remind_due,
    follow_ups_report_overdue,
    warning_digest,
)
from mediation.services.confirmation import (
    CONFIRMATION_FLOW,
    confirmation_apply,
    confirmation_deadline,
    confirmation_decide,
    confirmation_warning,
)
from mediation.services.conversion import case_from_event, event_case
from mediation.services.escalation import case_escalate
from mediation.services.follow_ups import follow_up_record
from mediation.services.numbering import format_number, number_allocate
from mediation.services.parties import party_add, relation_declare, relation_remove
from mediation.services.reads import case_read_record, public_status
from mediation.services.recusal import ConflictOfInterest, recusal_reason
from mediation.services.registration import case_register
from mediation.services.signatures import signature_record, signature_withdraw
from mediation.services.work import (
    SESSION_FLOW,
    session_cancel,
    session_hold,
    session_schedule,
)

__all__ = [
    "CASE_FLOW",
    "CASE_TRANSITIONS",
    "CONFIRMATION_FLOW",
    "FOLLOW_UP_FLOW",
    "SESSION_FLOW",
    "ConflictOfInterest",
    "agreement_record",
    "agreement_settle",
    "case_accept",
    "case_assign",
    "case_close",
    "case_decline",
    "case_escalate",
    "case_fail",
    "case_from_event",
    "case_read_record",
    "case_refer",
    "case_register",
    "case_reopen",
    "case_start",
    "confirmation_apply",
    "confirmation_deadline",
    "confirmation_decide",
    "confirmation_warning",
    "current_agreement",
    "effective_date",
    "event_case",
    "follow_up_clock",
    "follow_up_record",
    "follow_ups_remind_due",
    "follow_ups_report_overdue",
    "format_number",
    "number_allocate",
    "party_add",
    "public_status",
    "recusal_reason",
    "relation_declare",
    "relation_remove",
    "session_cancel",
    "session_hold",
    "session_schedule",
    "signature_record",
    "signature_withdraw",
    "warning_digest",
]
