"""Django admin for grids. Saves and actions call the grids services; an event's status and
clocks are read-only here and move only through the transition actions; the timeline and the
computed scores are view-only."""

from grids.admin import events, places, sensors  # noqa: F401  (each registers its models)
