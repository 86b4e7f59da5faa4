// Small behaviours for every page, loaded from a file so the Content-Security-Policy can
// forbid inline script: "Go back" links and print buttons. In-place updates (board filters,
// patient picker, timeline filter, copy-status polling) are htmx attributes in the templates.
document.addEventListener("click", function (event) {
  var target = event.target instanceof Element ? event.target.closest("[data-history-back], [data-print]") : null;
  if (!target) return;
  if (target.hasAttribute("data-history-back") && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  } else if (target.hasAttribute("data-print")) {
    event.preventDefault();
    window.print();
  }
});

