/* The review page's "Who is signing?": show the representative's fields, name help and
   statement when a representative signs, the patient's otherwise. The server decides what is
   stored; this only shows the signer the statement they are about to tick. */
(function () {
  "use strict";
  function apply() {
    var chosen = document.querySelector("input[name=signer_role]:checked");
    var role = chosen ? chosen.value : "patient";
    document.querySelectorAll("[data-signer]").forEach(function (el) {
      el.hidden = el.getAttribute("data-signer") !== role;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[name=signer_role]").forEach(function (radio) {
      radio.addEventListener("change", apply);
    });
    apply();
  });
})();
