/* A table drawn as a plain HTML <table> (occ_table.SortTable): sorted by any column from its header,
   its rows narrowed by a search box, its first column and its header kept in view while it scrolls.
   Built by components/sorttable.py.

   Why not the data grid: AG Grid's suite costs 0.3-0.45 s to start and draw on a page that opens
   with it on its first screen (the province profile's scorecard). A hundred rows need no virtual
   scrolling, and a real table is what a screen reader reads best (caption, column and row headers,
   aria-sort on the sorted column).

   Safe by construction: text is React text (escaped), an address goes through Dash's own
   clean_url, a class comes from the server's rows and is only ever a class name. */
(function () {
  const React = window.React;
  if (!React) { return; }
  const h = React.createElement;

  // what the search box compares: no case, no tone marks ("ha noi" finds "Hà Nội"), đ as d
  function folded(text) {
    return String(text === null || text === undefined ? "" : text).normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }

  // a link's address cleaned and followed in place, as static_tree.js does for dcc.Link's
  // (looked up when used: the asset files load in any order)
  function cleanUrl(url) { return window.occ_static.cleanUrl(url); }
  function follow(event) { window.occ_static.follow(event); }

  // rows in the order of (field, dir): numbers as numbers, texts by the language's collation;
  // an empty cell last whichever the direction; equal keys keep the server's order
  function sorted(rows, field, dir, collator) {
    if (!field || !dir) { return rows; }
    const sign = dir === "desc" ? -1 : 1;
    const keyed = rows.map(function (row, i) { return [row[field], i, row]; });
    keyed.sort(function (a, b) {
      const x = a[0], y = b[0];
      const xe = x === null || x === undefined || x === "", ye = y === null || y === undefined || y === "";
      if (xe || ye) { return xe === ye ? a[1] - b[1] : (xe ? 1 : -1); }
      const c = typeof x === "number" && typeof y === "number" ? x - y : collator.compare(String(x), String(y));
      return c ? sign * c : a[1] - b[1];
    });
    return keyed.map(function (k) { return k[2]; });
  }

  function cell(col, row, i) {
    const cls = [col.className, col.classField ? row[col.classField] : null].filter(Boolean).join(" ") || undefined;
    const shown = row[col.show || col.field];
    const text = shown === null || shown === undefined || shown === "" ? "–" : shown;
    if (col.kind === "link" && row[col.href]) {
      const a = h("a", {href: cleanUrl(row[col.href]), onClick: follow}, text);
      return i === 0 ? h("th", {key: i, scope: "row", className: cls}, a) : h("td", {key: i, className: cls}, a);
    }
    return i === 0 ? h("th", {key: i, scope: "row", className: cls}, text) : h("td", {key: i, className: cls}, text);
  }

  function SortTable(props) {
    // rows null: not read yet (a callback brings them): the frame keeps its full height, busy
    const loading = props.rows === null || props.rows === undefined;
    const columns = props.columns || [], rows = props.rows || [], lang = props.lang || "vi";
    const start = props.sort || {};
    const [sort, setSort] = React.useState({field: start.field || null, dir: start.dir || null});
    const [query, setQuery] = React.useState("");
    const collator = React.useMemo(function () {
      return new Intl.Collator(lang === "en" ? "en" : "vi", {numeric: true, sensitivity: "base"});
    }, [lang]);
    const searched = React.useMemo(function () {  // each row's searched text, folded once
      const fields = props.searchFields || [columns.length ? (columns[0].show || columns[0].field) : null];
      return rows.map(function (row) { return folded(fields.map(function (f) { return row[f]; }).join(" ")); });
    }, [rows, columns, props.searchFields]);
    const shown = React.useMemo(function () {
      const q = folded(query).trim();
      const kept = q ? rows.filter(function (_, i) { return searched[i].indexOf(q) >= 0; }) : rows;
      return sorted(kept, sort.field, sort.dir, collator);
    }, [rows, searched, query, sort, collator]);

    function sortBy(col) {  // ascending, descending, then the server's order (as the data grid did)
      const field = col.sortBy || col.field;
      setSort(sort.field !== field ? {field: field, dir: "asc"}
        : sort.dir === "asc" ? {field: field, dir: "desc"} : {field: null, dir: null});
    }

    const words = props.words || {};
    const head = h("thead", null, h("tr", null, columns.map(function (col, i) {
      const field = col.sortBy || col.field;
      const dir = sort.field === field ? sort.dir : null;
      return h("th", {key: i, scope: "col", className: [col.headClassName, col.kind === "number" ? "num" : null]
        .filter(Boolean).join(" ") || undefined,
        "aria-sort": dir === "asc" ? "ascending" : dir === "desc" ? "descending" : "none"},
        h("button", {type: "button", className: "sort-head", onClick: function () { sortBy(col); },
          title: words.sort || undefined},
          h("span", null, col.header),
          h("span", {className: "sort-mark", "aria-hidden": "true"}, dir === "asc" ? "▲" : dir === "desc" ? "▼" : "↕")));
    })));
    const body = h("tbody", null, shown.map(function (row, r) {
      return h("tr", {key: row[props.rowKey || "code"] !== undefined ? row[props.rowKey || "code"] : r,
        className: props.rowClassField ? row[props.rowClassField] || undefined : undefined},
        columns.map(function (col, i) { return cell(col, row, i); }));
    }));
    const count = (words.count || "{n}/{total}").replace("{n}", shown.length).replace("{total}", rows.length);
    const search = props.searchLabel ? h("div", {className: "sort-table-tools"},
      h("label", {htmlFor: props.id + "-search", className: "control-label"}, props.searchLabel),
      h("input", {id: props.id + "-search", type: "search", className: "text-input", value: query,
        placeholder: words.placeholder || undefined, autoComplete: "off",
        onChange: function (e) { setQuery(e.target.value); }}),
      h("span", {className: "sort-table-count", role: "status"}, count)) : null;
    const table = h("table", {className: "sort-table-table"},
      props.caption ? h("caption", {className: "visually-hidden"}, props.caption) : null, head, body);
    return h("div", {id: props.id, className: ("sort-table " + (props.className || "")).trim(),
      "data-rows": shown.length, "aria-busy": loading ? "true" : undefined},
      search,
      h("div", {className: "sort-table-scroll", tabIndex: 0, role: "region", "aria-label": props.caption || undefined,
        style: props.height ? (loading ? {height: props.height + "px"} : {maxHeight: props.height + "px"}) : undefined},
        table),
      shown.length || loading ? null : h("p", {className: "sort-table-empty"}, words.empty || ""));
  }

  window.occ_table = {SortTable: SortTable, sorted: sorted, folded: folded};
})();
