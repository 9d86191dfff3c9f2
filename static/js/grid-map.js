/* 社区治理门户 — grid maps (Leaflet, vendored under static/vendor/leaflet/).
 *
 * Every [data-grid-map] element is drawn from the JSON of the <script type="application/json">
 * named by its data-source (Django's json_script): grid boundaries (GeoJSON), a patrol route,
 * event markers and one point. With no data-tile-url the map is the boundaries on a plain
 * background, fitted to them, so it works on an intranet without a tile server.
 * With data-pick, clicking the map fills the form's [data-lon]/[data-lat] inputs.
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
    var features = (data.grids && data.grids.features) || [];
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
        layers.push(
          L.tooltip({ permanent: true, direction: "bottom", offset: [0, 2], className: "grid-map__label" })
            .setLatLng([box.getNorth(), box.getCenter().lng])
            .setContent(textNode("span", name))
        );
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

    if (el.hasAttribute("data-pick")) {
      enablePicking(el, map);
    }
  }

  function enablePicking(el, map) {
    var form = el.closest("form");
    var lon = form && form.querySelector("[data-lon]");
    var lat = form && form.querySelector("[data-lat]");
    if (!lon || !lat) {
      return;
    }
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
        place(L.latLng(y, x), pan);
      }
    }

    map.on("click", function (event) {
      lon.value = event.latlng.lng.toFixed(6);
      lat.value = event.latlng.lat.toFixed(6);
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
