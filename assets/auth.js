/* When a Dash request is refused because the session ended (401) or the page may not be opened
   (403 of the page router), the server marks the answer with X-OCC-Reload; reloading the page
   then lets the server answer the page itself: the sign-in form, or the "access denied" page. */
(function () {
  if (!window.fetch || window.__occAuthFetch) { return; }
  const original = window.fetch.bind(window);
  window.__occAuthFetch = true;
  let reloading = false;
  window.fetch = function () {
    return original.apply(null, arguments).then(function (res) {
      if (!reloading && (res.status === 401 || res.status === 403) && res.headers.get("X-OCC-Reload") === "1") {
        reloading = true;
        window.location.reload();
      }
      return res;
    });
  };
})();
