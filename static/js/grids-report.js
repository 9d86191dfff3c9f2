/* 社区治理门户 — the report form: "use my location" fills longitude/latitude from the phone.
 * The form works without this file (map click or typed coordinates); texts come from data-*.
 */
(function () {
  "use strict";

  var form = document.querySelector("[data-report-form]");
  if (!form) {
    return;
  }
  var button = form.querySelector("[data-locate]");
  var status = form.querySelector("[data-locate-status]");
  var lon = form.querySelector("[data-lon]");
  var lat = form.querySelector("[data-lat]");

  function say(text) {
    if (status) {
      status.textContent = text || "";
    }
  }

  function fire(input) {
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  if (button && lon && lat) {
    if (!("geolocation" in navigator)) {
      say(button.dataset.msgUnsupported);
    } else {
      button.hidden = false;
      button.addEventListener("click", function () {
        say(button.dataset.msgBusy);
        button.disabled = true;
        navigator.geolocation.getCurrentPosition(
          function (position) {
            lon.value = position.coords.longitude.toFixed(6);
            lat.value = position.coords.latitude.toFixed(6);
            var crs = form.querySelector("[data-crs]");
            if (crs) {
              crs.value = "wgs84"; /* the phone's GPS */
            }
            fire(lon);
            fire(lat);
            var accuracy = Math.round(position.coords.accuracy || 0);
            say(button.dataset.msgOk + (accuracy ? "（±" + accuracy + " m）" : ""));
            button.disabled = false;
          },
          function () {
            say(button.dataset.msgDenied);
            button.disabled = false;
          },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
        );
      });
    }
  }

  /* One submit per tap on a slow network (re-enabled when the page comes back from history). */
  var submit = form.querySelector('button[type="submit"]');
  form.addEventListener("submit", function () {
    if (submit) {
      window.setTimeout(function () {
        submit.disabled = true;
      }, 0);
    }
  });
  window.addEventListener("pageshow", function () {
    if (submit) {
      submit.disabled = false;
    }
  });
})();
