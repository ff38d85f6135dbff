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

    /* A choice in the "open a province" list opens the province's profile (keeping the
       language, indicator and period). */
    navigate: function (chosen, spec) {
      if (!chosen || !spec || !spec.profile) { return window.dash_clientside.no_update; }
      return spec.profile.path + encodeURIComponent(chosen) + (spec.profile.query || "");
    }
  };
})();

/* The province map drawn as SVG by the page itself (namespace "occ_map", components/fast.py::
   province_map), from the same spec as the Plotly figure above: the provinces board's map.

   Why not the Plotly figure: the map is on the board's first screen, and plotly.js had to start
   (0.13-0.18 s) and then draw 34-63 filled traces (0.15 s) before the page was usable. Here the
   polygons are 34-63 SVG paths in the same frame (the spec's axis ranges, latitude stretched by
   the spec's scale ratio, centred as Plotly centres a constrained range), with the same colours,
   borders, hatching of the provinces that did not report, legend, archipelago frames and labels.
   A click opens the province's profile in place (as a link does); hovering shows the spec's text.
   The map is an image to assistive technology: the chart box names it by its summary, and the
   list beside it opens the same profiles from the keyboard. Image exports and the wall still use
   the Plotly figure (components/mapfig.py::figure_dict, occmap.figure above). */
