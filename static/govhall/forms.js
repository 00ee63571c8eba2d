// Browsers word their form-check bubbles ("Please fill out this field.") in the browser's own
// language; the people using govhall read Chinese, whatever the browser was installed with.
(function () {
  function fieldName(f) {
    var label = f.getAttribute("aria-label") || f.getAttribute("placeholder") ||
      (f.labels && f.labels[0] ? f.labels[0].textContent : "") || "";
    label = label.replace(/（必填）|\(必填\)|[*＊:：]/g, "").trim();
    return label || "此项";
  }
  document.addEventListener("invalid", function (e) {
    var f = e.target, v = f.validity, name = fieldName(f), msg = "";
    if (!v) return;
    if (v.valueMissing) msg = (f.type === "checkbox" ? "请勾选" : "请填写") + name;
    else if (v.typeMismatch || v.patternMismatch || v.badInput) msg = name + "格式不正确";
    else if (v.tooShort || v.tooLong) msg = name + "长度不符合要求";
    else if (v.rangeUnderflow || v.rangeOverflow || v.stepMismatch) msg = name + "超出允许范围";
    if (msg) f.setCustomValidity(msg);
  }, true);
  function reset(e) { if (e.target.setCustomValidity) e.target.setCustomValidity(""); }
  document.addEventListener("input", reset, true);
  document.addEventListener("change", reset, true);
})();
