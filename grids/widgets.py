"""A map to draw a grid's boundary in the admin (Leaflet with Leaflet.draw, vendored).

The GeoJSON stays in the form's textarea, which the page's script hides and keeps in step with
what is drawn (static/js/boundary-widget.js, no inline script: CSP). The other grids' outlines
are drawn beneath, so the map works with no tile server: a new grid is drawn against its
neighbours. Stored boundaries are WGS-84; when the tiles use GCJ-02 or BD-09
(``settings.MAP_TILE_CRS``) the widget shows and takes positions in the tiles' system, and says
which in a hidden field, so what comes back is converted to WGS-84 before it is checked.
"""

import json
from collections.abc import Iterable

from django import forms
from django.conf import settings
from django.utils.html import format_html, json_script
from django.utils.translation import gettext_lazy as _

from governance.templatetags.i18n_data import localized_name
from grids import geo

CRS_SUFFIX = "_crs"
# Leaflet.draw's words (static/js/boundary-widget.js), translated here: the page's JavaScript has
# no catalogue of its own.
DRAW_WORDS = {
    "draw": _("画网格边界"),
    "cancel_title": _("取消绘制"),
    "cancel": _("取消"),
    "finish_title": _("完成绘制"),
    "finish": _("完成"),
    "undo_title": _("删除最后一个点"),
    "undo": _("撤销上一点"),
    "start": _("点击地图放下第一个拐点。"),
    "cont": _("继续点击放下下一个拐点。"),
    "end": _("点击第一个拐点闭合边界。"),
    "crossing": _("边界的边不能交叉！"),
    "save_title": _("保存修改"),
    "discard_title": _("放弃修改"),
    "clear_title": _("清除边界"),
    "clear": _("全部清除"),
    "edit": _("修改边界"),
    "edit_disabled": _("还没有边界可修改"),
    "remove": _("删除边界"),
    "remove_disabled": _("还没有边界可删除"),
    "edit_tip": _("拖动拐点修改边界。"),
    "edit_subtip": _("点击“取消”放弃修改。"),
    "remove_tip": _("点击边界将其删除。"),
}


def _polygon_in(value, crs: str) -> str:
    """The textarea's text: the polygon in ``crs``, or empty (never ``null``) when there is none."""
    if value in (None, "", "null"):
        return ""
    polygon = value
    if isinstance(value, str):
        try:
            polygon = json.loads(value)
        except ValueError:
            return value  # what was typed, shown back with the form's error
    if polygon is None:
        return ""
    try:
        return json.dumps(geo.polygon_from_wgs84(polygon, crs), ensure_ascii=False)
    except (KeyError, TypeError, ValueError, IndexError):
        return json.dumps(polygon, ensure_ascii=False)


class BoundaryMapWidget(forms.Textarea):
    """The boundary textarea with a drawing map. ``others``: the grids drawn beneath (each with
    ``name``, optionally ``name_en``, ``code`` and a WGS-84 ``boundary``)."""

    class Media:
        css = {"all": ["vendor/leaflet/leaflet.css", "vendor/leaflet-draw/leaflet.draw.css", "css/boundary-widget.css"]}
        js = ["vendor/leaflet/leaflet.js", "vendor/leaflet-draw/leaflet.draw.js", "js/boundary-widget.js"]

    def __init__(self, attrs=None, others: Iterable = ()):
        super().__init__(attrs={"rows": 6, "cols": 60, **(attrs or {})})
        self.others = list(others)

    def format_value(self, value):
        return _polygon_in(value, settings.MAP_TILE_CRS)

    def value_from_datadict(self, data, files, name):
        """The posted text, converted from the system it was drawn in to WGS-84."""
        text = data.get(name)
        crs = (data.get(name + CRS_SUFFIX) or geo.WGS84).lower()
        if not text or not text.strip() or crs == geo.WGS84:
            return text
        try:
            return json.dumps(geo.polygon_to_wgs84(json.loads(text), crs))
        except (KeyError, TypeError, ValueError, IndexError):
            return text  # not a polygon: the field says what is wrong with it

    def render(self, name, value, attrs=None, renderer=None):
        crs = settings.MAP_TILE_CRS
        textarea = super().render(name, value, attrs, renderer)
        source_id = f"{(attrs or {}).get('id') or 'id_' + name}_map_data"
        data = {
            "crs": crs,
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            "words": {key: str(text) for key, text in DRAW_WORDS.items()},
            "others": [
                {
                    "name": localized_name(g),
                    "code": g["code"],
                    "boundary": geo.polygon_from_wgs84(g["boundary"], crs),
                }
                for g in self.others
                if g.get("boundary")
            ],
        }
        return format_html(
            '<div class="boundary-widget" data-boundary-widget data-source="{source}">'
            '<div class="boundary-widget-map" data-boundary-map role="application" aria-label="{label}"></div>'
            '<div class="boundary-widget-help">{help}</div>'
            '<details class="boundary-widget-geojson"><summary>{geojson}</summary>{textarea}</details>'
            '<input type="hidden" name="{crs_name}" value="{crs}">'
            "{data}</div>",
            source=source_id,
            label=_("网格边界地图"),
            help=_(
                "点击地图左侧的多边形按钮，依次点出边界的各个拐点，最后点击第一个点闭合；"
                "用编辑按钮拖动拐点修改，用删除按钮清除。灰色轮廓是其他网格。"
            ),
            geojson=_("GeoJSON（高级：可直接粘贴，坐标系 %(crs)s）") % {"crs": dict(geo.CRS_CHOICES).get(crs, crs)},
            textarea=textarea,
            crs_name=name + CRS_SUFFIX,
            crs=crs,
            data=json_script(data, source_id),
        )
