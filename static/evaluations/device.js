// Evaluator device (9.4 a): poll the window's just-finished ticket; show the clerk and the
// five levels; post the rating with the ticket's signed token; back to idle on a timeout.
(function () {
  "use strict";
  var body = document.body;
  var IDLE_AFTER_MS = 60000, THANKS_MS = 4000, POLL_MS = 1000;
  var state = { current: null, dismissed: null, polls: 0, shownAt: 0, busy: false };
  window.__device = state;

  function show(id) {
    ["idle", "rate", "thanks"].forEach(function (s) {
      document.getElementById(s).hidden = s !== id;
    });
    state.screen = id;
  }

  function wake(data) {
    state.current = data;
    state.shownAt = Date.now();
    document.getElementById("staff-name").textContent = data.staff_name || "窗口工作人员";
    document.getElementById("staff-badge").textContent = data.badge_no ? "工号 " + data.badge_no : "";
    document.getElementById("ticket-number").textContent = data.number;
    var photo = document.getElementById("staff-photo");
    photo.textContent = "";
    if (data.photo_url) {
      var img = document.createElement("img");
      img.src = data.photo_url;
      img.alt = data.staff_name;
      photo.appendChild(img);
    } else {
      photo.textContent = (data.staff_name || "窗").slice(0, 1);
    }
    show("rate");
  }

  function idle() {
    state.current = null;
    show("idle");
  }

  function poll() {
    fetch(body.dataset.poll, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        state.polls += 1;
        if (state.screen === "thanks" || state.busy) return;
        if (data.state === "rate" && data.ticket_id !== state.dismissed) {
          if (!state.current || state.current.ticket_id !== data.ticket_id) wake(data);
        } else if (data.state === "idle" && state.screen === "rate") {
          idle();
        }
        if (state.screen === "rate" && Date.now() - state.shownAt > IDLE_AFTER_MS) {
          state.dismissed = state.current.ticket_id;
          idle();
        }
      })
      .catch(function () { state.polls += 1; })
      .then(function () { setTimeout(poll, POLL_MS); });
  }

  function rate(level) {
    if (!state.current || state.busy) return;
    state.busy = true;
    var ticket = state.current.ticket_id;
    fetch(body.dataset.api, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: state.current.token, channel: "device", level: level })
    })
      .then(function (r) { return r.json().then(function (d) { return { ok: r.ok, data: d }; }); })
      .then(function (res) {
        state.dismissed = ticket;
        state.last = res.ok ? res.data : { error: res.data.detail };
        show("thanks");
        if (!res.ok) document.querySelector("#thanks p").textContent = res.data.detail || "";
        setTimeout(function () { state.busy = false; idle(); }, THANKS_MS);
      })
      .catch(function () { state.busy = false; });
  }

  document.querySelectorAll(".level-btn").forEach(function (b) {
    b.addEventListener("click", function () { rate(parseInt(b.dataset.level, 10)); });
  });
  show("idle");
  poll();
})();
