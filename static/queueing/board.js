/* Display board: polls the display endpoint (ETag/304) every ~500 ms, redraws fixed DOM
   nodes in place, chimes and announces each new call. Runs for days: no growing arrays, no
   growing DOM, one AudioContext, timers chained with setTimeout. */
(function () {
  "use strict";
  var root = document.getElementById("board");
  var url = root.dataset.url;
  var pollMs = parseInt(root.dataset.poll, 10) || 500;
  var etag = null, lastEvent = null, failures = 0, audio = null;
  var queue = [];            // pending announcements, capped below
  var MAX_QUEUE = 6;
  var DIGITS = "零一二三四五六七八九";
  var el = {
    now: document.getElementById("now-calling"), windows: document.getElementById("windows"),
    waiting: document.getElementById("waiting"), calls: document.getElementById("calls"),
    ticker: document.getElementById("ticker"), conn: document.getElementById("conn"),
    clock: document.getElementById("clock"), start: document.getElementById("start")
  };
  window.__board = { polls: 0, lastEvent: null, lastText: "" };

  function text(s) { return document.createTextNode(s == null ? "" : String(s)); }
  function node(tag, cls, content) {
    var n = document.createElement(tag); if (cls) n.className = cls;
    if (content != null) n.appendChild(text(content)); return n;
  }
  function replaceChildren(parent, children) {
    while (parent.firstChild) parent.removeChild(parent.firstChild);
    children.forEach(function (c) { parent.appendChild(c); });
  }
  function spoken(number) {
    return String(number).replace(/[0-9]/g, function (d) { return DIGITS[+d]; });
  }

  function ensureAudio() {
    if (audio) return audio;
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return null;
    audio = new Ctx();
    if (audio.state === "suspended") el.start.hidden = false;
    return audio;
  }
  el.start.addEventListener("click", function () {
    var a = ensureAudio(); if (a) a.resume(); el.start.hidden = true;
  });

  function chime() {
    var a = ensureAudio(); if (!a || a.state !== "running") return 0;
    [880, 660].forEach(function (f, i) {
      var o = a.createOscillator(), g = a.createGain(), t = a.currentTime + i * 0.35;
      o.frequency.value = f; o.type = "sine";
      g.gain.setValueAtTime(0.0001, t); g.gain.exponentialRampToValueAtTime(0.4, t + 0.03);
      g.gain.exponentialRampToValueAtTime(0.0001, t + 0.32);
      o.connect(g); g.connect(a.destination); o.start(t); o.stop(t + 0.34);
    });
    return 750;
  }

  function speakNext() {
    if (!queue.length) return;
    var call = queue.shift();
    var delay = chime();
    setTimeout(function () {
      if (!("speechSynthesis" in window)) { speakNext(); return; }
      var u = new SpeechSynthesisUtterance(
        "请" + spoken(call.number) + "号到" + call.window + "号窗口办理");
      u.lang = "zh-CN"; u.rate = 0.9;
      u.onend = u.onerror = function () { setTimeout(speakNext, 400); };
      window.speechSynthesis.speak(u);
    }, delay);
  }

  function announce(call) {
    var words = "请" + call.number + "号到" + call.window + "号窗口办理";
    el.now.textContent = words;
    window.__board.lastText = words;
    el.now.classList.remove("flash"); void el.now.offsetWidth; el.now.classList.add("flash");
    var idle = queue.length === 0;
    queue.push(call);
    if (queue.length > MAX_QUEUE) queue.splice(0, queue.length - MAX_QUEUE);
    if (idle) speakNext();
  }

  function render(state) {
    var hot = {};
    if (state.calls.length) hot[state.calls[0].window] = true;
    replaceChildren(el.windows, state.windows.map(function (w) {
      var box = node("div", "bw" + (hot[w.number] ? " hot" : ""));
      box.appendChild(node("div", "wn", w.number + "号 " + w.name));
      box.appendChild(node("div", "tn" + (w.ticket ? "" : " empty"), w.ticket || "—"));
      return box;
    }));
    if (state.windows.length !== laidOut) layout(state.windows.length);
    replaceChildren(el.waiting, state.categories.map(function (c) {
      var tr = node("tr");
      tr.appendChild(node("td", "", c.letter + " " + c.name));
      tr.appendChild(node("td", "n", c.waiting + " 人"));
      return tr;
    }));
    replaceChildren(el.calls, state.calls.slice(0, 6).map(function (c) {
      return node("li", "", c.at + "  " + c.number + " → " + c.window + "号窗口" + (c.recall ? "（重呼）" : ""));
    }));
    if (el.ticker.textContent !== (state.notice || el.ticker.textContent)) el.ticker.textContent = state.notice;
    // Announce calls newer than the last seen one, oldest first; on first load only remember.
    var fresh = state.calls.filter(function (c) { return lastEvent !== null && c.event > lastEvent; });
    fresh.reverse().forEach(announce);
    if (lastEvent === null && state.calls.length) {
      var c0 = state.calls[0];
      el.now.textContent = "请" + c0.number + "号到" + c0.window + "号窗口办理";
    }
    if (state.calls.length) lastEvent = Math.max(lastEvent || 0, state.calls[0].event);
    else if (lastEvent === null) lastEvent = 0;
    window.__board.lastEvent = lastEvent;
  }

  function poll() {
    var ctrl = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (ctrl) ctrl.abort(); }, 5000);
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch(url, { headers: headers, cache: "no-store", signal: ctrl ? ctrl.signal : undefined })
      .then(function (r) {
        clearTimeout(timer);
        if (r.status === 304) return null;
        if (!r.ok) throw new Error("HTTP " + r.status);
        etag = r.headers.get("ETag");
        return r.json();
      })
      .then(function (state) {
        if (state) render(state);
        failures = 0; window.__board.polls++;
        el.conn.textContent = "已连接"; el.conn.className = "board-status";
        setTimeout(poll, pollMs);
      })
      .catch(function () {
        clearTimeout(timer);
        failures++;
        el.conn.textContent = "连接中断，正在重连…"; el.conn.className = "board-status off";
        setTimeout(poll, Math.min(5000, pollMs * Math.pow(2, Math.min(failures, 4))));
      });
  }

  // The center's time zone, whatever the device's is set to.
  var tz = root.dataset.tz || "Asia/Shanghai";
  function tick() {
    var d = new Date();
    el.clock.textContent = d.toLocaleDateString("zh-CN", { timeZone: tz }) + " " +
      d.toLocaleTimeString("zh-CN", { timeZone: tz, hour12: false });
  }

  // Lay the windows out for their real number: the grid whose boxes come out largest
  // (boxes about 1.6 : 1) fills the panel; type scales with the box.
  var laidOut = -1;
  function layout(n) {
    var box = el.windows.getBoundingClientRect();
    var w = box.width, h = box.height, best = 1, bestSize = 0;
    if (!n || !w || !h) return;
    for (var c = 1; c <= n; c++) {
      var r = Math.ceil(n / c), size = Math.min(w / c / 1.6, h / r);
      if (size > bestSize) { bestSize = size; best = c; }
    }
    var rows = Math.ceil(n / best);
    el.windows.style.gridTemplateColumns = "repeat(" + best + ", minmax(0, 1fr))";
    el.windows.style.gridTemplateRows = "repeat(" + rows + ", minmax(0, 1fr))";
    el.windows.style.setProperty("--bh", Math.floor((h - 10 * (rows - 1)) / rows) + "px");
    el.windows.style.setProperty("--bw", Math.floor((w - 10 * (best - 1)) / best) + "px");
    laidOut = n;
  }
  window.addEventListener("resize", function () { layout(laidOut); });
  setInterval(tick, 1000); tick();
  ensureAudio();
  poll();
})();
