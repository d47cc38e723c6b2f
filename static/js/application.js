// The error summary takes the focus when the page opens with errors, so a keyboard or screen-reader user
// starts from the list of what to correct (each item links to its field).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
});
