/* A part of a board below the first screen, mounted when it comes near the screen (namespace
   "occ_defer", components/fast.py::deferred).

   A board's first screen is what its reader sees on opening it; a table or a row of charts far
   below costs the browser its whole draw (AG Grid 0.3-0.45 s, plotly.js 40-60 ms a chart) before
   the page settles. Wrapped in Deferred, such a part is held in the layout (its callbacks run and
   fill it as before) but its components are mounted only when it comes on the screen (on opening)
   or within `margin` of it (once the reader scrolls): scrolled to, reached by the keyboard (the holder is a tab stop that opens on focus),
   printed (beforeprint), or in a browser without IntersectionObserver. A part `within` a piece
   that is laid out but not shown yet (a wall's board before its turn) waits until that piece has
   the class `shown_class` too. Once shown it stays. */
(function () {
  const React = window.React;
  if (!React) { return; }
  const h = React.createElement;

  // Dash has no callback waiting or running: the page above the part has its final height (a board
  // filled by a callback is empty at first, which would put the part on the first screen).
  const QUEUES = ["requested", "prioritized", "blocked", "executing", "watched", "executed", "stored"];
  function dashIdle() {
    const state = window.store && window.store.getState && window.store.getState();
    const queues = (state && state.callbacks) || {};
    return QUEUES.every(function (q) { return !(queues[q] && queues[q].length); });
  }

  function Deferred(props) {
    // Shown through Dash's store (setProps), not a state of this element: Dash's renderer then
    // draws the children from the layout as it is now. Drawn from this element's own state, they
    // would be the layout as it was at this element's last render, before the callbacks that filled
    // them since.
    const shown = !!props.shown;
    const holder = React.useRef(null);
    const setProps = props.setProps;
    React.useEffect(function () {
      if (shown) { return undefined; }
      const margin = props.margin || 120;
      const show = function () { setProps({shown: true}); };
      if (!holder.current || !("IntersectionObserver" in window)) { show(); return undefined; }
      let frame = null;
      let near = false;  // the observer's last word
      // A part inside a piece that is laid out but not shown (a wall's board waiting for its turn:
      // `within` its piece, shown while that piece has the class `shown_class`) waits for it too.
      const piece = props.within && holder.current.closest(props.within);
      const pieceShown = function () { return !piece || piece.classList.contains(props.shown_class); };
      const check = function () {  // near the screen once the page is laid out
        if (!near || frame !== null || !dashIdle() || !pieceShown()) { return; }
        frame = window.requestAnimationFrame(function () {
          frame = null;
          // On opening, only what is on the screen; once the reader scrolls, `margin` ahead of it.
          const ahead = window.scrollY > 0 ? margin : 0;
          const box = holder.current && holder.current.getBoundingClientRect();
          if (box && box.top < window.innerHeight + ahead && box.bottom > -ahead) { show(); }
        });
      };
      const watch = new IntersectionObserver(function (entries) {
        near = entries[entries.length - 1].isIntersecting;
        check();
      }, {rootMargin: margin + "px 0px"});
      watch.observe(holder.current);
      const unsubscribe = window.store && window.store.subscribe ? window.store.subscribe(check) : function () {};
      const turns = piece ? new MutationObserver(check) : null;
      if (turns) { turns.observe(piece, {attributes: true, attributeFilter: ["class"]}); }
      window.addEventListener("beforeprint", show);
      window.addEventListener("scroll", check, {passive: true});
      return function () {
        watch.disconnect(); unsubscribe(); window.removeEventListener("beforeprint", show);
        window.removeEventListener("scroll", check);
        if (turns) { turns.disconnect(); }
        if (frame !== null) { window.cancelAnimationFrame(frame); }
      };
    }, [shown]);
    const attrs = {id: props.id, className: ("deferred " + (props.className || "")).trim(), ref: holder};
    // Shown: still focusable from script (tabIndex -1), so a focus that opened it stays here and
    // the next Tab moves into the part.
    if (shown) { attrs.tabIndex = -1; return h("div", attrs, props.children); }
    attrs.className += " deferred-pending";
    attrs.style = {minHeight: (props.min_height || 0) + "px"};
    attrs.tabIndex = 0;
    attrs.role = "region";  // a named place on the page, busy until drawn
    attrs["aria-busy"] = "true";
    attrs["aria-label"] = props.label || "";
    if (props.within) { attrs["data-within"] = props.within; }  // waits for its piece's turn, not a scroll
    attrs.onFocus = function () { setProps({shown: true}); };
    return h("div", attrs);
  }

  window.occ_defer = {Deferred: Deferred};
})();
