/* 社区治理门户 — grid maps (Leaflet, vendored under static/vendor/leaflet/).
 *
 * Every [data-grid-map] element is drawn from the JSON of the <script type="application/json">
 * named by its data-source (Django's json_script): grid boundaries (GeoJSON), a patrol route,
 * event markers and one point. With no data-tile-url the map is the boundaries on a plain
 * background, fitted to them, so it works on an intranet without a tile server.
 * With data-pick, clicking the map fills the form's [data-lon]/[data-lat] inputs (and [data-crs] with
 * the tiles' coordinate system, data.crs: the server converts to WGS-84). Grid names sit in a pane
 * under the event markers, let taps through, and a name that would overlap another is hidden.
 * No inline styles: Leaflet styles through the DOM (allowed by CSP), colours come from grids.css.
 */
(function () {
  "use strict";

  if (!window.L) {
    return;
  }
  var L = window.L;

  function readData(el) {
    var source = document.getElementById(el.dataset.source || "");
    if (!source) {
      return {};
    }
    try {
      return JSON.parse(source.textContent) || {};
    } catch (e) {
      return {};
    }
  }

  /* WGS-84 → the tiles' system, to draw a GPS/typed point in place (same formulas as grids/geo.py). */
  function offset(lon, lat) {
    var x = lon - 105.0;
    var y = lat - 35.0;
    var PI = Math.PI;
    var d = ((20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0) / 3.0;
    var dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) + d;
    dlat += ((20.0 * Math.sin(y * PI) + 40.0 * Math.sin((y / 3.0) * PI)) * 2.0) / 3.0;
    dlat += ((160.0 * Math.sin((y / 12.0) * PI) + 320.0 * Math.sin((y * PI) / 30.0)) * 2.0) / 3.0;
    var dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) + d;
    dlon += ((20.0 * Math.sin(x * PI) + 40.0 * Math.sin((x / 3.0) * PI)) * 2.0) / 3.0;
    dlon += ((150.0 * Math.sin((x / 12.0) * PI) + 300.0 * Math.sin((x / 30.0) * PI)) * 2.0) / 3.0;
    var A = 6378245.0;
    var EE = 0.00669342162296594323;
    var radlat = (lat / 180.0) * PI;
    var magic = 1 - EE * Math.sin(radlat) * Math.sin(radlat);
    var sqrtmagic = Math.sqrt(magic);
    dlat = (dlat * 180.0) / (((A * (1 - EE)) / (magic * sqrtmagic)) * PI);
    dlon = (dlon * 180.0) / ((A / sqrtmagic) * Math.cos(radlat) * PI);
    return [dlon, dlat];
  }

  function fromWgs84(lon, lat, crs) {
    if (crs !== "gcj02" && crs !== "bd09") {
      return [lon, lat];
    }
    if (!(lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271)) {
      return [lon, lat];
    }
    var d = offset(lon, lat);
    var g = [lon + d[0], lat + d[1]];
    if (crs === "gcj02") {
      return g;
    }
    var xpi = (Math.PI * 3000.0) / 180.0;
    var z = Math.sqrt(g[0] * g[0] + g[1] * g[1]) + 0.00002 * Math.sin(g[1] * xpi);
    var theta = Math.atan2(g[1], g[0]) + 0.000003 * Math.cos(g[0] * xpi);
    return [z * Math.cos(theta) + 0.0065, z * Math.sin(theta) + 0.006];
  }

  function overlaps(a, b) {
    return !(a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top);
  }

  /* Hide a grid name that would overlap one already shown (small phone maps, zoomed out). */
  function declutter(labels) {
    var shown = [];
    labels.forEach(function (label) {
      var node = label.getElement && label.getElement();
      if (!node) {
        return;
      }
      node.classList.remove("grid-map__label--hidden");
      var box = node.getBoundingClientRect();
      if (shown.some(function (other) { return overlaps(box, other); })) {
        node.classList.add("grid-map__label--hidden");
      } else {
        shown.push(box);
      }
    });
  }

  function textNode(tag, text, className) {
    var node = document.createElement(tag);
    node.textContent = text;
    if (className) {
      node.className = className;
    }
    return node;
  }

  function markerPopup(marker, openText) {
    var box = document.createElement("div");
    box.className = "grid-map__popup";
    box.appendChild(textNode("span", marker.label || ""));
    if (marker.url) {
      var link = textNode("a", openText || "›", "grid-map__popup-link");
      link.href = marker.url;
      box.appendChild(link);
    }
    return box;
  }

  function init(el) {
    var data = readData(el);
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25, scrollWheelZoom: false });
    var bounds = L.latLngBounds([]);

    if (el.dataset.tileUrl) {
      if (el.dataset.tileAttribution) {
        L.control.attribution({ prefix: false }).addTo(map);
      }
      L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" }).addTo(map);
      el.classList.add("grid-map--tiles");
    }

    /* Layers are built first and added once the view is set: Leaflet's vector renderer has no
     * bounds before the map has a view, and clipping would fail. */
    var layers = [];
    var labels = [];
    var features = (data.grids && data.grids.features) || [];
    /* Names go in their own pane below the markers (overlayPane is 400), and let taps through. */
    map.createPane("gridLabels");
    map.getPane("gridLabels").classList.add("grid-map__labels");
    if (features.length) {
      var areas = L.geoJSON(data.grids, {
        style: function () {
          return { className: "grid-map__area", weight: 2 };
        },
      });
      layers.push(areas);
      bounds.extend(areas.getBounds());
      /* Each grid's name sits just inside its top edge, so it never hides a point in the middle. */
      areas.eachLayer(function (layer) {
        var name = layer.feature && layer.feature.properties && layer.feature.properties.name;
        if (!name) {
          return;
        }
        var box = layer.getBounds();
        var label = L.tooltip({
          permanent: true,
          direction: "bottom",
          offset: [0, 2],
          className: "grid-map__label",
          pane: "gridLabels",
          interactive: false,
        })
          .setLatLng([box.getNorth(), box.getCenter().lng])
          .setContent(textNode("span", name));
        labels.push(label);
        layers.push(label);
      });
    }

    if (data.route && data.route.length > 1) {
      layers.push(L.polyline(data.route, { className: "grid-map__route", interactive: false }));
    }

    (data.markers || []).forEach(function (marker) {
      var dot = L.circleMarker([marker.lat, marker.lon], {
        radius: 9,
        className: "grid-map__event grid-map__event--" + (marker.state || "normal"),
      });
      dot.bindPopup(markerPopup(marker, el.dataset.msgOpen));
      layers.push(dot);
    });

    if (data.point) {
      var point = L.latLng(data.point[1], data.point[0]);
      layers.push(L.circleMarker(point, { radius: 9, className: "grid-map__point", interactive: false }));
      bounds.extend(point);
    }

    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [18, 18], maxZoom: 18 });
    } else {
      map.setView([35, 105], 4);
    }
    layers.forEach(function (layer) {
      layer.addTo(map);
    });
    if (labels.length > 1) {
      declutter(labels);
      map.on("zoomend", function () {
        declutter(labels);
      });
    }

    if (el.hasAttribute("data-pick")) {
      enablePicking(el, map, data.crs || "wgs84");
    }
  }

  function enablePicking(el, map, crs) {
    var form = el.closest("form");
    var lon = form && form.querySelector("[data-lon]");
    var lat = form && form.querySelector("[data-lat]");
    var crsInput = form && form.querySelector("[data-crs]");
    if (!lon || !lat) {
      return;
    }
    /* Typed coordinates are GPS (WGS-84), as the "use my location" button fills them. */
    [lon, lat].forEach(function (input) {
      input.addEventListener("input", function () {
        if (crsInput) {
          crsInput.value = "wgs84";
        }
      });
    });
    var pin = null;

    function place(latlng, pan) {
      if (pin) {
        pin.setLatLng(latlng);
      } else {
        pin = L.circleMarker(latlng, { radius: 10, className: "grid-map__pin", interactive: false }).addTo(map);
      }
      if (pan) {
        map.panTo(latlng);
      }
    }

    function fromInputs(pan) {
      var x = parseFloat(lon.value);
      var y = parseFloat(lat.value);
      if (isFinite(x) && isFinite(y) && Math.abs(x) <= 180 && Math.abs(y) <= 90) {
        var given = (crsInput && crsInput.value) || "wgs84";
        var p = given === crs ? [x, y] : fromWgs84(x, y, crs);
        place(L.latLng(p[1], p[0]), pan);
      }
    }

    map.on("click", function (event) {
      lon.value = event.latlng.lng.toFixed(6);
      lat.value = event.latlng.lat.toFixed(6);
      if (crsInput) {
        crsInput.value = crs;
      }
      place(event.latlng, false);
      var status = form.querySelector("[data-locate-status]");
      if (status && el.dataset.msgPicked) {
        status.textContent = el.dataset.msgPicked;
      }
    });
    lon.addEventListener("change", function () {
      fromInputs(true);
    });
    lat.addEventListener("change", function () {
      fromInputs(true);
    });
    /* A form sent back with an error keeps the grid in view, even if the point was far outside. */
    fromInputs(false);
  }

  document.querySelectorAll("[data-grid-map]").forEach(init);
})();
