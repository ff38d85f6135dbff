/* The province map, built in the browser (namespace "occmap").

   The server sends a small spec (components/mapfig.py::map_spec: per province its key, code,
   colour, hover text, opacity; the legend entries; the whole layout) and this file adds the
   polygons from /assets/geo/provinces_{era}.geojson, fetched once per era and kept in memory, so
   the geometry never travels with a callback. `figure` is the JavaScript twin of
   components/mapfig.py::figure_dict; tests/test_mapfig.py runs both on the same spec (with node)
   and asserts they build the same figure. Keep them in step. */
window.dash_clientside = window.dash_clientside || {};

(function () {
  const geoCache = {};

  function loadGeo(url) {
    if (!geoCache[url]) {
      geoCache[url] = fetch(url, {credentials: "same-origin"}).then(function (res) {
        if (!res.ok) { throw new Error("HTTP " + res.status + " for " + url); }
        return res.json();
      }).catch(function (err) { delete geoCache[url]; throw err; });
    }
    return geoCache[url];
  }

  function copy(obj) { return Object.assign({}, obj); }

  function rings(feature) {
    return feature.geometry.coordinates.map(function (poly) { return poly[0]; });
  }

  /* Mirror of mapfig.province_trace. */
  function provinceTrace(spec, i, feature) {
    const x = [], y = [];
    rings(feature).forEach(function (ring, j) {
      if (j) { x.push(null); y.push(null); }
      ring.forEach(function (p) { x.push(p[0]); y.push(p[1]); });
    });
    const focused = spec.focused[i];
    const trace = {
      type: "scatter", x: x, y: y, mode: "lines", fill: "toself", fillcolor: spec.fills[i],
      line: copy(focused ? spec.focus_line : spec.line), hoveron: "fills", hoverinfo: "text",
      text: spec.texts[i], name: spec.keys[i], customdata: [spec.keys[i]], showlegend: false,
      opacity: spec.opacity[i]
    };
    if (spec.classes[i] < 0) { trace.fillpattern = copy(spec.no_report.pattern); }
    return trace;
  }

  /* Mirror of mapfig.figure_dict. */
  function figure(spec, geo) {
    if (spec.message !== undefined) { return {data: [], layout: spec.layout}; }
    const feats = {};
    geo.features.forEach(function (f) { feats[f.id] = f; });
    const data = [];
    spec.codes.forEach(function (code, i) {
      if (feats[code]) { data.push(provinceTrace(spec, i, feats[code])); }
    });
    spec.legend.forEach(function (entry) { data.push(copy(entry)); });
    return {data: data, layout: spec.layout};
  }

  function errorFigure(spec) {
    const layout = copy(spec.layout);
    layout.annotations = [{x: 0.5, y: 0.5, xref: "paper", yref: "paper", showarrow: false,
                           text: spec.error_text || "", font: {size: 15, color: "#5a6677"}}];
    layout.showlegend = false;
    return {data: [], layout: layout};
  }

  /* The area key of a click: the map's fills carry [key] (Dash passes the trace's whole
     customdata when a fill, not a point, is clicked); a bar's point carries the key itself. */
  function clickedKey(clickData) {
    const point = clickData && clickData.points && clickData.points[0];
    if (!point) { return null; }
    const cd = point.customdata;
    if (Array.isArray(cd)) { return cd.length ? String(cd[0]) : null; }
    return cd === undefined || cd === null ? null : String(cd);
  }

  window.dash_clientside.occmap = {
    figure: figure,
    loadGeo: loadGeo,
    clickedKey: clickedKey,

    /* Store → figure. Returns a Promise (Dash awaits it) while the geometry loads the first time. */
    render: function (spec) {
      if (!spec) { return window.dash_clientside.no_update; }
      if (spec.message !== undefined) { return figure(spec, null); }  // nothing to map: no geometry needed
      return loadGeo(spec.geo_url)
        .then(function (geo) { return figure(spec, geo); })
        .catch(function (err) {
          if (window.console) { console.warn("occmap: " + err); }
          return errorFigure(spec);
        });
    },

    /* The region buttons (the aggregates table, the breadcrumb) zoom to a region, or back to
       the nation (null). In the browser: drawing the buttons (n_clicks 0) fires this callback,
       which then answers nothing, with no round trip to the server. */
    pickRegion: function (clicks) {
      const ctx = window.dash_clientside.callback_context;
      const id = ctx && ctx.triggered_id;
      if (!id || typeof id !== "object" || !(clicks || []).some(function (n) { return n; })) {
        return window.dash_clientside.no_update;
      }
      return id.region === "VN" ? null : id.region;
    },

    /* A click on the map, or a choice in the "open a province" list, opens the province's
       profile (keeping the language, indicator and period). The ranking's names are links. */
    navigate: function (mapClick, chosen, spec) {
      const ctx = window.dash_clientside.callback_context;
      const trig = (ctx && ctx.triggered && ctx.triggered[0] && ctx.triggered[0].prop_id) || "";
      let key = null;
      if (!spec || !spec.profile) { return window.dash_clientside.no_update; }
      if (trig.indexOf(".clickData") > 0) { key = clickedKey(mapClick); }
      else if (trig.indexOf(".value") > 0) { key = chosen || null; }
      if (!key) { return window.dash_clientside.no_update; }
      return spec.profile.path + encodeURIComponent(key) + (spec.profile.query || "");
    }
  };
})();
