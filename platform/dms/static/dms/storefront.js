// Storefront behaviours (dealer pages, phone first); no build step.
(function () {
  "use strict";
  function gcd(a, b) { while (b) { var t = b; b = a % b; a = t; } return a; }
  // The smallest quantity of a unit of `factor` base units, at least `atLeast`, meeting the SKU's minimum and
  // step in base units (the server's rule: ordering.templatetags.ordering_cart.first_valid_quantity).
  function fit(atLeast, factor, min, step) {
    var k = step ? step / gcd(factor, step) : 1;
    var q = Math.max(1, atLeast, Math.ceil(min / factor));
    return Math.ceil(q / k) * k;
  }
  // Add to cart: a change of unit converts the quantity (24 cans -> 1 case), never keeps the number; in a pack
  // unit the form says how many base units that is ("= 48 cans").
  function baseTotal(form) {
    var select = form.querySelector("select[name=unit]"), out = form.querySelector(".base-total");
    if (!select || !out) return;
    var factor = +select.options[select.selectedIndex].dataset.factor || 1;
    var qty = parseInt(form.querySelector("input[name=quantity]").value, 10) || 0;
    out.textContent = factor > 1 && qty > 0 ? "= " + qty * factor + " " + select.dataset.baseUnit : "";
  }
  document.addEventListener("change", function (e) {
    var select = e.target;
    if (!select.matches(".add-to-cart select[name=unit]")) return;
    var input = select.form.querySelector("input[name=quantity]");
    var min = +input.dataset.min || 1, step = +input.dataset.step || 1;
    var before = +select.dataset.factor || 1;
    var factor = +select.options[select.selectedIndex].dataset.factor || 1;
    var base = (parseInt(input.value, 10) || 0) * before;
    input.value = fit(Math.round(base / factor), factor, min, step);
    input.min = fit(1, factor, min, step);
    input.step = step / gcd(factor, step);
    select.dataset.factor = factor;
    baseTotal(select.form);
  });
  document.addEventListener("input", function (e) {
    if (e.target.matches(".add-to-cart input[name=quantity]")) baseTotal(e.target.form);
  });
  // Chips rows: the fade on a side shows only while there is more to scroll that way.
  function edges(row) {
    row.classList.add("edges-known");
    row.classList.toggle("more-left", row.scrollLeft > 2);
    row.classList.toggle("more-right", row.scrollLeft + row.clientWidth < row.scrollWidth - 2);
  }
  document.querySelectorAll(".chips-scroll, .ord-tabs").forEach(function (row) {
    var active = row.querySelector(".active");
    if (active && active.scrollIntoView) row.scrollLeft = active.offsetLeft - row.clientWidth / 3;
    edges(row);
    row.addEventListener("scroll", function () { edges(row); }, { passive: true });
  });
  window.addEventListener("resize", function () { document.querySelectorAll(".chips-scroll, .ord-tabs").forEach(edges); });
})();
