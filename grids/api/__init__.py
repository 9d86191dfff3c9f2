"""Grids API, one module per kind of resource, re-exported here for the URLconf."""

from grids.api.events import EventViewSet, PossibleDuplicate
from grids.api.places import CategoryViewSet, GridViewSet, IsGridWorker, PatrolViewSet
from grids.api.sensors import DeviceTokenAuthentication, DeviceTokenScheme, IsSensorDevice, SensorAlertView

__all__ = [
    "CategoryViewSet",
    "DeviceTokenAuthentication",
    "DeviceTokenScheme",
    "EventViewSet",
    "GridViewSet",
    "IsGridWorker",
    "IsSensorDevice",
    "PatrolViewSet",
    "PossibleDuplicate",
    "SensorAlertView",
]
