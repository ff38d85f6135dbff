/* The briefing basket, kept in this browser (localStorage), and the clientside callbacks of the
   export menu (components/export_menu.py) and the briefing page (dashboards/briefing.py).
   Basket: {"version": 1, "title": "...", "items": [{"spec": {...}, "title": "..."}, ...]}. */
window.dash_clientside = window.dash_clientside || {};

(function () {
  const KEY = "occ-briefing-basket";  // components/export_menu.py BASKET_KEY
  const MAX_ITEMS = 30;               // exports/packs.py MAX_CHARTS

  function load() {
    try {
      const b = JSON.parse(window.localStorage.getItem(KEY) || "null");
      if (b && Array.isArray(b.items)) { return {version: 1, title: b.title || "", items: b.items}; }
    } catch (e) { /* a damaged basket starts afresh */ }
    return {version: 1, title: "", items: []};
  }

  function save(basket) {
    try { window.localStorage.setItem(KEY, JSON.stringify(basket)); } catch (e) { /* private mode: memory only */ }
    return basket;
  }

  function sameSpec(a, b) { return canonical(a) === canonical(b); }

  function canonical(value) {
    if (Array.isArray(value)) { return "[" + value.map(canonical).join(",") + "]"; }
    if (value && typeof value === "object") {
      return "{" + Object.keys(value).sort().map(function (k) { return JSON.stringify(k) + ":" + canonical(value[k]); })
        .join(",") + "}";
    }
    return JSON.stringify(value);
  }

  /* Add items; returns how many were new. */
  function addItems(items) {
    const basket = load();
    let added = 0;
    items.forEach(function (item) {
      if (!item || !item.spec || basket.items.length >= MAX_ITEMS) { return; }
      if (basket.items.some(function (x) { return sameSpec(x.spec, item.spec); })) { return; }
      basket.items.push({spec: item.spec, title: item.title || ""});
      added += 1;
    });
    save(basket);
    return {added: added, n: basket.items.length};
  }

  function fill(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (m, k) { return k in values ? values[k] : m; });
  }

  /* Close an open export menu when clicking elsewhere or pressing Escape. */
  function closeMenus(except) {
    document.querySelectorAll("details.export-details[open]").forEach(function (d) {
      if (d !== except) { d.removeAttribute("open"); }
    });
  }
  document.addEventListener("click", function (e) {
    const inside = e.target.closest && e.target.closest("details.export-details");
    closeMenus(inside);
  });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") { closeMenus(null); } });

  /* Sending the pack form: say the file is being prepared (the download arrives in a few seconds). */
  document.addEventListener("submit", function (e) {
    const form = e.target;
    if (!form || form.id !== "brief-form") { return; }
    const status = form.querySelector(".brief-status");
    if (!status) { return; }
    status.textContent = form.getAttribute("data-preparing") || "";
    window.clearTimeout(status._occTimer);
    status._occTimer = window.setTimeout(function () { status.textContent = ""; }, 8000);
  });

  window.occBasket = {load: load, save: save, add: addItems, key: KEY};

  window.dash_clientside.occexport = {
    add: function (n, item) {
      if (!n || !item) { return window.dash_clientside.no_update; }
      const r = addItems([item]);
      return fill(r.added ? item.words.added : item.words.already, {n: r.n});
    },
    takePage: function (n, items, words) {
      if (!n) { return window.dash_clientside.no_update; }
      const r = addItems(items || []);
      return fill(words.took, {added: r.added, n: r.n});
    },
    /* The briefing page: read the basket when the page renders. */
    loadBasket: function (config) {
      const basket = load();
      return [basket, basket.title || (config && config.default_title) || ""];
    },
    /* Reorder, remove, clear: the triggering button says what to do. */
    edit: function (ups, downs, removes, clear) {
      const ctx = window.dash_clientside.callback_context;
      const trigger = ctx && ctx.triggered_id;
      const fired = ctx && ctx.triggered && ctx.triggered.length && ctx.triggered[0].value;
      if (!trigger || !fired) { return window.dash_clientside.no_update; }
      const b = load();
      const items = b.items.slice();
      if (typeof trigger === "string") {
        items.length = 0;  // "remove all"
      } else {
        const i = trigger.index;
        if (i < 0 || i >= items.length) { return window.dash_clientside.no_update; }
        if (trigger.type === "brief-remove") { items.splice(i, 1); }
        if (trigger.type === "brief-up" && i > 0) { items.splice(i - 1, 0, items.splice(i, 1)[0]); }
        if (trigger.type === "brief-down" && i < items.length - 1) { items.splice(i + 1, 0, items.splice(i, 1)[0]); }
      }
      b.items = items;
      return save(b);
    },
    saveTitle: function (title) {
      const b = load();
      b.title = title || "";
      save(b);
      return window.dash_clientside.no_update;
    }
  };
})();
