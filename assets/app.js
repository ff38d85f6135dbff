/* Clientside helpers. View state lives in the URL: controls mirror their values into the query
   string with history.pushState (no Dash navigation, so figures update in place); the browser's
   back button fires popstate, Dash's Location sees it and the page re-renders from the URL. */
window.dash_clientside = window.dash_clientside || {};

/* Dash's Location components compare the URL with the last one they saw; pushState by syncUrl
   does not tell them. When the back button returns to exactly that URL they see "no change" and
   the page would keep the newer view, so popstate nudges the pages router in that one case. */
(function () {
  function here() { return window.location.pathname + window.location.search; }
  let seenByDash = here();
  window.addEventListener("_dashprivate_pushstate", function () { seenByDash = here(); });
  window.addEventListener("popstate", function () {
    const now = here();
    if (now === seenByDash && window.dash_clientside.set_props) {
      // "_pages_location" is the Location inside dash.page_container (dash.dash._ID_LOCATION).
      window.dash_clientside.set_props("_pages_location",
        {pathname: window.location.pathname, search: window.location.search});
    }
    seenByDash = now;
  });
})();

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
    const qs = params.toString().replace(/%2C/g, ",");  // lists stay readable: areas=VN,R2
    const next = window.location.pathname + (qs ? "?" + qs : "");
    if (next !== window.location.pathname + window.location.search) {
      // The first call, when the page renders, only writes the defaults into the URL: it must not
      // add a history entry (the back button would land on the same view, which pushes again).
      const ctx = window.dash_clientside.callback_context;
      const initial = !ctx || !ctx.triggered || ctx.triggered.length === 0;
      if (initial) { window.history.replaceState(window.history.state, "", next); }
      else { window.history.pushState({}, "", next); }
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
  },
  /* A table's rows from their texts ([[row header, cell, ...], ...]): a row header (th scope=row)
     and number cells, as the server would have sent them (components.directions.measure_table). */
  tableRows: function (rows) {
    function node(tag, props) { return {type: tag, namespace: "dash_html_components", props: props}; }
    return (rows || []).map(function (row) {
      return node("Tr", {children: [node("Th", {children: row[0], scope: "row"})].concat(
        row.slice(1).map(function (cell) { return node("Td", {children: cell, className: "num"}); }))});
    });
  }
};
