/* The skip link ("Bỏ qua, đến nội dung chính"): the focus moves to the main content without
   changing the URL (a hash in the URL would reach Dash's Location and the browser's history). */
(function () {
  document.addEventListener("click", function (e) {
    const link = e.target.closest && e.target.closest("a.skip-link");
    if (!link) { return; }
    const main = document.getElementById(link.getAttribute("href").slice(1));
    if (!main) { return; }
    e.preventDefault();
    main.focus({preventScroll: true});
    main.scrollIntoView({block: "start"});
  });
})();
