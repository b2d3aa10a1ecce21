// Draws every [data-chart] element with Apache ECharts (vendored: static/vendor/echarts*), its option from the
// json_script of the same id. Without ECharts (not yet loaded, or a script blocked) the table stays the figure.
// A map chart names its map and geojson (data-map, data-map-url): the geojson is fetched once and registered
// (echarts.registerMap) before the first such chart is drawn. A click on a bar, slice or area follows its link
// from the json_script "<id>-links" (the drill-down the table's rows also link to).
(function () {
  var maps = {};

  function mapReady(name, url) {
    if (window.echarts.getMap(name)) return Promise.resolve();
    if (!maps[name]) {
      maps[name] = fetch(url, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (geojson) { window.echarts.registerMap(name, geojson); });
    }
    return maps[name];
  }

  function drawOne(element, source) {
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(JSON.parse(source.textContent));
    var links = document.getElementById(element.dataset.chart + "-links");
    if (links) {
      var urls = JSON.parse(links.textContent);
      chart.on("click", function (params) {
        var url = urls[params.name];
        if (url) window.location.assign(url);
      });
    }
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function draw(root) {
    if (!window.echarts) return;
    root.querySelectorAll("[data-chart]").forEach(function (element) {
      if (element.dataset.drawn) return;
      var source = document.getElementById(element.dataset.chart);
      if (!source) return;
      element.dataset.drawn = "1";
      if (element.dataset.map && element.dataset.mapUrl) {
        mapReady(element.dataset.map, element.dataset.mapUrl)
          .then(function () { drawOne(element, source); })
          .catch(function () { element.hidden = true; });  // no map: the table below is the figure
        return;
      }
      drawOne(element, source);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