(function () {
  const React = window.React;
  if (!React) { return; }
  const h = React.createElement;
  let uid = 0;

  /* lon/lat → pixel in a box of width × height, as Plotly frames the spec's ranges. */
  function frame(layout, width, height) {
    const m = layout.margin || {l: 0, r: 0, t: 0, b: 0};
    const xr = layout.xaxis.range, yr = layout.yaxis.range, ratio = layout.yaxis.scaleratio || 1;
    const w = Math.max(1, width - m.l - m.r), ht = Math.max(1, height - m.t - m.b);
    const k = Math.min(w / (xr[1] - xr[0]), ht / ((yr[1] - yr[0]) * ratio));
    const cx = (xr[0] + xr[1]) / 2, cy = (yr[0] + yr[1]) / 2, ox = m.l + w / 2, oy = m.t + ht / 2;
    return {x: function (lon) { return ox + (lon - cx) * k; }, y: function (lat) { return oy - (lat - cy) * k * ratio; }};
  }

  function pathOf(feature, f) {
    return feature.geometry.coordinates.map(function (poly) {
      return "M" + poly[0].map(function (p) { return f.x(p[0]).toFixed(1) + "," + f.y(p[1]).toFixed(1); }).join("L") + "Z";
    }).join("");
  }

  /* The spec's hover text ("<b>name</b><br>value<br>rank") as lines; the first is the name. */
  function lines(text) {
    return String(text || "").split("<br>").map(function (s) { return s.replace(/<[^>]*>/g, ""); });
  }

  function hatchStyle(pattern) {
    const fg = pattern.fgcolor, bg = pattern.bgcolor;
    return {background: "repeating-linear-gradient(45deg, " + bg + " 0 3px, " + fg + " 3px 4.5px, " + bg + " 4.5px 6px)"};
  }

  function ProvinceMap(props) {
    const spec = props.spec;
    const box = React.useRef(null);
    const ids = React.useRef(null);
    if (ids.current === null) { ids.current = "occ-map-" + (++uid); }
    const [size, setSize] = React.useState(null);
    const [geo, setGeo] = React.useState(null);
    const [failed, setFailed] = React.useState(false);
    const [hover, setHover] = React.useState(null);  // {i, x, y}
    React.useEffect(function () { setHover(null); }, [spec]);  // a new view: no stale hover text

    React.useLayoutEffect(function () {
      const el = box.current;
      if (!el) { return undefined; }
      const measure = function () {
        const r = el.getBoundingClientRect();
        setSize(function (old) {
          return old && Math.abs(old[0] - r.width) < 1 && Math.abs(old[1] - r.height) < 1 ? old : [r.width, r.height];
        });
      };
      measure();
      if (!("ResizeObserver" in window)) { return undefined; }
      const watch = new ResizeObserver(measure);
      watch.observe(el);
      return function () { watch.disconnect(); };
    }, []);

    const url = spec && spec.message === undefined ? spec.geo_url : null;
    React.useEffect(function () {
      if (!url) { return undefined; }
      let live = true;
      setFailed(false);
      window.dash_clientside.occmap.loadGeo(url)
        .then(function (g) { if (live) { setGeo({url: url, data: g}); } })
        .catch(function (err) { if (window.console) { console.warn("occmap: " + err); } if (live) { setFailed(true); } });
      return function () { live = false; };
    }, [url]);

    const ready = !!(spec && size && size[0] > 0 && (spec.message !== undefined || failed || (geo && geo.url === url)));
    const f = ready && spec.layout && spec.layout.xaxis && spec.layout.xaxis.range ? frame(spec.layout, size[0], size[1]) : null;
    if (box.current) {  // for tests and tools: where a point of the map is drawn
      box.current.__occProject = f ? function (lon, lat) { return [f.x(lon), f.y(lat)]; } : null;
    }
    const shapes = React.useMemo(function () {
      if (!ready || !f || failed || spec.message !== undefined) { return null; }
      const feats = {};
      geo.data.features.forEach(function (ft) { feats[ft.id] = ft; });
      return spec.codes.map(function (code, i) { return feats[code] ? pathOf(feats[code], f) : null; });
    }, [ready, spec, geo, size, failed]);

    const kids = [];
    const message = spec && (spec.message !== undefined ? spec.message : failed ? spec.error_text : null);
    if (ready && shapes) {
      const hatch = ids.current + "-hatch";
      const p = spec.no_report.pattern;
      const svg = [h("defs", {key: "d"}, h("pattern", {id: hatch, patternUnits: "userSpaceOnUse", width: p.size,
        height: p.size, patternTransform: "rotate(45)"},
        h("rect", {width: p.size, height: p.size, fill: p.bgcolor}),
        h("rect", {width: Math.max(1, p.size * p.solidity), height: p.size, fill: p.fgcolor})))];
      (spec.layout.shapes || []).forEach(function (s, j) {
        if (s.type !== "rect" || s.xref !== "x") { return; }
        const x0 = f.x(s.x0), x1 = f.x(s.x1), y0 = f.y(s.y1), y1 = f.y(s.y0);
        svg.push(h("rect", {key: "s" + j, x: Math.min(x0, x1), y: Math.min(y0, y1), width: Math.abs(x1 - x0),
          height: Math.abs(y1 - y0), fill: "none", stroke: s.line.color, strokeWidth: s.line.width,
          strokeDasharray: s.line.dash === "dot" ? "2 3" : null, className: "occ-map-frame"}));
      });
      svg.push(h("g", {key: "p", className: "occ-map-areas"}, shapes.map(function (d, i) {
        if (!d) { return null; }
        const line = spec.focused[i] ? spec.focus_line : spec.line;
        return h("path", {key: spec.keys[i], d: d, "data-i": i, "data-key": spec.keys[i], "data-code": spec.codes[i],
          "data-focused": spec.focused[i] ? "true" : null,
          fill: spec.classes[i] < 0 ? "url(#" + hatch + ")" : spec.fills[i], stroke: line.color,
          strokeWidth: line.width, strokeLinejoin: "round", opacity: spec.opacity[i]});
      })));
      if (hover && shapes[hover.i]) {  // the hovered province outlined on top
        svg.push(h("path", {key: "hover", d: shapes[hover.i], fill: "none", stroke: "#18202b", strokeWidth: 1.6,
          pointerEvents: "none", className: "occ-map-hover"}));
      }
      (spec.layout.annotations || []).forEach(function (a, j) {
        if (a.xref !== "x") { return; }
        const font = a.font || {};
        svg.push(h("text", {key: "a" + j, x: f.x(a.x), y: f.y(a.y), textAnchor: "middle", className: "occ-map-label",
          dominantBaseline: a.yanchor === "top" ? "hanging" : a.yanchor === "bottom" ? "text-after-edge" : "central",
          fontSize: font.size, fill: font.color, fontStyle: font.style || null, pointerEvents: "none",
          stroke: a.bgcolor || null, strokeWidth: a.bgcolor ? 3 : null, paintOrder: "stroke",
          "data-name": a.name}, a.text));
      });
      kids.push(h("svg", {key: "svg", width: size[0], height: size[1], className: "occ-map-svg", "aria-hidden": "true",
        style: {cursor: spec.profile ? "pointer" : "default"},
        onMouseMove: function (e) {
          const i = e.target && e.target.getAttribute && e.target.getAttribute("data-i");
          if (i === null || i === undefined) { if (hover) { setHover(null); } return; }
          const r = box.current.getBoundingClientRect();
          setHover({i: Number(i), x: e.clientX - r.left, y: e.clientY - r.top});
        },
        onMouseLeave: function () { setHover(null); },
        onClick: function (e) {
          const i = e.target && e.target.getAttribute && e.target.getAttribute("data-i");
          if (i === null || i === undefined || !spec.profile) { return; }
          // in place, as a link of the page does (assets/static_tree.js)
          window.occ_static.go(spec.profile.path + encodeURIComponent(spec.keys[Number(i)]) + (spec.profile.query || ""));
        }}, svg));
      const legend = spec.legend || [];
      if (legend.length && spec.layout.showlegend !== false) {
        const title = spec.layout.legend && spec.layout.legend.title && spec.layout.legend.title.text;
        kids.push(h("div", {key: "legend", className: "occ-map-legend", "aria-hidden": "true"},
          title ? h("div", {className: "occ-map-legend-title"}, title) : null,
          h("ul", null, legend.map(function (e, j) {
            return h("li", {key: j}, h("span", {className: "occ-map-swatch",
              style: e.fillpattern ? hatchStyle(e.fillpattern) : {background: e.fillcolor}}), e.name);
          }))));
      }
      if (hover) {
        const text = lines(spec.texts[hover.i]);
        const left = Math.min(hover.x + 14, Math.max(0, size[0] - 220));
        kids.push(h("div", {key: "tip", className: "occ-map-tip", style: {left: left, top: hover.y + 14}},
          h("strong", null, text[0]), text.slice(1).map(function (s, j) { return h("div", {key: j}, s); })));
      }
    }
    if (ready && message) {
      kids.push(h("div", {key: "msg", className: "occ-map-message"}, message));
    }
    const xrange = spec && spec.layout && spec.layout.xaxis && spec.layout.xaxis.range;
    return h("div", {id: props.id, ref: box, className: ("occ-map " + (props.className || "")).trim(),
      "data-drawn": ready ? "true" : "false", "data-xrange": xrange ? JSON.stringify(xrange) : null}, kids);
  }

  window.occ_map = {ProvinceMap: ProvinceMap};
})();
