/* 社区治理门户 — the admin's map for a grid boundary (grids/widgets.py BoundaryMapWidget).
 *
 * Leaflet with Leaflet.draw (both vendored under static/vendor/). The GeoJSON polygon lives in the
 * form's textarea: what is drawn, edited or deleted on the map is written there, and a polygon typed
 * or pasted there is drawn. The other grids' outlines are drawn beneath in grey with their names,
 * so the map is usable with no tile server (the data's tile_url is empty): a new grid is drawn
 * against its neighbours. Positions are in the tiles' system (data.crs); the server converts.
 * No inline script or style (CSP): data comes from a json_script block, colours from the CSS.
 */
(function () {
  "use strict";

  if (!window.L || !window.L.Control || !window.L.Control.Draw) {
    return;
  }
  var L = window.L;
  /* Leaflet.draw's words, in the page's language: the widget hands them over with its data
   * (grids/widgets.py DRAW_WORDS, translated on the server), Chinese when one is missing. */
  function localise(words) {
    function t(key, fallback) {
      return (words && words[key]) || fallback;
    }
    var d = L.drawLocal.draw;
    var e = L.drawLocal.edit;
    d.toolbar.buttons.polygon = t("draw", "画网格边界");
    d.toolbar.actions = { title: t("cancel_title", "取消绘制"), text: t("cancel", "取消") };
    d.toolbar.finish = { title: t("finish_title", "完成绘制"), text: t("finish", "完成") };
    d.toolbar.undo = { title: t("undo_title", "删除最后一个点"), text: t("undo", "撤销上一点") };
    d.handlers.polygon.tooltip = {
      start: t("start", "点击地图放下第一个拐点。"),
      cont: t("cont", "继续点击放下下一个拐点。"),
      end: t("end", "点击第一个拐点闭合边界。"),
    };
    d.handlers.polyline.error = t("crossing", "边界的边不能交叉！");
    e.toolbar.actions.save = { title: t("save_title", "保存修改"), text: t("finish", "完成") };
    e.toolbar.actions.cancel = { title: t("discard_title", "放弃修改"), text: t("cancel", "取消") };
    e.toolbar.actions.clearAll = { title: t("clear_title", "清除边界"), text: t("clear", "全部清除") };
    e.toolbar.buttons = {
      edit: t("edit", "修改边界"),
      editDisabled: t("edit_disabled", "还没有边界可修改"),
      remove: t("remove", "删除边界"),
      removeDisabled: t("remove_disabled", "还没有边界可删除"),
    };
    e.handlers.edit.tooltip = {
      text: t("edit_tip", "拖动拐点修改边界。"),
      subtext: t("edit_subtip", "点击“取消”放弃修改。"),
    };
    e.handlers.remove.tooltip = { text: t("remove_tip", "点击边界将其删除。") };
  }

  function readData(el) {
    var source = document.getElementById(el.dataset.source || "");
    try {
      return (source && JSON.parse(source.textContent)) || {};
    } catch (err) {
      return {};
    }
  }

  function round(value) {
    return Math.round(value * 1e6) / 1e6; /* about 0.1 m */
  }

  function polygonOf(layer) {
    var geometry = layer.toGeoJSON().geometry;
    geometry.coordinates = geometry.coordinates.map(function (ring) {
      return ring.map(function (p) { return [round(p[0]), round(p[1])]; });
    });
    return geometry;
  }

  function parse(text) {
    if (!text || !text.trim()) {
      return null;
    }
    try {
      var value = JSON.parse(text);
      return value && value.type === "Polygon" && Array.isArray(value.coordinates) ? value : null;
    } catch (err) {
      return null;
    }
  }

  function textNode(text) {
    var node = document.createElement("span");
    node.textContent = text;
    return node;
  }

  function init(el) {
    var data = readData(el);
    localise(data.words);
    var textarea = el.querySelector("textarea");
    var box = el.querySelector("[data-boundary-map]");
    if (!textarea || !box) {
      return;
    }
    el.classList.add("boundary-widget--ready");
    var map = L.map(box, { attributionControl: false, zoomSnap: 0.25, scrollWheelZoom: false });
    if (data.tile_url) {
      L.tileLayer(data.tile_url, { maxZoom: 19, attribution: data.tile_attribution || "" }).addTo(map);
      box.classList.add("boundary-widget-map--tiles");
    }

    var others = L.featureGroup();
    (data.others || []).forEach(function (grid) {
      var outline = L.geoJSON(grid.boundary, {
        interactive: false,
        style: function () { return { className: "boundary-widget__other", weight: 1.5 }; },
      });
      outline.addTo(others);
      var bounds = outline.getBounds();
      if (bounds.isValid()) {
        L.tooltip({ permanent: true, direction: "center", className: "boundary-widget__label", interactive: false })
          .setLatLng(bounds.getCenter())
          .setContent(textNode(grid.name))
          .addTo(others);
      }
    });

    var drawn = L.featureGroup();
    function show(polygon) {
      drawn.clearLayers();
      if (polygon) {
        var layer = L.GeoJSON.geometryToLayer(
          { type: "Feature", geometry: polygon, properties: {} },
          { className: "boundary-widget__shape" }
        );
        drawn.addLayer(layer);
      }
    }
    function write() {
      var layers = drawn.getLayers();
      textarea.value = layers.length ? JSON.stringify(polygonOf(layers[0])) : "";
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
    function fit() {
      /* The grid with some of its neighbours around it; with none drawn yet, all the others. */
      var bounds = drawn.getLayers().length ? drawn.getBounds().pad(0.5) : others.getBounds();
      if (bounds.isValid()) {
        map.fitBounds(bounds, { padding: [24, 24], maxZoom: 18 });
      } else {
        map.setView([35, 105], 4);
      }
    }

    show(parse(textarea.value));
    fit(); /* the view first: Leaflet's vector renderer needs bounds before layers are added */
    others.addTo(map);
    drawn.addTo(map);

    map.addControl(
      new L.Control.Draw({
        position: "topleft",
        draw: {
          polygon: {
            allowIntersection: false,
            showArea: false,
            shapeOptions: { className: "boundary-widget__shape" },
          },
          polyline: false,
          rectangle: false,
          circle: false,
          marker: false,
          circlemarker: false,
        },
        edit: { featureGroup: drawn, remove: true, poly: { allowIntersection: false } },
      })
    );

    map.on(L.Draw.Event.CREATED, function (event) {
      drawn.clearLayers(); /* one boundary per grid: a new drawing replaces the old */
      drawn.addLayer(event.layer);
      write();
    });
    map.on(L.Draw.Event.EDITED, write);
    map.on(L.Draw.Event.DELETED, write);
    /* The admin's own scripts (the two-box picker, the sidebar) settle the layout after this runs. */
    window.addEventListener("load", function () {
      map.invalidateSize();
      fit();
    });
    textarea.addEventListener("change", function () {
      show(parse(textarea.value));
      fit();
    });
  }

  function start() {
    document.querySelectorAll("[data-boundary-widget]").forEach(init);
  }

  /* The admin puts form media in <head>: wait for the form. */
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
