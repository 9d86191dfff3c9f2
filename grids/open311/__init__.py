"""Open311 GeoReport v2 at ``/open311/v2/``: 311 clients written by others file and follow events.

Spec: http://wiki.open311.org/GeoReport_v2. Every endpoint answers in ``.json`` or ``.xml`` (format
by extension; anything else is a 404). Lists, one request, POST answers and errors are arrays
(JSON) or wrapped lists (XML); errors are ``[{"code": <HTTP status>, "description": "…"}]``.

Choices made here:
- ``service_request_id`` is the event's public tracking code (10 random characters), never the
  numeric id, so requests cannot be listed by counting. Requests are created synchronously, so
  ``tokens/{token}`` exists only for clients that ask: the token *is* the code.
- Filing needs coordinates (``lat`` + ``long``): the grid is found from the point. An address
  alone is refused with 400.
- ``attribute[CODE]`` / ``attribute[CODE][]`` values (our services define none) are kept,
  appended to the description under "附加信息（Open311）", as is a ``media_url``. A multipart
  ``media`` file (a common GeoReport extension) becomes the event's photo.
- ``address`` is always a string: the location in words, what the reporter typed (masked), then
  the grid and the community (``东升花园北门，东升第一网格，东升社区``); never ``null``, which some
  validating clients refuse.
- ``media_url`` (the spec: a public URL of an image of the request) links the first after-photo
  through the tracking page's photo view (``/track/<code>/photos/<id>/``, no sign-in); ``null``
  while there is none. Report photos are never published: they may show a home or a face.
- Reading is public and carries no personal data: no reporter name, phone or email; phone and ID
  numbers inside free text are masked. Sensor events are left out (a device's name and place can
  identify a person, e.g. an elderly resident's wristband).

Modules by job: ``formats`` (JSON/XML rendering, the error shape), ``params`` (reading a client's
parameters), ``reads`` (what may be published), ``filing`` (POST requests), ``views`` (the endpoints).
"""

from grids.open311.formats import Open311Error, render, render_error
from grids.open311.reads import open311_events, request_fields, request_search, service_fields, service_notice
from grids.open311.views import (
    discovery_view,
    request_detail_view,
    request_list_view,
    service_definition_view,
    service_list_view,
    token_view,
)

__all__ = [
    "Open311Error",
    "discovery_view",
    "open311_events",
    "render",
    "render_error",
    "request_detail_view",
    "request_fields",
    "request_list_view",
    "request_search",
    "service_definition_view",
    "service_fields",
    "service_list_view",
    "service_notice",
    "token_view",
]
