// Keeps the "Sending" page of the newsletter admin up to date: reads the counts as JSON
// every few seconds and writes them into the page, until the send has finished.
(function () {
  "use strict";
  var box = document.querySelector("[data-send-progress]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-url");
  function set(name, value) {
    var el = box.querySelector('[data-field="' + name + '"]');
    if (!el) { return; }
    if (name === "bar") {
      // No amount (null) while the recipients are being found: the bar shows work going on.
      if (value === null) { el.removeAttribute("value"); el.textContent = ""; }
      else { el.value = value; el.textContent = value + "%"; }
    } else { el.textContent = value; }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        ["total", "queued", "sending", "sent", "failed", "skipped", "cancelled", "remaining",
          "waiting_retry", "state"].forEach(function (name) { set(name, data[name]); });
        set("bar", data.percent);
        if (data.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 3000);
        }
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  if (box.getAttribute("data-finished") !== "1") {
    window.setTimeout(poll, 3000);
  }
})();
