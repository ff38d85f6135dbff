/* A line chart drawn as SVG by the page (occ_chart.LineChart), from the same figure the server
   builds for Plotly (components/indicator_charts.series_figure, with components/directions
   .add_markers): lines over dates with their markers (hollow: provisional), the targets (a dashed
   step, or a bar-shaped marker a year), the shapes (the 2025 break, the "not comparable" band, the
   directions' dates) and the notes, the y axis in the locale's numbers, a legend whose entries
   show and hide their line, and one hover box for all lines at the period under the pointer.

   Why: plotly.js (1.2 MB) costs 0.15-0.2 s to start before it draws anything; the indicator
   page opened with a chart on its first screen paid that on every load. The exports still draw
   the same figure with Plotly on the server (exports/).

   Only the figure's parts listed above are read; anything else in it is ignored. Text is React
   text (escaped): a note's "<b>" is not markup here. */
(function () {
  const React = window.React;
  if (!React) { return; }
  const h = React.createElement;

  const LEGEND_H = 30;  // px above the plot

  function day(v) {  // a date of the figure ("2025-07-01", or with a time) as ms
    if (v === null || v === undefined) { return null; }
    const t = Date.parse(String(v).length === 10 ? v + "T00:00:00Z" : v);
    return isNaN(t) ? null : t;
  }

  // "1234.5" in the layout's separators (Plotly's: decimal mark first, then the group mark)
  function number(v, decimals, separators, trim) {
    const dec = (separators || ".,")[0], group = (separators || ".,")[1] || "";
    let s = Math.abs(v).toFixed(Math.max(0, decimals));
    if (trim && s.indexOf(".") >= 0) { s = s.replace(/0+$/, "").replace(/\.$/, ""); }
    const parts = s.split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, group);
    const out = parts.join(dec);
    return (v < 0 && Number(s) !== 0 ? "−" : "") + out;
  }

  function decimalsOf(format) {  // ",.1f" / ",.2~f" → 1 / 2
    const m = /\.(\d+)~?f/.exec(format || "");
    return m ? Number(m[1]) : 0;
  }

  // about `count` round steps over [lo, hi]
  function niceTicks(lo, hi, count) {
    if (!(hi > lo)) { const d = Math.abs(lo) || 1; lo -= d / 2; hi += d / 2; }
    const raw = (hi - lo) / Math.max(count, 1);
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map(function (m) { return m * mag; }).find(function (s) { return s >= raw; });
    const first = Math.ceil(lo / step - 1e-9) * step;
    const ticks = [];
    for (let v = first; v <= hi + step * 1e-9; v += step) { ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v); }
    return ticks;
  }

  function dashOf(dash) {
    return dash === "dash" ? "7 5" : dash === "dot" ? "2 4" : dash === "dashdot" ? "7 4 2 4" : null;
  }

  // the series' values as a path, broken where a value is missing (connectgaps: false)
  function pathOf(points) {
    let d = "", pen = false;
    points.forEach(function (p) {
      if (p === null) { pen = false; return; }
      d += (pen ? "L" : "M") + p[0].toFixed(1) + "," + p[1].toFixed(1);
      pen = true;
    });
    return d;
  }

  // "%{customdata}: <b>%{y:,.1f}</b> tỷ đồng<extra>…</extra>": the value's decimals and the unit after it
  function hoverParts(template) {
    const body = String(template || "").split("<extra>")[0];
    const m = /%\{y(?::([^}]*))?\}(?:<\/b>)?\s*(.*)$/.exec(body);
    return {decimals: m ? decimalsOf(m[1]) : 0, unit: m ? m[2].replace(/<[^>]*>/g, "").trim() : "",
      valued: !!m};
  }

  function frameOf(fig, width, height) {
    const layout = fig.layout || {};
    const m = Object.assign({l: 56, r: 16, t: 24, b: 40}, layout.margin || {});
    const traces = fig.data || [];
    const xs = [], ys = [];
    traces.forEach(function (tr) {
      (tr.x || []).forEach(function (x, i) {
        const t = day(x), y = (tr.y || [])[i];
        if (t !== null) { xs.push(t); }
        if (t !== null && y !== null && y !== undefined) { ys.push(y); }
      });
    });
    (layout.shapes || []).forEach(function (s) {
      if (s.xref !== "paper") { [s.x0, s.x1].forEach(function (x) { const t = day(x); if (t !== null) { xs.push(t); } }); }
    });
    if (!xs.length || !ys.length) { return null; }
    let x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    const pad = (x1 - x0) * 0.02 || 86400000 * 15;
    x0 -= pad; x1 += pad;
    let y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    const yaxis = layout.yaxis || {};
    if (yaxis.zeroline) { y0 = Math.min(y0, 0); y1 = Math.max(y1, 0); }
    const ypad = (y1 - y0) * 0.06 || Math.abs(y1) * 0.1 || 1;
    const plotH = height - m.t - m.b;
    const ticks = niceTicks(y0 - ypad, y1 + ypad, Math.max(3, Math.round(plotH / 70)));
    y0 = Math.min(y0 - ypad, ticks[0]); y1 = Math.max(y1 + ypad, ticks[ticks.length - 1]);
    const left = m.l, right = width - m.r, top = m.t, bottom = height - m.b;
    return {left: left, right: right, top: top, bottom: bottom, ticks: ticks,
      x: function (t) { return left + (t - x0) / (x1 - x0) * (right - left); },
      y: function (v) { return bottom - (v - y0) / (y1 - y0) * (bottom - top); },
      py: function (p) { return bottom - p * (bottom - top); },  // paper y
      px: function (p) { return left + p * (right - left); }};
  }

  function marker(tr, i, cx, cy, key) {
    const mk = tr.marker || {};
    const symbol = Array.isArray(mk.symbol) ? mk.symbol[i] : mk.symbol || "circle";
    const size = mk.size || 6, colour = mk.color || (tr.line || {}).color;
    const stroke = (mk.line || {}).width || 0;
    if (symbol === "line-ew-open" || symbol === "line-ew") {
      return h("line", {key: key, x1: cx - size / 2, x2: cx + size / 2, y1: cy, y2: cy, stroke: colour,
        strokeWidth: stroke || 2, className: "occ-point"});
    }
    const open = /-open$/.test(symbol);
    return h("circle", {key: key, cx: cx, cy: cy, r: size / 2, fill: open ? "#fff" : colour,
      stroke: colour, strokeWidth: open ? Math.max(stroke, 1.5) : stroke ? 1 : 0,
      className: "occ-point" + (open ? " occ-point-open" : "")});
  }

  function LineChart(props) {
    const fig = props.figure || {data: [], layout: {}};
    const layout = fig.layout || {};
    const box = React.useRef(null);
    const [width, setWidth] = React.useState(0);
    const [hidden, setHidden] = React.useState({});
    const [hover, setHover] = React.useState(null);  // the hovered x (ms) and the pointer's position
    React.useEffect(function () { setHover(null); setHidden({}); }, [fig]);

    React.useLayoutEffect(function () {
      const el = box.current;
      if (!el) { return undefined; }
      const measure = function () {
        const w = el.getBoundingClientRect().width;
        setWidth(function (old) { return Math.abs(old - w) < 1 ? old : w; });
      };
      measure();
      if (!("ResizeObserver" in window)) { return undefined; }
      const watch = new ResizeObserver(measure);
      watch.observe(el);
      return function () { watch.disconnect(); };
    }, []);

    const total = layout.height || (props.style && parseInt(props.style.height, 10)) || 420;
    const traces = fig.data || [];
    const legend = layout.showlegend !== false && traces.length > 0;
    const svgH = total - (legend ? LEGEND_H : 0);
    const margin = Object.assign({}, layout.margin || {});
    if (legend) { margin.t = Math.max(12, (margin.t || 24) - LEGEND_H); }
    const f = React.useMemo(function () {
      // the axes stay as they are when a line is hidden from the legend
      return width > 0 ? frameOf({data: traces, layout: Object.assign({}, layout, {margin: margin})}, width, svgH) : null;
    }, [fig, width]);

    const sep = layout.separators;
    const yaxis = layout.yaxis || {};
    const kids = [];
    if (legend) {
      kids.push(h("div", {key: "legend", className: "occ-chart-legend"}, traces.map(function (tr, i) {
        const line = tr.line || {}, colour = line.color || (tr.marker || {}).color;
        return h("button", {key: i, type: "button", className: "occ-chart-legend-item", "aria-pressed": !hidden[i],
          onClick: function () { setHidden(function (old) { const n = Object.assign({}, old); n[i] = !old[i]; return n; }); }},
          h("svg", {width: 26, height: 12, "aria-hidden": "true"},
            (tr.mode || "lines").indexOf("lines") >= 0
              ? h("line", {x1: 1, x2: 25, y1: 6, y2: 6, stroke: colour, strokeWidth: Math.min(line.width || 2, 3),
                strokeDasharray: dashOf(line.dash)})
              : h("line", {x1: 6, x2: 20, y1: 6, y2: 6, stroke: colour, strokeWidth: 3})),
          h("span", null, tr.name));
      })));
    }
    const notes = [];
    if (f) {
      const svg = [];
      (yaxis.visible === false ? [] : f.ticks).forEach(function (v, j) {
        const y = f.y(v);
        svg.push(h("line", {key: "g" + j, x1: f.left, x2: f.right, y1: y, y2: y, stroke: yaxis.gridcolor || "#e6eaef",
          strokeWidth: 1}));
        svg.push(h("text", {key: "t" + j, x: f.left - 8, y: y, textAnchor: "end", dominantBaseline: "central",
          className: "occ-chart-tick"}, number(v, decimalsOf(yaxis.tickformat), sep, /~/.test(yaxis.tickformat || ""))));
      });
      if (yaxis.zeroline && f.ticks[0] <= 0) {
        svg.push(h("line", {key: "zero", x1: f.left, x2: f.right, y1: f.y(0), y2: f.y(0),
          stroke: yaxis.zerolinecolor || "#9aa5b1", strokeWidth: yaxis.zerolinewidth || 1.5}));
      }
      const title = yaxis.title && yaxis.title.text;
      if (title) {
        svg.push(h("text", {key: "ytitle", className: "occ-chart-axis-title", textAnchor: "middle",
          transform: "translate(14," + ((f.top + f.bottom) / 2) + ") rotate(-90)"}, title));
      }
      const xaxis = layout.xaxis || {};
      (xaxis.tickvals || []).forEach(function (v, j) {
        const t = day(v);
        if (t === null) { return; }
        svg.push(h("text", {key: "x" + j, x: f.x(t), y: f.bottom + 20, textAnchor: "middle", className: "occ-chart-tick"},
          (xaxis.ticktext || [])[j]));
      });
      svg.push(h("line", {key: "base", x1: f.left, x2: f.right, y1: f.bottom, y2: f.bottom,
        stroke: xaxis.linecolor || "#e6eaef", strokeWidth: 1}));
      (layout.shapes || []).forEach(function (s, j) {
        const yOf = function (v) { return s.yref === "paper" ? f.py(v) : f.y(v); };
        const x0 = s.xref === "paper" ? f.px(s.x0) : f.x(day(s.x0)), x1 = s.xref === "paper" ? f.px(s.x1) : f.x(day(s.x1));
        const line = s.line || {};
        if (s.type === "rect") {
          svg.push(h("rect", {key: "s" + j, x: Math.min(x0, x1), y: Math.min(yOf(s.y0), yOf(s.y1)),
            width: Math.abs(x1 - x0), height: Math.abs(yOf(s.y1) - yOf(s.y0)), fill: s.fillcolor || "none",
            stroke: line.width ? line.color : "none", className: "occ-chart-shape"}));
        } else if (s.type === "line") {
          svg.push(h("line", {key: "s" + j, x1: x0, x2: x1, y1: yOf(s.y0), y2: yOf(s.y1), stroke: line.color,
            strokeWidth: line.width || 1, strokeDasharray: dashOf(line.dash), className: "occ-chart-shape"}));
        }
      });
      traces.forEach(function (tr, i) {
        if (hidden[i]) { return; }
        const points = (tr.x || []).map(function (x, k) {
          const t = day(x), y = (tr.y || [])[k];
          return t === null || y === null || y === undefined ? null : [f.x(t), f.y(y)];
        });
        const line = tr.line || {}, mode = tr.mode || "lines";
        const g = [];
        if (mode.indexOf("lines") >= 0) {
          g.push(h("path", {key: "l", d: pathOf(points), fill: "none", stroke: line.color, strokeWidth: line.width || 2,
            strokeDasharray: dashOf(line.dash), strokeLinejoin: "round", strokeLinecap: "round"}));
        }
        if (mode.indexOf("markers") >= 0) {
          points.forEach(function (p, k) { if (p) { g.push(marker(tr, k, p[0], p[1], "m" + k)); } });
        }
        svg.push(h("g", {key: "tr" + i, className: "occ-line", "data-name": tr.name,
          "data-role": (tr.meta && tr.meta.role) || "series"}, g));
      });
      if (hover) {
        const hx = f.x(hover.t);
        svg.push(h("line", {key: "guide", x1: hx, x2: hx, y1: f.top, y2: f.bottom, stroke: "#5a6677", strokeWidth: 1,
          strokeDasharray: "3 3", className: "occ-chart-guide"}));
      }
      // the drawing is an image named by the chart's summary sentence (its data table beside it)
      const named = props.labelledBy ? {role: "img", "aria-labelledby": props.labelledBy} : {"aria-hidden": "true"};
      kids.push(h("svg", Object.assign({key: "svg", width: width, height: svgH, className: "occ-chart-svg"}, named, {
        onMouseMove: function (e) {
          const r = e.currentTarget.getBoundingClientRect();
          const mx = e.clientX - r.left;
          let best = null;
          traces.forEach(function (tr, i) {
            if (hidden[i]) { return; }
            (tr.x || []).forEach(function (x, k) {
              const t = day(x), y = (tr.y || [])[k];
              if (t === null || y === null || y === undefined) { return; }
              const d = Math.abs(f.x(t) - mx);
              if (best === null || d < best.d) { best = {d: d, t: t}; }
            });
          });
          if (best && mx >= f.left - 20 && mx <= f.right + 20) {
            setHover({t: best.t, x: mx, y: e.clientY - r.top});
          } else if (hover) { setHover(null); }
        },
        onMouseLeave: function () { setHover(null); }}), svg));
      (layout.annotations || []).forEach(function (a, j) {
        const x = a.xref === "paper" ? f.px(a.x) : f.x(day(a.x));
        const y = a.yref === "paper" ? f.py(a.y) : f.y(a.y);
        if (x === null || isNaN(x) || isNaN(y)) { return; }
        const font = a.font || {};
        const tx = a.xanchor === "right" ? "-100%" : a.xanchor === "left" ? "0" : "-50%";
        // a note hung below the plot's bottom (a direction's close date) is kept inside the plot,
        // clear of the dates under the axis
        const below = a.yref === "paper" && a.y <= 0 && a.yanchor === "top";
        const ty = a.yanchor === "bottom" || below ? "-100%" : a.yanchor === "top" ? "0" : "-50%";
        notes.push(h("div", {key: "a" + j, className: "occ-chart-note", title: a.hovertext || undefined,
          style: {left: x + (a.xshift || 0), top: y + (legend ? LEGEND_H : 0),
            transform: "translate(" + tx + "," + ty + ")", fontSize: font.size || null, color: font.color || null,
            background: a.bgcolor || null}}, String(a.text || "").replace(/<[^>]*>/g, "")));
      });
      if (hover) {
        const rows = [];
        let head = null;
        traces.forEach(function (tr, i) {
          if (hidden[i]) { return; }
          const k = (tr.x || []).findIndex(function (x) { return day(x) === hover.t; });
          if (k < 0 || tr.y[k] === null || tr.y[k] === undefined) { return; }
          const cd = Array.isArray(tr.customdata) ? tr.customdata[k] : null;
          const parts = hoverParts(tr.hovertemplate);
          const colour = (tr.line || {}).color || (tr.marker || {}).color;
          if (tr.meta && tr.meta.role === "target") {
            rows.push(h("div", {key: i, className: "occ-chart-tip-row"},
              h("span", {className: "occ-chart-swatch", style: {background: colour}}), cd || tr.name));
            return;
          }
          if (head === null && cd !== null) { head = cd; }
          rows.push(h("div", {key: i, className: "occ-chart-tip-row"},
            h("span", {className: "occ-chart-swatch", style: {background: colour}}),
            h("span", {className: "occ-chart-tip-name"}, tr.name),
            h("strong", null, number(tr.y[k], parts.decimals, sep, false) + (parts.unit ? " " + parts.unit : ""))));
        });
        if (rows.length) {
          const flip = hover.x > width - 280;
          notes.push(h("div", {key: "tip", className: "occ-chart-tip",
            style: {left: flip ? undefined : hover.x + 16, right: flip ? width - hover.x + 16 : undefined,
              top: Math.max(0, hover.y + (legend ? LEGEND_H : 0) - 20)}},
            head !== null ? h("div", {className: "occ-chart-tip-head"}, head) : null, rows));
        }
      }
    } else if (width > 0) {
      (layout.annotations || []).forEach(function (a, j) {  // the empty state's message
        notes.push(h("div", {key: "a" + j, className: "occ-chart-empty"}, String(a.text || "")));
      });
    }
    // the notes and the hover box repeat what the summary, the notes under the chart and the data
    // table say: drawn for the eye only
    return h("div", {id: props.id, ref: box, className: ("occ-chart " + (props.className || "")).trim(),
      style: Object.assign({}, props.style || {}, {height: total}), "data-drawn": f ? "true" : width > 0 ? "empty" : "false"},
      kids, h("div", {className: "occ-chart-notes", "aria-hidden": "true"}, notes));
  }

  window.occ_chart = {LineChart: LineChart, number: number, niceTicks: niceTicks, hoverParts: hoverParts};
})();
