/* The done page: while the sealed copy is being made, ask the server for the copy panel every
   few seconds (consent_copy_status) and swap it in; it stops once the panel has no poll URL. */
(function () {
  "use strict";
  var every = 3000, tries = 0;
  function panel() { return document.querySelector("#copy-status[data-poll-url]"); }
  function tick() {
    var el = panel();
    if (!el || tries++ > 200) return;
    fetch(el.getAttribute("data-poll-url"), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html) {
          var box = document.createElement("div");
          box.innerHTML = html.trim();
          if (box.firstElementChild) el.replaceWith(box.firstElementChild);
        }
        setTimeout(tick, every);
      })
      .catch(function () { setTimeout(tick, every * 2); });
  }
  document.addEventListener("DOMContentLoaded", function () { setTimeout(tick, every); });
})();
