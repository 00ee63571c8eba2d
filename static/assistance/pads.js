// Signature pads of the 代办 pages (local script, no CDN), after the output window's pad
// (static/cases/signature.js): every <canvas class="sig-pad" data-field="NAME"> inside a
// form is drawn on with pointer events (mouse, pen, touch) and sent as a PNG data URL in
// the hidden input NAME on submit; a pad marked data-required must be signed.
(function () {
  "use strict";
  function point(canvas, e) {
    var r = canvas.getBoundingClientRect();
    return { x: (e.clientX - r.left) * canvas.width / r.width, y: (e.clientY - r.top) * canvas.height / r.height };
  }
  function pad(canvas) {
    var ctx = canvas.getContext("2d"), drawing = false, last = null;
    var field = canvas.closest("form").querySelector("input[name='" + canvas.dataset.field + "']");
    ctx.lineWidth = 4; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#111";
    canvas.dataset.drawn = "";
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true; last = point(canvas, e); canvas.setPointerCapture(e.pointerId); e.preventDefault();
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      var p = point(canvas, e);
      ctx.beginPath(); ctx.moveTo(last.x, last.y); ctx.lineTo(p.x, p.y); ctx.stroke();
      last = p; canvas.dataset.drawn = "1"; e.preventDefault();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (t) {
      canvas.addEventListener(t, function () { drawing = false; });
    });
    var clear = document.querySelector("[data-clear='" + canvas.id + "']");
    if (clear) clear.addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height); canvas.dataset.drawn = ""; field.value = "";
    });
    canvas.closest("form").addEventListener("submit", function (e) {
      if (!canvas.dataset.drawn) {
        if (canvas.dataset.required !== undefined) {
          e.preventDefault(); alert("请在“" + canvas.getAttribute("aria-label") + "”签名。");
        }
        return;
      }
      field.value = canvas.toDataURL("image/png");
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("canvas.sig-pad"), pad);
})();
