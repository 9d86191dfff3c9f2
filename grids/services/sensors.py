"""Sensor devices and their alerts: one open event per device and fault, dispatched at once."""

import hashlib
import hmac
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.messages import message as keyed_message
from governance.models import AuditEntry, User
from governance.services import audit_record
from grids.models import Event, EventCategory, Grid, SensorDevice, TimelineEntry
from grids.selectors import grid_for_point
from grids.services.events import event_accept, event_dispatch, timeline_add
from grids.services.report import event_report


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def sensor_register(
    *, device_id: str, kind: str, lon: float, lat: float, category: EventCategory, name: str = "", address: str = ""
) -> tuple[SensorDevice, str]:
    """Register a device; returns it and its secret token (shown once, stored hashed)."""
    grid = grid_for_point(lon=lon, lat=lat)
    if grid is None:
        raise ValidationError({"location": _("设备位置不在任何网格内。")})
    token = secrets.token_urlsafe(32)
    device = SensorDevice(
        device_id=device_id,
        kind=kind,
        lon=lon,
        lat=lat,
        grid=grid,
        category=category,
        name=name,
        address=address,
        token_hash=_hash(token),
    )
    device.full_clean()
    device.save()
    return device, token


def sensor_authenticate(*, device_id: str, token: str) -> SensorDevice | None:
    device = (
        SensorDevice.objects.select_related("grid__area", "category")
        .filter(device_id=device_id, is_active=True)
        .first()
    )
    if device is None or not token or not hmac.compare_digest(device.token_hash, _hash(token)):
        return None
    return device


def _open_event(device: SensorDevice, fault: str) -> Event | None:
    return Event.objects.filter(sensor=device, sensor_fault=fault, status__in=Event.OPEN_STATUSES).first()


@transaction.atomic
def sensor_alert(*, device: SensorDevice, fault: str, message: str = "") -> tuple[Event, bool]:
    """Open (and dispatch) an event for a device's fault, or add to the open one. Returns
    ``(event, created)``."""
    fault = (fault or "").strip()[:40]
    if not fault:
        raise ValidationError({"fault": _("缺少故障代码。")})
    SensorDevice.objects.filter(pk=device.pk).update(last_alert_at=timezone.now())
    existing = _open_event(device, fault)
    if existing is None:
        description = _("%(device)s 告警：%(fault)s") % {"device": device, "fault": fault}
        if message:
            description = f"{description}。{message}"
        try:
            with transaction.atomic():
                event = event_report(
                    reporter=None,
                    description=description,
                    lon=device.lon,
                    lat=device.lat,
                    source=Event.Source.SENSOR,
                    category=device.category,
                    address=device.address,
                    sensor=device,
                    sensor_fault=fault,
                )
        except IntegrityError:  # a concurrent alert opened it first (partial unique constraint)
            existing = _open_event(device, fault)
            if existing is None:
                raise
        else:
            event = event_accept(event=event, actor=None, note=keyed_message("grids.note.sensor_accepted"))
            event = event_dispatch(event=event, actor=None)
            return event, True
    timeline_add(
        event=existing,
        kind=TimelineEntry.Kind.SENSOR_REPEAT,
        note=keyed_message("grids.note.sensor_repeat", fault=" ".join(p for p in (fault, message) if p)),
    )
    return existing, False


def sensor_locate(*, lon: float | None, lat: float | None) -> Grid:
    """The grid a device at this point is filed under; ``ValidationError`` when there is none."""
    if lon is None or lat is None:
        raise ValidationError({"lon": _("请填写设备位置（经纬度）。")})
    grid = grid_for_point(lon=lon, lat=lat)
    if grid is None:
        raise ValidationError({"lon": _("设备位置不在任何网格内。")})
    return grid


@transaction.atomic
def sensor_update(
    *,
    device: SensorDevice,
    kind: str,
    lon: float,
    lat: float,
    category: EventCategory,
    name: str = "",
    address: str = "",
    is_active: bool = True,
    actor: User | None = None,
) -> SensorDevice:
    """Edit a device. A device that moved is re-filed under the grid that now holds its point
    (its open events keep the grid they were reported in)."""
    grid = sensor_locate(lon=lon, lat=lat)
    values = {
        "kind": kind,
        "lon": lon,
        "lat": lat,
        "grid": grid,
        "category": category,
        "name": name,
        "address": address,
        "is_active": is_active,
    }
    changes = {
        field: {"from": _plain(getattr(device, field)), "to": _plain(value)}
        for field, value in values.items()
        if getattr(device, field) != value
    }
    if not changes:
        return device
    for field, value in values.items():
        setattr(device, field, value)
    device.full_clean()
    device.save()
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=device, changes=changes)
    return device


def _plain(value):
    return value.pk if hasattr(value, "pk") else value
