// The survey editor: "添加一题" appends a copy of the formset's empty form (prefix "q").
(function () {
  var button = document.getElementById("add-question");
  var template = document.getElementById("question-template");
  var total = document.getElementById("id_q-TOTAL_FORMS");
  var list = document.getElementById("questions");
  if (!button || !template || !total || !list) { return; }
  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    html = html.replace("第新题", "第" + (index + 1) + "题");
    list.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var added = list.lastElementChild.querySelector("input[name$='-text']");
    if (added) { added.focus(); }
  });
})();
