/* Quick leave: the behaviour of GOV.UK's "Exit this page" component.
   The links work without JavaScript; this adds the Shift x3 shortcut, hides the page at once
   behind a blank overlay, clears what the site can clear, and resets on coming back. */
(function () {
  "use strict";
  var PRESSES_NEEDED = 3;
  var WINDOW_MS = 5000;
  var presses = 0;
  var timer = null;
  var shiftClean = false;
  var root = document.documentElement;
  var originalTitle = document.title;

  function status() {
    return document.querySelector("[data-quick-leave-status]");
  }

  function announce(message) {
    var region = status();
    if (region) region.textContent = message;
  }

  function resetPresses(message) {
    presses = 0;
    if (timer) { clearTimeout(timer); timer = null; }
    announce(message || "");
  }

  function clearSiteData() {
    // Only what script can reach: readable cookies and web storage. History stays
    // (see the "Staying safe online" page).
    document.cookie.split(";").forEach(function (cookie) {
      var name = cookie.split("=")[0].trim();
      if (!name) return;
      var expired = name + "=; expires=Thu, 01 Jan 1970 00:00:00 GMT; max-age=0";
      document.cookie = expired + "; path=/";
      document.cookie = expired + "; path=" + location.pathname;
    });
    try { localStorage.clear(); } catch (e) { /* storage may be disabled */ }
    try { sessionStorage.clear(); } catch (e) { /* storage may be disabled */ }
  }

  function leave(url) {
    var overlay = document.createElement("div");
    overlay.className = "quick-leave-overlay";
    overlay.setAttribute("data-quick-leave-overlay", "");
    document.body.appendChild(overlay);
    root.classList.add("quick-leave-active");
    document.title = "Loading";
    clearSiteData();
    window.location.href = url;
  }

  function destination() {
    var link = document.querySelector("[data-quick-leave-link]");
    return link ? link.href : "https://www.bbc.co.uk/weather";
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-quick-leave-link]");
    if (!link) return;
    event.preventDefault();
    leave(link.href);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Shift") {
      if (!event.repeat) shiftClean = true;
      return;
    }
    // Any other key, including Shift used as a modifier, starts the count again.
    shiftClean = false;
    if (presses > 0) resetPresses("");
  });

  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift" || !shiftClean) return;
    shiftClean = false;
    presses += 1;
    if (presses >= PRESSES_NEEDED) {
      resetPresses("Leaving this page");
      leave(destination());
      return;
    }
    if (!timer) {
      timer = setTimeout(function () { resetPresses("Quick leave timed out"); }, WINDOW_MS);
    }
    var left = PRESSES_NEEDED - presses;
    announce("Shift, press " + left + " more time" + (left === 1 ? "" : "s") + " to leave this page");
  });

  window.addEventListener("pageshow", function () {
    // Coming back with the back button: show the page again and start counting afresh.
    var overlay = document.querySelector("[data-quick-leave-overlay]");
    if (overlay) overlay.remove();
    root.classList.remove("quick-leave-active");
    document.title = originalTitle;
    resetPresses("");
  });
})();
