// Anxin workbench: keyboard, live updates and bulk selection. Loaded with
// defer on every logged-in page; no inline script anywhere (CSP).
(function () {
  "use strict";

  var zh = document.documentElement.lang !== "en";

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $$(sel, root) { return (root || document).querySelectorAll(sel); }

  // ---- The queue's current row -------------------------------------------
  var currentNumber = null;

  function rows() { return $$("#queue tbody tr[data-ticket-number]"); }

  function setCurrent(i) {
    var rs = rows();
    if (!rs.length) return;
    i = Math.max(0, Math.min(rs.length - 1, i));
    for (var k = 0; k < rs.length; k++) rs[k].classList.remove("is-current");
    rs[i].classList.add("is-current");
    rs[i].scrollIntoView({ block: "nearest" });
    currentNumber = rs[i].getAttribute("data-ticket-number");
  }

  function currentIndex() {
    var rs = rows();
    for (var k = 0; k < rs.length; k++) {
      if (rs[k].getAttribute("data-ticket-number") === currentNumber) return k;
    }
    return -1;
  }

  function currentRow() {
    var i = currentIndex();
    return i < 0 ? null : rows()[i];
  }

  function restoreCurrent() {
    var i = currentIndex();
    if (i >= 0) rows()[i].classList.add("is-current");
    hideOwnPresence();
  }

  // The queue's rows are shared by everyone who sees the view; each page
  // hides the "being handled by" marker that is about its own user.
  function hideOwnPresence() {
    var me = document.body.getAttribute("data-user-id");
    if (!me) return;
    var marks = $$('.presence[data-viewer="' + me + '"]');
    for (var k = 0; k < marks.length; k++) marks[k].hidden = true;
  }

  // ---- Keyboard --------------------------------------------------------------
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  function click(sel) {
    var el = $(sel);
    if (el) { el.focus(); el.click(); return true; }
    return false;
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(document.activeElement)) return;
    var onQueue = !!$("#queue"), onTicket = !!$("[data-live-ticket]"), row;
    switch (e.key) {
      case "/":
        if ($("#q")) { e.preventDefault(); $("#q").focus(); $("#q").select(); return; }
        if (onTicket && openMacros()) e.preventDefault();
        return;
      case "?":
        var help = $("#keys-help");
        if (help && help.showModal) { e.preventDefault(); help.showModal(); }
        return;
      case "j": if (onQueue) { setCurrent(currentIndex() + 1); e.preventDefault(); } return;
      case "k": if (onQueue) { setCurrent(Math.max(0, currentIndex() - 1)); e.preventDefault(); } return;
      case "Enter":
        if (onQueue && (row = currentRow())) { e.preventDefault(); location.href = row.getAttribute("data-href"); }
        return;
      case "a":
        if (onTicket) { if (click("#ticket [data-action=approve]")) e.preventDefault(); return; }
        if (onQueue && (row = currentRow())) {
          var approve = row.querySelector("button[data-action=approve]");
          if (approve) { e.preventDefault(); approve.click(); }
          // A row whose photos need a look is opened, never decided blind.
          else if (row.hasAttribute("data-flagged")) { e.preventDefault(); location.href = row.getAttribute("data-href") + "#photos"; }
        }
        return;
      case "r":
        if (onTicket) { if (click("#ticket [data-action=refund]")) e.preventDefault(); return; }
        if (onQueue && (row = currentRow())) { e.preventDefault(); location.href = row.getAttribute("data-href") + "#actions-h"; }
        return;
      case "x":
        if (onTicket) {
          var reason = $("#ticket [data-reject-reason]");
          if (reason) { e.preventDefault(); reason.scrollIntoView({ block: "center" }); reason.focus(); }
          return;
        }
        if (onQueue && (row = currentRow())) { e.preventDefault(); location.href = row.getAttribute("data-href") + "#actions-h"; }
        return;
      case "n":
        if (onTicket && click("#next-ticket")) e.preventDefault();
        return;
    }
  });

  // A click on a queue row (not on its links or buttons) makes it current.
  document.addEventListener("click", function (e) {
    var tr = e.target.closest && e.target.closest("#queue tbody tr[data-ticket-number]");
    if (!tr || e.target.closest("a, button, input, label")) return;
    currentNumber = tr.getAttribute("data-ticket-number");
    for (var k = 0, rs = rows(); k < rs.length; k++) rs[k].classList.toggle("is-current", rs[k] === tr);
  });

  // ---- Bulk selection ----------------------------------------------------------
  function countSelected() {
    var n = $$("#queue tbody input[name=tickets]:checked").length;
    var out = $("[data-selected-count]");
    if (out) out.textContent = (zh ? "已选 " : "Selected: ") + n;
  }

  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-select-all]")) {
      var boxes = $$("#queue tbody input[name=tickets]");
      for (var k = 0; k < boxes.length; k++) boxes[k].checked = e.target.checked;
    }
    if (e.target.closest && e.target.closest("#queue")) countSelected();
  });

  // ---- Canned replies ------------------------------------------------------------
  // "/" in an empty reply box (or on the ticket page) opens the list and its
  // search; "Use" fills the box with the reply rendered for this ticket and
  // remembers it, so its action (if any) is taken with the message.
  function openMacros() {
    var box = $("[data-macros]"), search = $("[data-macro-search]");
    if (!box || !search) return false;
    box.open = true;
    search.focus();
    search.select();
    return true;
  }

  function filterMacros() {
    var search = $("[data-macro-search]");
    if (!search) return;
    // The "/" that opened the list may arrive here too: it is no part of a title.
    if (search.value.charAt(0) === "/") search.value = search.value.slice(1);
    var q = search.value.trim().toLowerCase();
    var items = $$("[data-macro-list] li[data-macro-id]");
    for (var k = 0; k < items.length; k++) {
      items[k].hidden = q !== "" && (items[k].getAttribute("data-title") || "").toLowerCase().indexOf(q) < 0;
    }
  }

  function useMacro(li) {
    var body = $("#reply-body"), chosen = $("[data-macro-chosen]"), label = $("[data-macro-action-label]");
    if (!li || !body) return;
    body.value = li.getAttribute("data-text") || "";
    if (chosen) chosen.value = li.getAttribute("data-macro-id");
    if (label) {
      label.textContent = li.getAttribute("data-action-label") || "";
      label.hidden = !label.textContent;
    }
    var box = $("[data-macros]");
    if (box) box.open = false;
    body.focus();
    // A value the ticket lacks stays a {placeholder}: select the first one.
    var at = body.value.search(/\{[a-z_]+\}/);
    if (at >= 0) body.setSelectionRange(at, body.value.indexOf("}", at) + 1);
  }

  document.addEventListener("click", function (e) {
    var use = e.target.closest && e.target.closest("[data-macro-use]");
    if (use) { e.preventDefault(); useMacro(use.closest("li[data-macro-id]")); }
  });
  document.addEventListener("input", function (e) {
    if (e.target.matches("[data-macro-search]")) filterMacros();
    if (e.target.id === "reply-body" && e.target.value === "") {
      var chosen = $("[data-macro-chosen]"), label = $("[data-macro-action-label]");
      if (chosen) chosen.value = "";
      if (label) label.hidden = true;
    }
  });
  document.addEventListener("keydown", function (e) {
    if (e.target.id === "reply-body" && e.key === "/" && e.target.value === "" && openMacros()) {
      e.preventDefault();
      return;
    }
    if (e.target.matches && e.target.matches("[data-macro-search]")) {
      if (e.key === "Enter") {
        e.preventDefault();
        var first = $("[data-macro-list] li[data-macro-id]:not([hidden])");
        if (first) useMacro(first);
      } else if (e.key === "Escape") {
        var box = $("[data-macros]");
        if (box) box.open = false;
        if ($("#reply-body")) $("#reply-body").focus();
      }
    }
  });

  // ---- Live updates (server-sent events) ----------------------------------------
  var ownActionUntil = 0; // a change right after our own action is our own

  document.addEventListener("htmx:beforeRequest", function (e) {
    if (e.target.closest && e.target.closest("#ticket")) ownActionUntil = Date.now() + 60000;
  });
  // The queue's rows are swapped as a whole; the page must not move while
  // the agent reads it, so the scroll position is held across the swap.
  // While the old rows are out, the page is short and the browser pulls the
  // scroll position up: it is put back in afterSwap, in the same task as the
  // swap, before anything is painted (afterSettle comes 20 ms later, after a
  // frame that showed the page jumped to the top).
  var heldScroll = null;
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.target.id === "queue-live") heldScroll = window.scrollY;
  });
  document.addEventListener("htmx:afterSwap", function () {
    if (heldScroll !== null) { window.scrollTo(0, heldScroll); heldScroll = null; }
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    if (e.target.id === "ticket" || (e.target.closest && e.target.closest("#ticket"))) ownActionUntil = Date.now() + 1500;
    if (e.target.id === "queue-live") {
      restoreCurrent();
      countSelected();
      markUnread();
    }
  });

  // The viewer's unread messages are marked on the shared rows by the
  // page's own list (#queue-unread), which each refresh sends along.
  function markUnread() {
    var list = $("#queue-unread");
    if (!list) return;
    var unread = {}, label = list.getAttribute("data-label") || "new";
    (list.getAttribute("data-unread") || "").split(" ").forEach(function (n) { if (n) unread[n] = true; });
    var rs = rows();
    for (var k = 0; k < rs.length; k++) {
      var tr = rs[k], on = !!unread[tr.getAttribute("data-ticket-number")];
      tr.classList.toggle("unread", on);
      var mark = tr.querySelector(".unread-mark");
      if (on && !mark) {
        mark = document.createElement("span");
        mark.className = "unread-mark";
        mark.textContent = label;
        var cell = tr.querySelector("td.mono");
        if (cell) cell.appendChild(mark);
      } else if (!on && mark) {
        mark.remove();
      }
    }
  }

  function liveQueue() {
    var live = $("#queue-live");
    if (!live || !window.EventSource) return null;
    var timer = null;
    var es = new EventSource("/events");
    es.addEventListener("changed", function () {
      if (timer) return;
      timer = setTimeout(function () {
        timer = null;
        var region = $("#queue-live");
        if (!region || !window.htmx) return;
        // The page's own URL (filter and cursor) gives the rows this page shows.
        htmx.ajax("GET", region.getAttribute("data-refresh"), { target: "#queue-live", swap: "outerHTML" });
      }, 700);
    });
    return es;
  }

  function liveTicket() {
    var t = $("[data-live-ticket]");
    if (!t || !window.EventSource) return null;
    var es = new EventSource("/events?ticket=" + encodeURIComponent(t.getAttribute("data-live-ticket")));
    es.addEventListener("changed", function () {
      if (Date.now() < ownActionUntil) return;
      var banner = $("#changed-banner");
      if (banner) banner.hidden = false;
    });
    // A new message is shown at once: the thread is swapped, the reply
    // being typed below it is not touched.
    var msgTimer = null;
    es.addEventListener("message", function () {
      if (msgTimer) return;
      msgTimer = setTimeout(function () {
        msgTimer = null;
        var thread = $("#timeline");
        if (!thread || !window.htmx) return;
        htmx.ajax("GET", thread.getAttribute("data-refresh"), { target: "#timeline", swap: "outerHTML" });
      }, 150);
    });
    es.addEventListener("presence", function (e) {
      var box = $("#presence");
      if (!box) return;
      var names = [];
      try { names = JSON.parse(e.data) || []; } catch (err) { return; }
      var tmpl = box.getAttribute("data-template") || "%s";
      box.textContent = "";
      names.forEach(function (name) {
        var span = document.createElement("span");
        span.className = "presence";
        span.textContent = tmpl.replace("%s", name);
        box.appendChild(span);
      });
    });
    return es;
  }

  // ---- Alerts: the bell's count, and desktop notifications -------------------
  // The count comes with every stream of the user's (event "alerts"); a page
  // that has no stream of its own opens one for it.
  function notifying() {
    return window.Notification && Notification.permission === "granted";
  }

  function liveAlerts(es) {
    var bell = $("[data-testid=bell]");
    if (!bell || !window.EventSource) return;
    if (!es) es = new EventSource("/events");
    es.addEventListener("alerts", function (e) {
      var n = parseInt(e.data, 10);
      if (isNaN(n)) return;
      var out = $("[data-alert-count]", bell);
      var before = parseInt(out.textContent, 10) || 0;
      out.textContent = String(n);
      out.hidden = n === 0;
      if (n > before && notifying()) {
        var note = new Notification(bell.getAttribute("data-notify-title") || "Anxin",
          { body: bell.getAttribute("data-notify-body") + " (" + n + ")", tag: "anxin-alerts" });
        note.onclick = function () { window.focus(); location.href = "/alerts"; };
      }
    });
  }

  // Permission is asked for only when the user clicks the button.
  function notifyButton() {
    var btn = $("[data-notify-enable]");
    if (!btn || !window.Notification || Notification.permission !== "default") return;
    btn.hidden = false;
    btn.addEventListener("click", function () {
      Notification.requestPermission().then(function () { btn.hidden = true; });
    });
  }

  hideOwnPresence();
  markUnread();
  var queueStream = liveQueue(), ticketStream = liveTicket();
  liveAlerts(queueStream || ticketStream);
  notifyButton();
})();
