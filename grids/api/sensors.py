"""Sensor alerts: a device's own token, its throttle, and the alert that files an event."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.throttles import SensorRateThrottle
from grids import services
from grids.models import SensorDevice
from grids.serializers import (
    EventDetailOutput,
    SensorAlertInput,
)


class DeviceTokenAuthentication(BaseAuthentication):
    """``Authorization: Device <token>``; the device is named by ``device_id`` in the body."""

    keyword = b"device"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise AuthenticationFailed(_("设备令牌格式错误。"))
        device = services.sensor_authenticate(
            device_id=str(request.data.get("device_id", "")), token=header[1].decode(errors="ignore")
        )
        if device is None:
            raise AuthenticationFailed(_("设备编号或令牌无效。"))
        return (None, device)

    def authenticate_header(self, request):
        return "Device"


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    """Documents the device token in the OpenAPI schema."""

    target_class = "grids.api.sensors.DeviceTokenAuthentication"
    name = "deviceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Device <token>`：设备登记时签发的令牌",
        }


class IsSensorDevice(BasePermission):
    """Admits a request authenticated by a registered, active device's token."""

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, SensorDevice)


class SensorAlertView(APIView):
    """``POST {"device_id", "fault", "message"}`` with ``Authorization: Device <token>``."""

    authentication_classes = [DeviceTokenAuthentication]
    permission_classes = [IsSensorDevice]
    throttle_classes = [SensorRateThrottle]  # per device: settings.RATE_LIMITS["sensor"]

    @extend_schema(
        request=SensorAlertInput,
        responses={201: EventDetailOutput, 200: EventDetailOutput},
        summary="设备告警（同一设备同一故障只开一个事件）",
    )
    def post(self, request):
        device = request.auth
        data = SensorAlertInput(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["device_id"] != device.device_id:
            raise AuthenticationFailed(_("设备编号或令牌无效。"))
        event, created = services.sensor_alert(
            device=device, fault=data.validated_data["fault"], message=data.validated_data["message"]
        )
        body = EventDetailOutput(event, context={"now": timezone.now()}).data
        return Response({**body, "created": created}, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
