/* The signing pages. The server decides every step; this script only makes the phone
   experience work: it reveals the next step once the end of the document has been seen, and
   drives the signature pad so that a resize, an orientation change or the address bar
   appearing never wipes the drawing (stroke data is kept and redrawn, scaled to the new box). */
(function () {
  "use strict";

  function revealAtEnd() {
    var end = document.getElementById("doc-end");
    var gated = document.querySelectorAll("[data-gated]");
    if (!end || !gated.length) return;
    var status = document.getElementById("gate-status");
    function open() {
      gated.forEach(function (el) { el.hidden = false; });
      if (status) status.textContent = status.getAttribute("data-done") || "";
    }
    if (!("IntersectionObserver" in window)) { open(); return; }
    var seen = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) { open(); seen.disconnect(); }
    });
    seen.observe(end);
  }

  function scaled(data, sx, sy) {
    return data.map(function (group) {
      var copy = Object.assign({}, group);
      copy.points = group.points.map(function (p) {
        return Object.assign({}, p, { x: p.x * sx, y: p.y * sy });
      });
      return copy;
    });
  }

  function signaturePad() {
    var canvas = document.getElementById("signature-canvas");
    if (!canvas) return;
    var form = canvas.closest("form");
    var imageField = form.querySelector("input[name=signature]");
    var strokesField = form.querySelector("input[name=strokes]");
    var problem = document.getElementById("signature-problem");
    if (typeof window.SignaturePad === "undefined") {
      problem.textContent = canvas.getAttribute("data-msg-unavailable") || "";
      return;
    }
    var pad = new window.SignaturePad(canvas, { minWidth: 0.9, maxWidth: 2.8, penColor: "#0b1f33" });
    var size = { w: 0, h: 0 };

    function fit() {
      var rect = canvas.getBoundingClientRect();
      if (!rect.width || !rect.height) return;
      if (Math.round(rect.width) === size.w && Math.round(rect.height) === size.h) return;
      var data = pad.toData();
      var sx = size.w ? rect.width / size.w : 1, sy = size.h ? rect.height / size.h : 1;
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      canvas.width = rect.width * ratio;
      canvas.height = rect.height * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear();
      if (data.length) pad.fromData(scaled(data, sx, sy));
      size = { w: Math.round(rect.width), h: Math.round(rect.height) };
    }

    function store() {
      if (pad.isEmpty()) { imageField.value = ""; strokesField.value = ""; return; }
      strokesField.value = JSON.stringify(pad.toData());
      imageField.value = pad.toDataURL("image/png");
    }

    fit();
    if (strokesField.value) {  // the server sent the form back: keep the drawing
      try { pad.fromData(JSON.parse(strokesField.value)); } catch (e) { strokesField.value = ""; }
    }
    var timer = null;
    function later() { clearTimeout(timer); timer = setTimeout(fit, 120); }
    window.addEventListener("resize", later);
    window.addEventListener("orientationchange", function () { setTimeout(fit, 300); });
    if ("ResizeObserver" in window) new ResizeObserver(later).observe(canvas);
    pad.addEventListener("endStroke", function () { problem.textContent = ""; store(); });

    document.getElementById("signature-clear").addEventListener("click", function () {
      pad.clear(); store(); canvas.focus();
    });
    function othersMissing() {  /* then the server lists every problem at once */
      var name = form.querySelector("[name='typed_name']");
      var intent = form.querySelector("[name='intent']");
      return (name && !name.value.trim()) || (intent && !intent.checked);
    }
    form.addEventListener("submit", function (event) {
      store();
      /* Only the drawing missing: say so here, without a round trip. More missing: let the
         server answer with all of it, not one problem per attempt. */
      if (pad.isEmpty() && !othersMissing()) {
        event.preventDefault();
        problem.textContent = canvas.getAttribute("data-msg-empty") || "";
        canvas.scrollIntoView({ block: "center" });
      }
    });
    window.pathwaySignaturePad = pad;
  }

  /* A refused signature, or a step sent back with problems (the disclosure tick, an
     unanswered question): the reason is at the top of the page; take the patient straight to
     the first field to fix (data-field, or with data-jump="first" the first link's field), and
     let the links in the reason do the same. Otherwise focus the reason itself. */
  function jumpToRefusal() {
    var refused = document.getElementById("sign-refused") || document.getElementById("form-problems");
    if (!refused) return;
    function go(id) {
      var field = id && document.getElementById(id);
      if (!field) return false;
      field.scrollIntoView({ block: "center" });
      field.focus({ preventScroll: true });
      return true;
    }
    refused.querySelectorAll("a[href^='#']").forEach(function (a) {
      a.addEventListener("click", function (e) { if (go(a.getAttribute("href").slice(1))) e.preventDefault(); });
    });
    var target = refused.getAttribute("data-field");
    var first = refused.querySelector("a[href^='#']");
    if (!target && first && refused.getAttribute("data-jump") === "first") target = first.getAttribute("href").slice(1);
    if (!go(target)) refused.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    revealAtEnd(); signaturePad(); jumpToRefusal();
  });
})();
