"""Rendering in GeoReport v2's two formats: JSON, and XML with the spec's element names."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# Characters XML 1.0 cannot carry at all, even escaped.
XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# XML element for each item of a list held by the element named on the left.
XML_ITEMS = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        self.status, self.description = status, str(description)
        super().__init__(self.description)


def _xml_fill(element: ET.Element, value: Any) -> None:
    if value is None:
        return  # null is an empty element
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_fill(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        for item in value:
            _xml_fill(ET.SubElement(element, XML_ITEMS[element.tag]), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = XML_ILLEGAL.sub("", str(value))


def render(data: dict | list, fmt: str, *, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
    """``data`` as JSON, or as XML under ``<root>`` (a list: one ``<item>`` per entry)."""
    if fmt == "xml":
        element = ET.Element(root)
        if isinstance(data, list):
            for entry in data:
                _xml_fill(ET.SubElement(element, item or root), entry)
        else:
            _xml_fill(element, data)
        body = XML_DECLARATION + ET.tostring(element, encoding="unicode")
    else:
        body = json.dumps(data, ensure_ascii=False)
    return HttpResponse(body, content_type=FORMATS[fmt], status=status)


def render_error(status: int, description: str, fmt: str) -> HttpResponse:
    return render(
        [{"code": status, "description": str(description)}],
        fmt if fmt in FORMATS else "json",
        root="errors",
        item="error",
        status=status,
    )


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with the offset, in the portal's time zone: 2026-11-23T20:10:00+08:00."""
    if value is None:
        return None
    return timezone.localtime(value, timezone.get_default_timezone()).isoformat(timespec="seconds")


def local_time(value: datetime) -> str:
    return timezone.localtime(value, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M")
