/* Mobile ticket page: refreshes position and called window every 10 s. */
(function () {
  "use strict";
  var card = document.getElementById("ticket");
  var url = card.dataset.url;
  function set(id, v) { var n = document.getElementById(id); if (n) n.textContent = v; }
  function refresh() {
    fetch(url, { cache: "no-store" }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (d) {
          set("mt-number", d.number); set("mt-status", d.status_label);
          set("mt-ahead", d.ahead); set("mt-wait", d.estimated_wait_minutes);
          set("mt-window", d.window || "");
          document.getElementById("mt-called").hidden =
            !(d.window && (d.status === "called" || d.status === "serving"));
          document.getElementById("mt-waiting").hidden = d.status !== "waiting";
          set("mt-updated", new Date().toLocaleTimeString("zh-CN", { hour12: false }));
        }
        setTimeout(refresh, 10000);
      }).catch(function () { setTimeout(refresh, 15000); });
  }
  setTimeout(refresh, 10000);
})();
