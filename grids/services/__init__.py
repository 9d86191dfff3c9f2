"""Every write of grid management, one module per job, re-exported here."""

from grids.services.deadlines import (
    clock_fields,
    deadline_after,
    is_working_clock,
    response_window,
    time_left_state,
)
from grids.services.dispatch import category_suggest, dispatch_department_for, events_nearby_open
from grids.services.escalation import (
    escalate_overdue,
    escalation_due,
    event_escalate,
    event_remind,
    remind_due,
    reminder_due,
)
from grids.services.events import (
    EVENT_FLOW,
    EVENT_TRANSITIONS,
    URGE_STATUSES,
    event_accept,
    event_close,
    event_dispatch,
    event_redispatch,
    event_reject,
    event_resolve,
    event_return,
    event_start,
    event_transition,
    event_urge,
    event_withdraw,
    timeline_add,
)
from grids.services.grid import grid_save
from grids.services.notify import next_actors
from grids.services.patrols import patrol_add_points, patrol_finish, patrol_start
from grids.services.photos import photo_clean
from grids.services.report import OutsideEveryGrid, event_report
from grids.services.reporter import (
    event_contact_read,
    event_for_rating_secret,
    event_rate,
    event_rate_by_link,
    event_return_visit,
    rating_link_issue,
    rating_link_send,
    rating_link_url,
)
from grids.services.sensors import sensor_alert, sensor_authenticate, sensor_register

__all__ = [
    "EVENT_FLOW",
    "EVENT_TRANSITIONS",
    "URGE_STATUSES",
    "OutsideEveryGrid",
    "category_suggest",
    "clock_fields",
    "deadline_after",
    "dispatch_department_for",
    "escalate_overdue",
    "escalation_due",
    "event_accept",
    "event_close",
    "event_contact_read",
    "event_dispatch",
    "event_escalate",
    "event_for_rating_secret",
    "event_rate",
    "event_rate_by_link",
    "event_redispatch",
    "event_reject",
    "event_remind",
    "event_report",
    "event_resolve",
    "event_return",
    "event_return_visit",
    "event_start",
    "event_transition",
    "event_urge",
    "event_withdraw",
    "events_nearby_open",
    "grid_save",
    "is_working_clock",
    "next_actors",
    "patrol_add_points",
    "patrol_finish",
    "patrol_start",
    "photo_clean",
    "rating_link_issue",
    "rating_link_send",
    "rating_link_url",
    "remind_due",
    "reminder_due",
    "response_window",
    "sensor_alert",
    "sensor_authenticate",
    "sensor_register",
    "time_left_state",
    "timeline_add",
]
