"""Open311 GeoReport v2 under ``/open311/v2/``: each endpoint ends in ``.json`` or ``.xml``.

Any other extension reaches the view and gets a 404 in the spec's error shape.
"""

from django.urls import re_path

from grids import open311

app_name = "open311"

FMT = r"\.(?P<fmt>[^/.]+)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, open311.discovery_view, name="discovery"),
    re_path(r"^services" + FMT, open311.service_list_view, name="services"),
    re_path(r"^services/(?P<service_code>[^/.]+)" + FMT, open311.service_definition_view, name="service"),
    re_path(r"^requests" + FMT, open311.request_list_view, name="requests"),
    re_path(r"^requests/(?P<service_request_id>[^/.]+)" + FMT, open311.request_detail_view, name="request"),
    re_path(r"^tokens/(?P<token>[^/.]+)" + FMT, open311.token_view, name="token"),
]
