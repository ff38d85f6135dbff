/* The "data may be stale" mark of the desk pages (components/stale_banner.py).

   Shown when the warehouse is away: a poll of /api/v1/version every 30 s (503 then), or a
   callback response carrying X-OCC-Stale (served from last-known data); hidden again by the next
   successful poll. Never on the wall, which has its own lost-connection mark (assets/wall.js).
   Costs the server one tiny GET per 30 s per open desk page. */
(function () {
  var BANNER = "occ-stale-banner";
  var state = { stale: false, since: null, timer: null, soon: null };

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function onWall() { return window.location.pathname.indexOf("/wall") === 0; }
  function lang() { return new URLSearchParams(window.location.search).get("lang") === "en" ? "en" : "vi"; }

  function render() {
    var el = document.getElementById(BANNER);
    if (!el) { return; }
    if (!state.stale || onWall()) {
      if (!el.hidden) { el.hidden = true; }
      return;
    }
    var l = lang();
    var text = el.getAttribute("data-text-" + l) || "Dữ liệu có thể chưa cập nhật";
    var since = el.getAttribute("data-since-" + l);
    if (since && state.since) {
      text += " (" + since.replace("{time}", pad(state.since.getHours()) + ":" + pad(state.since.getMinutes())) + ")";
    }
    if (el.textContent !== text) { el.textContent = text; }
    el.hidden = false;
  }

  function setStale(stale) {
    if (stale && !state.stale) { state.since = new Date(); }
    if (!stale) { state.since = null; }
    state.stale = stale;
    window.__occStale = stale;
    render();
  }

  var nativeFetch = window.fetch ? window.fetch.bind(window) : null;

  function check() {
    if (!nativeFetch || onWall()) { return; }
    nativeFetch("/api/v1/version", { cache: "no-store", credentials: "same-origin" })
      .then(function (res) { setStale(!res.ok); })
      .catch(function () { setStale(true); });
    window.__occStalePolls = (window.__occStalePolls || 0) + 1;
  }

  function checkSoon() {
    if (state.soon) { return; }
    state.soon = setTimeout(function () { state.soon = null; check(); }, 5000);
  }

  // Callback responses served from last-known data say so in a header: show the mark at once.
  if (nativeFetch) {
    window.fetch = function (input, init) {
      var promise = nativeFetch(input, init);
      try {
        var url = typeof input === "string" ? input : (input && input.url) || "";
        if (url.indexOf("_dash-update-component") !== -1 && !onWall()) {
          promise.then(function (res) {
            if (res.headers.get("X-OCC-Stale")) { setStale(true); checkSoon(); }
          }, function () { checkSoon(); });
        }
      } catch (e) { /* never break Dash's own request */ }
      return promise;
    };
  }

  window.occStale = { check: check };  // for tests and the console

  function start() {
    var el = document.getElementById(BANNER);
    var seconds = el ? parseFloat(el.getAttribute("data-poll-seconds")) : NaN;
    var ms = (seconds > 0 ? seconds : 30) * 1000;
    if (state.timer) { clearInterval(state.timer); }
    state.timer = setInterval(function () { check(); render(); }, ms);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
