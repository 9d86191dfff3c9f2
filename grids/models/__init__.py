"""Grid management tables. Workflow lives in grids.services."""

from grids.models.events import Event, EventPhoto, TimelineEntry
from grids.models.grid import DispatchRule, EventCategory, Grid, Patrol, SensorDevice
from grids.models.scores import DepartmentScore, Open311Key

__all__ = [
    "DepartmentScore",
    "DispatchRule",
    "Event",
    "EventCategory",
    "EventPhoto",
    "Grid",
    "Open311Key",
    "Patrol",
    "SensorDevice",
    "TimelineEntry",
]
