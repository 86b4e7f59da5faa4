// Small behaviours for every page, loaded from a file so the Content-Security-Policy can
// forbid inline script: "Go back" links and print buttons.
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

// Live updates without a library (the pages work the same without JavaScript):
// - a form with data-live-search="URL" and data-live-target="#id": typing in its search box
//   fetches URL?q=... and replaces the target (the open-case patient picker);
// - a form with data-live="#id": changing a select fetches the form's GET URL and replaces
//   that element with the same element of the answer (the case page's timeline filter).
(function () {
  function swap(selector, html, fromPage) {
    var current = document.querySelector(selector);
    if (!current) return;
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = fromPage ? holder.querySelector(selector) : holder.firstElementChild;
    if (fresh) current.replaceWith(fresh);
  }
  function get(url, then) {
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(then)
      .catch(function () { /* the submit button still works */ });
  }
  var timer = null;
  document.addEventListener("input", function (event) {
    var input = event.target;
    var form = input instanceof HTMLInputElement && input.name === "q" ? input.closest("form[data-live-search]") : null;
    if (!form) return;
    clearTimeout(timer);
    timer = setTimeout(function () {
      var url = form.getAttribute("data-live-search") + "?q=" + encodeURIComponent(input.value);
      get(url, function (html) { swap(form.getAttribute("data-live-target"), html, false); });
    }, 250);
  });
  document.addEventListener("change", function (event) {
    var form = event.target instanceof HTMLSelectElement ? event.target.closest("form[data-live]") : null;
    if (!form) return;
    var params = new URLSearchParams(new FormData(form)).toString();
    var url = window.location.pathname + "?" + params;
    get(url, function (html) {
      swap(form.getAttribute("data-live"), html, true);
      window.history.replaceState(null, "", url + "#timeline");
      var select = document.getElementById(event.target.id);
      if (select) select.focus();
    });
  });
})();
