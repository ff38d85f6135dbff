/* One Dash component for a large static piece of a board (a tile grid, the compliance matrix, a
   wall board): its `tree` prop holds the piece's fast elements (components/fast.py: the JSON form
   {type, namespace, props} of html.* elements and dcc.Link), drawn here as plain React elements.

   Why: Dash wraps every component of a layout in its own store subscriber, and every store update
   (each callback makes several) runs all of them again, so a board's cost in the browser grew as
   components x callbacks (the compliance matrix alone: 835 components, a 1-1.7 s task).
   Drawn here the piece is one component; the DOM it makes is the one Dash made.

   Safe by construction: only the tags and attributes listed below are drawn (no event handler, no
   raw HTML, no script or frame); text is React text (escaped); an address goes through Dash's own
   clean_url (as dcc.Link's) and an image source must be a same-site path or an SVG data URI. */
(function () {
  const React = window.React;
  if (!React) { return; }
  const h = React.createElement;

  const TAGS = new Set(["a", "abbr", "b", "br", "caption", "code", "col", "colgroup", "dd", "del", "details",
    "div", "dl", "dt", "em", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "i", "img", "ins", "kbd", "li", "mark", "meter", "nav", "ol", "p", "progress", "s", "section", "small",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr",
    "u", "ul"]);
  const ATTRS = new Set(["className", "title", "alt", "scope", "colSpan", "rowSpan", "role", "tabIndex",
    "hidden", "lang", "dateTime", "style", "width", "height", "value", "max", "min", "open", "dir",
    "headers", "abbr"]);

  function cleanUrl(url) {
    const clean = window.dash_clientside && window.dash_clientside.clean_url;
    return clean ? clean(url) : (/^\s*javascript:/i.test(url) ? "about:blank" : url);
  }

  function safeSrc(src) {
    return typeof src === "string" && (/^\/(?!\/)/.test(src) || /^data:image\/svg\+xml[,;]/.test(src)) ? src : undefined;
  }

  // Dash's form of an id: a dict as JSON with its keys sorted (as dash-renderer's stringifyId).
  function idOf(id) {
    if (id === null || id === undefined) { return undefined; }
    if (typeof id !== "object") { return String(id); }
    return "{" + Object.keys(id).sort().map(function (k) {
      return JSON.stringify(k) + ":" + JSON.stringify(id[k]);
    }).join(",") + "}";
  }

  function attrs(props, key) {
    const out = {key: key};
    Object.keys(props).forEach(function (name) {
      if (ATTRS.has(name) || /^(aria|data)-[a-z-]+$/.test(name)) { out[name] = props[name]; }
    });
    if (props.id !== undefined) { out.id = idOf(props.id); }
    return out;
  }

  // dcc.Link's navigation: the same address, no reload (the pages router listens to this event).
  // Shared with the page's other drawn pieces (the provinces map: assets/map.js).
  function go(href) {
    window.history.pushState({}, "", href);
    window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    window.scrollTo(0, 0);
  }

  function follow(event) {
    if (event.metaKey || event.shiftKey || event.altKey || event.ctrlKey || event.button !== 0) { return; }
    event.preventDefault();
    go(event.currentTarget.getAttribute("href"));
  }

  function draw(node, key) {
    if (node === null || node === undefined || typeof node === "boolean") { return null; }
    if (typeof node === "string" || typeof node === "number") { return node; }
    if (Array.isArray(node)) { return node.map(draw); }
    const props = node.props || {};
    const kids = props.children === undefined ? undefined : draw(props.children);
    if (node.namespace === "dash_core_components" && node.type === "Link") {
      const a = attrs(props, key);
      a.href = cleanUrl(props.href);
      a.onClick = follow;
      return h("a", a, kids);
    }
    const tag = node.namespace === "dash_html_components" ? String(node.type).toLowerCase() : null;
    if (!tag || !TAGS.has(tag)) { return null; }
    const a = attrs(props, key);
    if (tag === "img") { a.src = safeSrc(props.src); }
    if (tag === "a") { a.href = cleanUrl(props.href); }
    return kids === undefined || tag === "img" || tag === "br" || tag === "hr" || tag === "col"
      ? h(tag, a) : h(tag, a, kids);
  }

  function Static(props) {
    const tree = props.tree;
    const shown = React.useMemo(function () { return draw(tree, 0); }, [tree]);
    return h(React.Fragment, null, shown);
  }

  // shared with the page's other drawn pieces (assets/map.js, assets/table.js)
  window.occ_static = {Static: Static, go: go, follow: follow, cleanUrl: cleanUrl};
})();
