/* Wall mode: scaling, rotation, clock, planned reload and the data_version poll. None of this
   calls the server except the poll, a tiny GET of /api/v1/version. */
window.dash_clientside = window.dash_clientside || {};
(function () {
  var state = { started: false, lostSince: null, timers: [], paused: false, words: {} };

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function scale() {
    var canvas = document.querySelector(".wall-canvas");
    if (!canvas) { return; }
    var s = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
    canvas.style.transform = "scale(" + s + ")";
    canvas.style.left = Math.max(0, (window.innerWidth - 1920 * s) / 2) + "px";
    canvas.style.top = Math.max(0, (window.innerHeight - 1080 * s) / 2) + "px";
  }

  function clock(lang) {
    var el = document.getElementById("wall-clock");
    if (!el) { return; }
    var d = new Date();
    var time = pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
    var day = lang === "en"
      ? d.toLocaleDateString("en-GB", { weekday: "short", day: "2-digit", month: "short", year: "numeric" })
      : pad(d.getDate()) + "/" + pad(d.getMonth() + 1) + "/" + d.getFullYear();
    el.textContent = time + "  " + day;
  }

  /* Show the board ``step`` places after the current one (-1: the previous one). */
  function show(step) {
    var boards = Array.prototype.slice.call(document.querySelectorAll(".wall-board"));
    if (boards.length < 2) { return; }
    var i = boards.findIndex(function (b) { return b.classList.contains("active"); });
    var next = ((i + step) % boards.length + boards.length) % boards.length;
    boards.forEach(function (b, k) { b.classList.toggle("active", k === next); });
    dots(next, boards.length);
  }

  function rotate() {
    window.__occWallTicks = (window.__occWallTicks || 0) + 1;
    if (state.paused) { return; }
    show(1);
    window.__occWallRotations = (window.__occWallRotations || 0) + 1;
  }

  /* Keys: Space or P pauses and resumes the rotation (announced), the arrows show the previous
     or the next board. */
  function onKey(e) {
    if (e.altKey || e.ctrlKey || e.metaKey || !document.querySelector(".wall-board")) { return; }
    var key = e.key;
    if (key === " " || key === "p" || key === "P") {
      state.paused = !state.paused;
      var said = document.getElementById("wall-paused");
      if (said) { said.textContent = state.paused ? state.words.paused : state.words.resumed; }
      e.preventDefault();
    } else if (key === "ArrowRight" || key === "ArrowLeft") {
      show(key === "ArrowRight" ? 1 : -1);
      e.preventDefault();
    }
  }

  function dots(active, n) {
    var el = document.getElementById("wall-dots");
    if (!el) { return; }
    if (el.children.length !== n) {
      el.innerHTML = "";
      for (var k = 0; k < n; k++) { el.appendChild(document.createElement("span")); }
    }
    Array.prototype.forEach.call(el.children, function (c, k) { c.className = k === active ? "on" : ""; });
  }

  window.dash_clientside.occwall = {
    start: function (config) {
      if (!config) { return window.dash_clientside.no_update; }
      state.timers.forEach(function (t) { clearInterval(t); clearTimeout(t); });
      state.timers = [];
      document.documentElement.classList.add("wall-mode");
      scale();
      if (!state.started) { window.addEventListener("resize", scale); document.addEventListener("keydown", onKey); }
      state.words = {paused: config.paused || "", resumed: config.resumed || ""};
      clock(config.lang);
      dots(0, (config.boards || []).length);
      state.timers.push(setInterval(function () { clock(config.lang); }, 1000));
      state.timers.push(setInterval(rotate, Math.max(1, config.seconds) * 1000));
      state.timers.push(setTimeout(function () { window.location.reload(); }, config.reload_ms));
      state.started = true;
      return Date.now();
    },
    poll: function (n, current, config) {
      var noUpdate = window.dash_clientside.no_update;
      var lostText = function () {
        if (!state.lostSince) { state.lostSince = new Date(); }
        var t = pad(state.lostSince.getHours()) + ":" + pad(state.lostSince.getMinutes());
        return (config && config.lost ? config.lost : "Mất kết nối từ {time}").replace("{time}", t);
      };
      return fetch("/api/v1/version", { cache: "no-store", credentials: "same-origin" })
        .then(function (res) {
          if (!res.ok) { throw new Error("HTTP " + res.status); }
          return res.json();
        })
        .then(function (body) {
          state.lostSince = null;
          window.__occWallPolls = (window.__occWallPolls || 0) + 1;
          var changed = !current || current.data_version !== body.data_version;
          window.__occWallVersion = body.data_version;
          return [changed ? body : noUpdate, ""];
        })
        .catch(function () {
          return [noUpdate, lostText()];
        });
    }
  };
})();
