// The scoring page's running weighted total and pass status, computed as the server counts them
// (reviews.services.aggregation.weighted_total): Σ(score / maximum × weight) / Σ(weight of scored criteria) × 100,
// N/A and empty criteria left out, rounded half up to two decimals. Exact arithmetic (BigInt fractions of
// hundredths), so the preview never differs from the figure on the confirmation page by a rounding step.
(function () {
  "use strict";
  function hundredths(text) {            // "8.5" -> 850n; null when not a number with at most two decimals
    var m = /^\s*(\d+)(?:[.,](\d{0,2}))?\s*$/.exec(text || "");
    if (!m) { return null; }
    return BigInt(m[1]) * 100n + BigInt(((m[2] || "") + "00").slice(0, 2));
  }
  function format(value) {               // 8212n -> "82.12"
    var s = value.toString().padStart(3, "0");
    return s.slice(0, -2) + "." + s.slice(-2);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-scoring]");
    if (!root) { return; }
    var box = root.querySelector("[data-running-total]");
    var rows = Array.prototype.slice.call(root.querySelectorAll("[data-criterion]"));
    var veto = document.getElementById("id_veto");
    function update() {
      var num = 0n, den = 1n, weights = 0n, failing = [], missing = 0, withMarks = 0;
      rows.forEach(function (row) {
        var id = row.getAttribute("data-criterion");
        var input = row.querySelector('input[name="score_' + id + '"]');
        var na = row.querySelector('input[name="na_' + id + '"]');
        var status = row.querySelector(".criterion-status");
        var name = row.querySelector(".criterion-name").textContent.trim();
        var v = na && na.checked ? null : hundredths(input.value);
        var max = hundredths(row.getAttribute("data-max")), w = hundredths(row.getAttribute("data-weight"));
        var markText = row.getAttribute("data-pass-mark"), mark = markText === null ? null : hundredths(markText);
        status.textContent = "";
        status.className = "criterion-status";
        if (v === null || max === null || v > max) { if (!(na && na.checked)) { missing += 1; } return; }
        // v/m*w with everything in hundredths = V*W / (M*100): add to num/den
        var n = v * w, d = max * 100n;
        num = num * d + n * den; den = den * d;
        weights += w;
        if (mark !== null) {
          withMarks += 1;
          var passed = v >= mark;
          status.textContent = passed ? root.getAttribute("data-reached") : root.getAttribute("data-not-reached");
          status.className = "criterion-status " + (passed ? "pass" : "fail");
          if (!passed) { failing.push(name); }
        }
      });
      box.hidden = false;
      var total = box.querySelector("[data-total]");
      if (weights === 0n) { total.textContent = "—"; } else {
        var a = num * 1000000n, b = den * weights;   // total×100 = num/den / (ΣW/100) × 100 × 100
        total.textContent = format((2n * a + b) / (2n * b));
      }
      var passes = box.querySelector("[data-passes]");
      passes.textContent = !withMarks ? "" : (failing.length ? passes.getAttribute("data-some-text") + " " + failing.join("、")
        : passes.getAttribute("data-all-text"));
      passes.className = failing.length ? "verdict fail" : "verdict pass";
      var left = box.querySelector("[data-missing]");
      left.textContent = missing ? missing + " " + left.getAttribute("data-missing-text") : "";
      box.querySelector("[data-veto-flag]").hidden = !(veto && veto.checked);
    }
    root.closest("form").addEventListener("input", update);
    root.closest("form").addEventListener("change", update);
    update();
  });
})();
