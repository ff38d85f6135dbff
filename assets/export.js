/* The briefing basket, kept in this browser (localStorage), and the clientside callbacks of the
   export menu (exports/menu.py) and the briefing page (dashboards/briefing.py).
   Basket: {"version": 1, "title": "...", "items": [{"spec": {...}, "title": "..."}, ...]}. */
window.dash_clientside = window.dash_clientside || {};

(function () {
  const KEY = "occ-briefing-basket";  // exports/menu.py BASKET_KEY
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

  /* Close an open export menu when clicking elsewhere or pressing Escape (the focus, when it was
     inside the menu, returns to the menu's button). It stays open after a download, for another. */
  function closeMenus(except) {
    document.querySelectorAll("details.export-details[open]").forEach(function (d) {
      if (d === except) { return; }
      const hadFocus = d.contains(document.activeElement);
      d.removeAttribute("open");
      if (hadFocus) { d.querySelector("summary").focus(); }
    });
  }
  document.addEventListener("click", function (e) {
    const inside = e.target.closest && e.target.closest("details.export-details");
    closeMenus(inside);
  });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") { closeMenus(null); } });

  /* Sending the pack form: the pack is made in the background (POST with "Prefer: respond-async",
     exports/jobs.py); the status line shows the server's words while it waits ("Đang xếp hàng
     (vị trí 2)…", then "Đang chuẩn bị tệp…") and the file downloads when it is ready. Without
     fetch the form is sent as before and the file comes back as the answer. */
  function say(status, text) { if (status) { status.textContent = text || ""; } }

  function follow(form, status, url) {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
      .then(function (r) {
        say(status, r.body.message);
        if (!r.ok || r.body.state === "failed") { form._occBusy = false; return; }
        if (r.body.state === "done") {
          form._occBusy = false;
          window.location.assign(r.body.file_url);
          window.clearTimeout(status._occTimer);
          status._occTimer = window.setTimeout(function () { say(status, ""); }, 8000);
          return;
        }
        window.setTimeout(function () { follow(form, status, r.body.status_url); }, 1000);
      })
      .catch(function () { form._occBusy = false; say(status, form.getAttribute("data-failed")); });
  }

  document.addEventListener("submit", function (e) {
    const form = e.target;
    if (!form || form.id !== "brief-form") { return; }
    const status = form.querySelector(".brief-status");
    if (!window.fetch || !window.FormData) {
      say(status, form.getAttribute("data-preparing"));
      return;  // the plain form post: the answer is the file
    }
    e.preventDefault();
    if (form._occBusy) { return; }
    form._occBusy = true;
    window.clearTimeout(status && status._occTimer);
    say(status, form.getAttribute("data-preparing"));
    const action = (e.submitter && e.submitter.formAction) || form.action;
    fetch(action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                   headers: {"Prefer": "respond-async", "Accept": "application/json"}})
      .then(function (r) { return r.json().then(function (body) { return {status: r.status, body: body}; }); })
      .then(function (r) {
        say(status, r.body.message);
        if (r.status !== 202) { form._occBusy = false; return; }  // 429 (queue full) or 400: the words say why
        follow(form, status, r.body.status_url);
      })
      .catch(function () { form._occBusy = false; say(status, form.getAttribute("data-failed")); });
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
