// The board's filters update the list in place: the GET form still works without script;
// with it, a change fetches only the table (the server answers HX-Request with the partial,
// as htmx would) and the address bar follows (pushState), so reload and back keep the filters.
(function () {
  var form = document.querySelector("[data-board-form]");
  var target = document.getElementById("board-results");
  if (!form || !target || !window.fetch) return;
  var timer = null;
  function load(url, push) {
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { window.location.href = url; return null; }
        return response.text();
      })
      .then(function (html) {
        if (html === null) return;
        target.innerHTML = html;
        if (push) window.history.pushState({ board: true }, "", url);
      });
  }
  function submit() {
    var query = new URLSearchParams(new FormData(form)).toString();
    load(form.action + (query ? "?" + query : ""), true);
  }
  form.addEventListener("submit", function (event) { event.preventDefault(); submit(); });
  form.addEventListener("change", submit);
  form.addEventListener("input", function (event) {
    if (event.target.type !== "search") return;
    clearTimeout(timer);
    timer = setTimeout(submit, 300);
  });
  target.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest(".pager a, .state-counts a") : null;
    if (!link) return;
    event.preventDefault();
    load(link.href, true);
  });
  window.addEventListener("popstate", function () { load(window.location.href, false); });
})();
