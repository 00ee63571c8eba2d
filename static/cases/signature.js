// Signature pad of the output window (local script, no CDN): pointer events cover mouse,
// pen and touch; the drawing is sent as a PNG (data URL) in #signature-data on submit.
(function () {
  "use strict";
  var canvas = document.getElementById("signature-pad");
  if (!canvas) return;
  var form = document.getElementById("pickup-form");
  var field = document.getElementById("signature-data");
  var ctx = canvas.getContext("2d");
  var drawing = false, drawn = false, last = null;
  ctx.lineWidth = 4; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#111";

  function point(e) {
    var r = canvas.getBoundingClientRect();
    return { x: (e.clientX - r.left) * canvas.width / r.width, y: (e.clientY - r.top) * canvas.height / r.height };
  }
  canvas.addEventListener("pointerdown", function (e) {
    drawing = true; last = point(e); canvas.setPointerCapture(e.pointerId); e.preventDefault();
  });
  canvas.addEventListener("pointermove", function (e) {
    if (!drawing) return;
    var p = point(e);
    ctx.beginPath(); ctx.moveTo(last.x, last.y); ctx.lineTo(p.x, p.y); ctx.stroke();
    last = p; drawn = true; e.preventDefault();
  });
  ["pointerup", "pointercancel", "pointerleave"].forEach(function (t) {
    canvas.addEventListener(t, function () { drawing = false; });
  });
  document.getElementById("signature-clear").addEventListener("click", function () {
    ctx.clearRect(0, 0, canvas.width, canvas.height); drawn = false; field.value = "";
  });
  var agent = document.getElementById("agent"), agentFields = document.getElementById("agent-fields");
  function toggleAgent() { agentFields.hidden = !agent.checked; }
  agent.addEventListener("change", toggleAgent); toggleAgent();
  form.addEventListener("submit", function (e) {
    if (!drawn) { e.preventDefault(); alert("请领取人在签名区签名。"); return; }
    field.value = canvas.toDataURL("image/png");
  });
})();
