// The sales pages' filter bar is a <details data-open-wide>: folded on a phone, opened on a wider screen.
(function () {
  if (!window.matchMedia || !window.matchMedia("(min-width: 720px)").matches) return;
  document.querySelectorAll("details[data-open-wide]").forEach(function (details) { details.open = true; });
})();
