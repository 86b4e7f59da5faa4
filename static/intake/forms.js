// Progressive enhancement for the intake forms (no inline script: a CSP without it is coming).
// Without this file every question and three blank trial rows are shown, and the server checks
// everything; with it, conditional questions appear only when they apply and rows can be added.
(function () {
  "use strict";

  // Conditional questions (e.g. C-SSRS 3-5 only when 2 is "yes"). Hiding clears the answer.
  function radios(name) {
    return document.querySelectorAll('input[type="radio"][name="' + name + '"]');
  }
  function checkedValue(name) {
    var list = radios(name);
    for (var i = 0; i < list.length; i++) { if (list[i].checked) { return list[i].value; } }
    return "";
  }
  var conditional = document.querySelectorAll("fieldset[data-shown-when]");
  function syncConditional() {
    for (var i = 0; i < conditional.length; i++) {
      var set = conditional[i];
      var shown = checkedValue(set.dataset.shownWhen) === set.dataset.shownEquals;
      set.hidden = !shown;
      if (!shown) {
        var own = set.querySelectorAll('input[type="radio"]');
        for (var j = 0; j < own.length; j++) { own[j].checked = own[j].value === ""; }
      }
    }
  }
  if (conditional.length) {
    document.addEventListener("change", function (event) {
      if (event.target && event.target.type === "radio") { syncConditional(); }
    });
    syncConditional();
  }

  // "Add another trial": clone the empty row and count it in the formset's TOTAL_FORMS.
  var add = document.getElementById("add-trial");
  var table = document.getElementById("trials-table");
  var template = document.getElementById("trial-row-template");
  if (add && table && template) {
    var prefix = table.dataset.prefix;
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    add.hidden = false;
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      table.tBodies[0].insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var first = table.tBodies[0].lastElementChild.querySelector("input, select");
      if (first) { first.focus(); }
    });
  }
})();
