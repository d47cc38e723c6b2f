// The program officer's pages, progressively enhanced: everything works without this file.
(function () {
  "use strict";
  // A step of the call builder came back with errors: move focus to the summary so it is read first.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
  // The expert pool filter applies as soon as a choice changes (the button stays for keyboards and no-JS).
  document.querySelectorAll("form.pool-filter select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
