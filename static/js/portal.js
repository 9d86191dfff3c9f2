/* 社区治理门户 — small progressive enhancements. Every page works without this file.
 *
 * Loaded with <script defer> after htmx (CSP forbids inline scripts), so the DOM is parsed
 * and `window.htmx` exists when it runs.
 */
(function () {
  "use strict";

  var body = document.body;

  /* htmx requests carry Django's CSRF token, read from <meta name="csrf-token">. */
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  /* Tell the person when an htmx request fails instead of doing nothing. Texts come translated
   * from the server (data-msg-* on <body>), so this file holds no user-visible words. */
  function flash(text) {
    var area = document.getElementById("flash");
    if (!area || !text) {
      return;
    }
    var p = document.createElement("p");
    p.className = "flash flash--error";
    p.textContent = text;
    area.replaceChildren(p);
    area.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("htmx:sendError", function () {
    flash(body.dataset.msgNetwork);
  });

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status === 403 || status === 401) {
      // The session ended or the CSRF token expired: a full reload shows the right page.
      window.location.reload();
      return;
    }
    flash(body.dataset.msgError);
  });

  /* The menu is a <details>: close it on Escape or a tap outside. */
  var menus = document.querySelectorAll("details[data-menu]");

  document.addEventListener("click", function (event) {
    menus.forEach(function (menu) {
      if (menu.open && !menu.contains(event.target)) {
        menu.open = false;
      }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    menus.forEach(function (menu) {
      if (menu.open) {
        menu.open = false;
        var summary = menu.querySelector("summary");
        if (summary) {
          summary.focus();
        }
      }
    });
  });
})();
