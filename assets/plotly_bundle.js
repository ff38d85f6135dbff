/* The charts' plotly.js, loaded only by pages that draw a chart.

   Dash's graph component loads plotly.js from window._dashPlotlyJSURL the first time a page draws
   a chart; Dash's renderer sets that address to the full bundle (4.8 MB). The page's
   <meta name="occ-plotly"> names the product's basic bundle instead (assets/vendor: scatter and
   bar, all the boards draw; fingerprinted, so cached for a year: web/delivery.py), and this file
   keeps that address whatever the renderer sets. */
(function () {
  const meta = document.querySelector('meta[name="occ-plotly"]');
  if (!meta || !meta.content) { return; }
  const url = meta.content;
  Object.defineProperty(window, "_dashPlotlyJSURL", {
    configurable: true,
    get: function () { return url; },
    set: function () { /* the renderer's default address is not used */ }
  });
})();
