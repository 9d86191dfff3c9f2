"""Every write of grid management, one module per job, re-exported here."""

from grids.services.escalation import escalate_overdue, escalation_due, event_escalate, event_remind, remind_due, reminder_due
from grids.services.events import (
    EVENT_TRANSITIONS,
    OutsideEveryGrid,
    category_suggest,
    clock_fields,
    dispatch_department_for,
    event_accept,
    event_close,
    event_dispatch,
    event_notify,
    event_rate,
    event_reject,
    event_report,
    event_resolve,
    event_start,
    event_transition,
    events_nearby_open,
    next_actors,
    time_left_state,
    timeline_add,
)
from grids.services.grid import grid_save
from grids.services.patrols import patrol_add_points, patrol_finish, patrol_start
from grids.services.photos import photo_clean
from grids.services.sensors import sensor_alert, sensor_authenticate, sensor_register

__all__ = [
    "EVENT_TRANSITIONS",
    "OutsideEveryGrid",
    "category_suggest",
    "clock_fields",
    "dispatch_department_for",
    "escalate_overdue",
    "escalation_due",
    "event_accept",
    "event_close",
    "event_dispatch",
    "event_escalate",
    "event_notify",
    "event_rate",
    "event_reject",
    "event_remind",
    "event_report",
    "event_resolve",
    "event_start",
    "event_transition",
    "events_nearby_open",
    "grid_save",
    "next_actors",
    "patrol_add_points",
    "patrol_finish",
    "patrol_start",
    "photo_clean",
    "remind_due",
    "reminder_due",
    "sensor_alert",
    "sensor_authenticate",
    "sensor_register",
    "time_left_state",
    "timeline_add",
]
