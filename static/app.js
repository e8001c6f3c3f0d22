// Anxin's own script: live countdowns. No inline script anywhere (the CSP
// forbids it); this file is loaded with defer on every page.
(function () {
  "use strict";

  var zh = document.documentElement.lang !== "en";

  function pad(n) { return n < 10 ? "0" + n : "" + n; }

  // left formats a duration in ms the way the server does (views.Countdown):
  // under a day as 23:59:12, from a day on as 2天4小时 / 2d 4h.
  function left(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    if (d > 0) return zh ? d + "天" + h + "小时" : d + "d " + h + "h";
    return pad(h) + ":" + pad(m) + ":" + pad(s % 60);
  }

  // The server's clock is the one deadlines are kept by: the page says what
  // it read when it was made, and the countdowns run on from there.
  var skew = Date.parse(document.documentElement.getAttribute("data-now") || "") - Date.now();
  if (isNaN(skew)) skew = 0;

  function tick() {
    var now = Date.now() + skew;
    var els = document.querySelectorAll(".countdown[data-deadline]");
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var due = Date.parse(el.getAttribute("data-deadline"));
      var since = Date.parse(el.getAttribute("data-since") || "");
      if (isNaN(due)) continue;
      var rest = due - now;
      el.textContent = rest > 0 ? left(rest) : (zh ? "逾期 " : "overdue ") + left(rest);
      var used = isNaN(since) || due <= since ? 1 : (now - since) / (due - since);
      el.classList.toggle("ok", rest > 0 && used < 0.5);
      el.classList.toggle("warn", rest > 0 && used >= 0.5 && used < 0.8);
      el.classList.toggle("late", rest <= 0 || used >= 0.8);
    }
  }

  // How long buyers have waited for a reply, counting up; late past the
  // platform's 3-minute norm.
  function waits() {
    var now = Date.now() + skew;
    var els = document.querySelectorAll("[data-waiting-since]");
    for (var i = 0; i < els.length; i++) {
      var since = Date.parse(els[i].getAttribute("data-waiting-since"));
      if (isNaN(since)) continue;
      var ms = Math.max(0, now - since), s = Math.floor(ms / 1000);
      els[i].textContent = s < 3600 ? pad(Math.floor(s / 60)) + ":" + pad(s % 60) : left(ms);
      els[i].classList.toggle("late", ms >= 180000);
      els[i].classList.toggle("ok", ms < 180000);
    }
  }

  // The top bar's menu on small screens: the link opens it without script
  // (:target); with it, the link is a button that opens and closes it.
  var toggle = document.querySelector("[data-menu-toggle]");
  var bar = document.querySelector("[data-topbar]");
  function setMenu(open) {
    bar.classList.toggle("menu-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }
  if (toggle && bar) {
    bar.classList.add("menu-js");
    toggle.addEventListener("click", function (e) {
      e.preventDefault();
      setMenu(!bar.classList.contains("menu-open"));
    });
    toggle.addEventListener("keydown", function (e) {
      if (e.key === " ") { e.preventDefault(); toggle.click(); }
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && bar.classList.contains("menu-open")) { setMenu(false); toggle.focus(); }
    });
    document.addEventListener("click", function (e) {
      if (bar.classList.contains("menu-open") && !bar.contains(e.target)) setMenu(false);
    });
  }

  // The undo of a refund a person pressed: the seconds left, until the
  // refund goes to the payment system (the server decides; this only says).
  function undos() {
    var now = Date.now() + skew;
    var els = document.querySelectorAll("[data-undo-until]");
    for (var i = 0; i < els.length; i++) {
      var until = Date.parse(els[i].getAttribute("data-undo-until"));
      var span = els[i].querySelector("[data-undo-left]");
      if (isNaN(until) || !span) continue;
      var s = Math.max(0, Math.ceil((until - now) / 1000));
      span.textContent = zh ? "（剩 " + s + " 秒）" : "(" + s + " s left)";
    }
  }

  function tickAll() { tick(); waits(); undos(); }
  tickAll();
  setInterval(tickAll, 1000);
})();
