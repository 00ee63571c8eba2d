/* Window console keyboard shortcuts: each action form carries data-key="n f1" etc. */
(function () {
  "use strict";
  var map = {};
  document.querySelectorAll("form[data-key]").forEach(function (f) {
    f.dataset.key.split(" ").forEach(function (k) { map[k] = f; });
  });
  var transfer = document.getElementById("btn-transfer");
  var pause = document.getElementById("btn-pause");
  document.addEventListener("keydown", function (e) {
    var tag = (e.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea" || e.ctrlKey || e.altKey || e.metaKey) return;
    var key = e.key.toLowerCase();
    if (key === "t" && transfer) { e.preventDefault(); transfer.form.querySelector("select").focus(); return; }
    if (key === "p" && pause) { e.preventDefault(); pause.form.querySelector("input[name=reason]").focus(); return; }
    var form = map[key];
    if (form) { e.preventDefault(); form.submit(); }
  });
})();
