/* pocflow: small enhancements over pages that work without JavaScript.
   - The phone menu and the account menu (<details>) close with Escape or a click elsewhere.
   - After htmx replaces a list's results, the results region is announced (it is a live region). */
(function () {
  "use strict";
  function closeMenus(except) {
    document.querySelectorAll("details.menu-toggle[open], details.account-menu[open]").forEach(function (d) {
      if (d !== except) { d.removeAttribute("open"); }
    });
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = document.querySelector("details.menu-toggle[open], details.account-menu[open]");
    if (open) {
      open.removeAttribute("open");
      var summary = open.querySelector("summary");
      if (summary) { summary.focus(); }
    }
  });
  document.addEventListener("click", function (event) {
    var inside = event.target.closest ? event.target.closest("details.menu-toggle, details.account-menu") : null;
    closeMenus(inside);
  });
})();
