/* changetrail: keep the "Recent changes" page honest when it is served from a cache.
 *
 * The page was sorted into windows (24 hours, 7 days, 30 days) when the site was built. This
 * script sorts it again by the reader's clock: each entry (.ct-recent[data-ct-date]) moves to
 * the smallest window (.ct-recent-window[data-ct-window="<days>"]) whose days cover its age, or
 * is hidden when it is older than every window. Dates are days compared in UTC, as the build
 * does. No dependencies; safe to run more than once.
 */
(function () {
  "use strict";

  var DAY_MS = 24 * 60 * 60 * 1000;

  function utcDay(iso) {
    var parts = iso.split("-");
    return Date.UTC(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2]));
  }

  function refresh() {
    var windows = Array.prototype.slice.call(
      document.querySelectorAll(".ct-recent-window[data-ct-window]")
    );
    if (windows.length === 0) {
      return;
    }
    windows.sort(function (a, b) {
      return Number(a.dataset.ctWindow) - Number(b.dataset.ctWindow);
    });
    var now = new Date();
    var today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());

    // Entries are in document order: newest first within each window and window after window,
    // so appending them in that order keeps every window newest first.
    var entries = document.querySelectorAll(".ct-recent[data-ct-date]");
    Array.prototype.forEach.call(entries, function (entry) {
      var age = Math.round((today - utcDay(entry.dataset.ctDate)) / DAY_MS);
      var target = null;
      for (var i = 0; i < windows.length && target === null; i++) {
        if (age <= Number(windows[i].dataset.ctWindow)) {
          target = windows[i];
        }
      }
      entry.hidden = target === null;
      if (target !== null) {
        target.appendChild(entry);
      }
    });

    windows.forEach(function (win) {
      var empty = win.querySelector(".ct-recent__empty");
      if (empty) {
        empty.hidden = win.querySelector(".ct-recent:not([hidden])") !== null;
      }
    });

    var checked = document.querySelector(".ct-recent__checked");
    if (checked) {
      checked.textContent =
        "Checked in your browser at " + now.toISOString().replace(/\.\d+Z$/, "Z") + ".";
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", refresh);
  } else {
    refresh();
  }
  // Material's instant navigation swaps pages without a new DOMContentLoaded.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(refresh);
  }
})();
