/* 社区治理门户 — patrol route from the phone's geolocation, best effort.
 *
 * Points are kept in localStorage (poor connectivity, page changes) and sent in batches to the
 * patrol's points endpoint; what is left goes with the "end patrol" form. Denied or missing
 * geolocation changes nothing else: the patrol and its findings work without a route.
 */
(function () {
  "use strict";

  var PREFIX = "portal-patrol-points-";
  var box = document.querySelector("[data-patrol]");

  function storageKeys() {
    var keys = [];
    try {
      for (var i = 0; i < window.localStorage.length; i++) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(PREFIX) === 0) {
          keys.push(key);
        }
      }
    } catch (e) {
      /* storage disabled */
    }
    return keys;
  }

  if (!box) {
    /* No active patrol: forget the points of patrols that have ended. */
    if (document.querySelector("[data-grid-map]")) {
      storageKeys().forEach(function (key) {
        try {
          window.localStorage.removeItem(key);
        } catch (e) {
          /* ignore */
        }
      });
    }
    return;
  }

  var key = PREFIX + box.dataset.patrolId;
  var url = box.dataset.pointsUrl;
  var status = box.querySelector("[data-patrol-status]");
  var finish = box.querySelector("[data-patrol-finish]");
  var buffer = load();
  var sending = false;
  var last = null;

  function load() {
    try {
      return JSON.parse(window.localStorage.getItem(key)) || [];
    } catch (e) {
      return [];
    }
  }

  function save() {
    try {
      window.localStorage.setItem(key, JSON.stringify(buffer.slice(-1000)));
    } catch (e) {
      /* storage full or disabled: keep the points in memory */
    }
  }

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function report() {
    say(box.dataset.msgRecording + (buffer.length ? " · " + box.dataset.msgPending + " " + buffer.length : ""));
  }

  function flush() {
    if (sending || !buffer.length) {
      return;
    }
    sending = true;
    var batch = buffer.slice(0, 500);
    window
      .fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ points: batch }),
      })
      .then(function (response) {
        if (response.ok || response.status === 400 || response.status === 404 || response.status === 409) {
          /* Saved, or refused for good (bad data, patrol over): either way not worth resending. */
          buffer = buffer.slice(batch.length);
          save();
          if (response.ok) {
            say(box.dataset.msgSaved);
          }
        }
      })
      .catch(function () {
        /* offline: try again later */
      })
      .then(function () {
        sending = false;
      });
  }

  function far(a, b) {
    var dx = (a[0] - b[0]) * 111320 * Math.cos((a[1] * Math.PI) / 180);
    var dy = (a[1] - b[1]) * 110540;
    return Math.sqrt(dx * dx + dy * dy) > 10 || a[2] - b[2] > 60;
  }

  if (!("geolocation" in navigator)) {
    say(box.dataset.msgUnsupported);
  } else {
    navigator.geolocation.watchPosition(
      function (position) {
        var point = [
          Math.round(position.coords.longitude * 1e6) / 1e6,
          Math.round(position.coords.latitude * 1e6) / 1e6,
          Math.round((position.timestamp || Date.now()) / 1000),
        ];
        if (last && !far(point, last)) {
          return;
        }
        last = point;
        buffer.push(point);
        save();
        report();
        if (buffer.length >= 5) {
          flush();
        }
      },
      function (error) {
        if (error.code === 1) {
          say(box.dataset.msgDenied);
        }
      },
      { enableHighAccuracy: true, maximumAge: 10000, timeout: 30000 }
    );
    window.setInterval(flush, 30000);
    window.addEventListener("online", flush);
    flush();
  }

  if (finish) {
    finish.addEventListener("submit", function () {
      var input = finish.querySelector("[data-patrol-points]");
      if (input && buffer.length) {
        input.value = JSON.stringify(buffer.slice(0, 1000));
      }
    });
  }
})();
