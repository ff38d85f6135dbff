/* Clientside helpers. View state lives in the URL: controls mirror their values into the query
   string with history.pushState (no Dash navigation, so figures update in place); the browser's
   back button fires popstate, Dash's Location sees it and the page re-renders from the URL. */
window.dash_clientside = window.dash_clientside || {};
window.dash_clientside.occ = {
  syncUrl: function () {
    const args = Array.prototype.slice.call(arguments);
    const names = args.pop();
    const params = new URLSearchParams(window.location.search);
    names.forEach(function (name, i) {
      const v = args[i];
      const empty = v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0);
      if (empty) { params.delete(name); } else { params.set(name, Array.isArray(v) ? v.join(",") : String(v)); }
    });
    const qs = params.toString();
    const next = window.location.pathname + (qs ? "?" + qs : "");
    if (next !== window.location.pathname + window.location.search) {
      window.history.pushState({}, "", next);
    }
    return window.dash_clientside.no_update;
  },
  switchLang: function (n) {
    if (!n) { return window.dash_clientside.no_update; }
    const params = new URLSearchParams(window.location.search);
    if ((params.get("lang") || "vi") === "vi") { params.set("lang", "en"); } else { params.delete("lang"); }
    const qs = params.toString();
    window.location.assign(window.location.pathname + (qs ? "?" + qs : ""));
    return window.dash_clientside.no_update;
  }
};
