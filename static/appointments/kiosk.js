// Kiosk check-in: on-screen keypad for the appointment code or the ID number.
(function () {
  var input = document.getElementById("checkin-value");
  var alpha = document.getElementById("keypad");
  var digits = document.getElementById("keypad-id");
  document.querySelectorAll("input[name=mode]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      var byId = radio.value === "id" && radio.checked;
      alpha.hidden = byId;
      digits.hidden = !byId;
      input.value = "";
      input.placeholder = byId ? "请输入18位身份证号" : "请输入8位预约码";
    });
  });
  document.querySelectorAll(".key").forEach(function (key) {
    key.addEventListener("click", function () {
      var k = key.dataset.key;
      if (k === "DEL") input.value = input.value.slice(0, -1);
      else if (k === "CLR") input.value = "";
      else if (input.value.length < 18) input.value += k;
    });
  });
})();
