/* The signage screen: poll for changes every few seconds and swap the board in place.
   When the network drops, the last board stays, marked "No connection", with the time it was
   last updated; alerts still leave the screen when they expire (by the screen's clock,
   corrected by the server's). Standing messages take turns while there is no alert.
   Without JavaScript the page reloads itself instead (a <noscript> refresh). */
(function () {
  "use strict";
  var body = document.body;
  document.documentElement.classList.add("js");
  var stateUrl = body.dataset.stateUrl;
  var poll = (parseInt(body.dataset.poll, 10) || 5) * 1000;
  var version = "";
  var skew = 0; // server clock minus this device's clock, in ms
  var timeFormat;
  try {
    timeFormat = new Intl.DateTimeFormat(body.dataset.lang || "uk", {
      hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: body.dataset.tz || undefined
    });
  } catch (e) {
    timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
  }
  function now() { return new Date(Date.now() + skew); }
  function $(selector) { return document.querySelector(selector); }

  function dropExpired() {
    var board = $("#board");
    if (!board) return;
    var t = now().getTime();
    board.querySelectorAll(".screen-alert[data-expires]").forEach(function (el) {
      var ends = Date.parse(el.dataset.expires);
      if (!isNaN(ends) && ends <= t) el.remove();
    });
    var standing = board.querySelector(".screen-standing");
    if (standing && !board.querySelector(".screen-alert")) standing.hidden = false;
  }

  var turn = 0;
  function rotate() {
    var items = document.querySelectorAll(".screen-standing .screen-message");
    if (!items.length) return;
    turn = (turn + 1) % items.length;
    items.forEach(function (el, i) { el.classList.toggle("current", i === turn); });
  }

  function tick() {
    var clock = $(".screen-clock");
    if (clock) clock.textContent = timeFormat.format(now());
    dropExpired();
  }

  function online(isOnline) {
    $(".screen-offline").hidden = isOnline;
    body.classList.toggle("offline", !isOnline);
  }

  function swap(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    var fresh = holder.content.firstElementChild;
    var board = $("#board");
    if (fresh && board) {
      board.replaceWith(fresh);
      turn = -1;
      rotate();
    }
  }

  function refresh() {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller && setTimeout(function () { controller.abort(); }, poll * 2);
    fetch(stateUrl + "?v=" + encodeURIComponent(version), {
      cache: "no-store", credentials: "omit", headers: { Accept: "application/json" },
      signal: controller ? controller.signal : undefined
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (state) {
        var server = Date.parse(state.now);
        if (!isNaN(server)) skew = server - Date.now();
        if (state.html !== null && state.html !== undefined) swap(state.html);
        version = state.version;
        body.dataset.version = version; // when the screen last heard from the server (for tests)
        $(".screen-updated").textContent = timeFormat.format(now());
        online(true);
        tick();
      })
      .catch(function () { online(false); })
      .then(function () {
        if (timer) clearTimeout(timer);
        setTimeout(refresh, poll);
      });
  }

  setInterval(tick, 1000);
  setInterval(rotate, 8000);
  refresh();
})();
