"""Admin of sensors (registered and moved through the services) and the view-only monthly scores."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from governance.admin import ServiceAdmin, ViewOnlyAdmin, add_service_error, adopt
from grids import services
from grids.models import (
    DepartmentScore,
    SensorDevice,
)
from grids.services.sensors import sensor_locate, sensor_update


class SensorDeviceForm(forms.ModelForm):
    class Meta:
        model = SensorDevice
        fields = ["device_id", "kind", "name", "address", "lon", "lat", "category", "is_active"]

    def clean(self):
        cleaned = super().clean()
        if "lon" in cleaned and "lat" in cleaned:
            try:
                sensor_locate(lon=cleaned["lon"], lat=cleaned["lat"])
            except ValidationError as exc:
                add_service_error(self, exc)
        return cleaned


@admin.register(SensorDevice)
class SensorDeviceAdmin(ServiceAdmin):
    """Registered with ``sensor_register`` (the token is shown once, stored hashed) and edited with
    ``sensor_update``, which files a moved device under the grid that now holds its point."""

    form = SensorDeviceForm
    list_display = ["device_id", "name", "kind", "grid", "category", "is_active", "last_alert_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["device_id", "name", "address"]
    autocomplete_fields = ["category"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["device_id", "kind", "name", "address", "lon", "lat", "category"]
        return ["device_id", "kind", "name", "address", "lon", "lat", "grid", "category", "is_active", "last_alert_at"]

    def get_readonly_fields(self, request, obj=None):
        return ["device_id", "grid", "last_alert_at"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # switch it off instead: its events keep pointing at it

    def save_model(self, request, obj, form, change):
        if change:
            sensor_update(
                device=SensorDevice.objects.get(pk=obj.pk),
                kind=obj.kind,
                lon=obj.lon,
                lat=obj.lat,
                category=obj.category,
                name=obj.name,
                address=obj.address,
                is_active=obj.is_active,
                actor=request.user,
            )
            return
        device, token = services.sensor_register(
            device_id=obj.device_id,
            kind=obj.kind,
            lon=obj.lon,
            lat=obj.lat,
            category=obj.category,
            name=obj.name,
            address=obj.address,
        )
        adopt(obj, device)
        self.message_user(
            request, _("设备令牌（只显示这一次，请立即写入设备）：%(token)s") % {"token": token}, messages.WARNING
        )


@admin.register(DepartmentScore)
class DepartmentScoreAdmin(ViewOnlyAdmin):
    """Computed each month from the events; read here, never edited."""

    list_display = [
        "month",
        "department",
        "events",
        "avg_response_minutes",
        "on_time_rate",
        "resolution_rate",
        "satisfaction",
        "score",
    ]
    list_filter = ["month"]
