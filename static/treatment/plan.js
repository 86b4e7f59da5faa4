// The plan form's frequency list follows the chosen route (progressive enhancement: without
// this script every route's frequencies are listed, grouped by route, and the server checks
// the pair). Nothing is selected for the physician.
(function () {
  "use strict";
  var route = document.getElementById("id_route");
  var frequency = document.querySelector("select[data-route-frequencies]");
  if (!route || !frequency) { return; }
  function sync() {
    var chosen = route.options[route.selectedIndex] ? route.options[route.selectedIndex].text : "";
    var groups = frequency.querySelectorAll("optgroup");
    for (var i = 0; i < groups.length; i++) {
      var match = groups[i].label === chosen;
      groups[i].hidden = !match;
      groups[i].disabled = !match;
    }
    var selected = frequency.options[frequency.selectedIndex];
    if (selected && selected.parentNode.tagName === "OPTGROUP" && selected.parentNode.disabled) {
      frequency.value = "";
    }
  }
  route.addEventListener("change", sync);
  sync();
})();
