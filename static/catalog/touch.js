// Kiosk mode (6.2.2): go back to the touch home page after N seconds without a touch.
(function () {
  var root = document.getElementById("touch-root");
  if (!root) return;
  var seconds = parseInt(root.getAttribute("data-idle"), 10) || 90;
  var home = root.getAttribute("data-home") || "/touch/";
  var atHome = location.pathname === home.split("?")[0];
  var timer = null;
  function reset() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () {
      if (atHome) { window.scrollTo(0, 0); reset(); } else { location.href = home; }
    }, seconds * 1000);
  }
  ["pointerdown", "touchstart", "keydown", "scroll", "wheel"].forEach(function (ev) {
    window.addEventListener(ev, reset, { passive: true });
  });
  // Kiosks have no keyboard and nobody should select text or open a context menu.
  window.addEventListener("contextmenu", function (e) { e.preventDefault(); });
  reset();
})();
