// Request the SMS verification code for online booking; one request a minute.
(function () {
  var button = document.getElementById("send-code");
  if (!button) return;
  var form = document.getElementById("book-form");
  var message = document.getElementById("code-msg");
  button.addEventListener("click", function () {
    var phone = document.getElementById("phone").value.trim();
    var body = new FormData();
    body.append("phone", phone);
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    button.disabled = true;
    fetch(button.dataset.url, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        message.textContent = data.detail;
        if (!data.ok) { button.disabled = false; return; }
        var left = 60;
        var timer = setInterval(function () {
          left -= 1;
          button.textContent = left > 0 ? left + "秒后重发" : "获取验证码";
          if (left <= 0) { clearInterval(timer); button.disabled = false; }
        }, 1000);
      })
      .catch(function () { message.textContent = "网络异常，请稍后重试。"; button.disabled = false; });
  });
})();
