/* The tables' grid (dash-ag-grid: 1.3 MB of script), loaded by the first page that shows a table.

   Dash links every component suite on every page, and running the grid's took a tenth of the first
   load of a board without a table. The page's <meta name="occ-grid"> names the suite's
   fingerprinted address instead (web/delivery.py takes its script tag out), and this file stands
   in for the grid's namespace until then: its AgGrid loads the suite once, shows nothing while it
   loads, then renders the real grid with every prop. The namespace stays this one afterwards
   (the suite's other exports copied in), so Dash always resolves the same component and a grid
   is never mounted twice. */
(function () {
  const meta = document.querySelector('meta[name="occ-grid"]');
  if (!meta || !meta.content || window.dash_ag_grid || !window.React) { return; }
  const React = window.React;
  const url = meta.content;
  const ns = {};
  let real = null;
  let loading = null;

  function load() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        const script = document.createElement("script");
        script.src = url;
        script.onload = function () {
          const loaded = window.dash_ag_grid;
          real = loaded.AgGrid;
          Object.keys(loaded).forEach(function (key) { if (key !== "AgGrid") { ns[key] = loaded[key]; } });
          window.dash_ag_grid = ns;
          resolve(real);
        };
        script.onerror = function () { loading = null; reject(new Error("grid script failed: " + url)); };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  const Lazy = React.lazy(function () { return load().then(function (grid) { return {default: grid}; }); });

  function AgGrid(props) {
    if (real) { return React.createElement(real, props); }
    return React.createElement(React.Suspense, {fallback: null}, React.createElement(Lazy, props));
  }
  AgGrid.dashRenderType = true;  // as the suite's: Dash tells the grid who changed its props
  ns.AgGrid = AgGrid;
  window.dash_ag_grid = ns;
})();
