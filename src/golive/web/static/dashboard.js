/* golive dashboard: loaded as a file (the CSP forbids inline scripts).

   [data-refresh=URL][data-every=MS]: every MS milliseconds (while the tab is visible and focus
   is not inside it) fetch URL, a server-rendered fragment, and put it in place of the element's
   content. Without JavaScript the page still works; it just does not refresh itself.

   [data-latency=URL]: a uPlot chart of the JSON at URL ({"t": [unix s], "avg": [ms],
   "max": [ms]}); needs vendor/uPlot.iife.min.js loaded before this file. */
(function () {
  "use strict";

  function refresh(element) {
    var url = element.getAttribute("data-refresh");
    var every = parseInt(element.getAttribute("data-every"), 10) || 10000;
    function tick() {
      if (document.hidden || element.contains(document.activeElement)) {
        return;
      }
      fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok || response.redirected) {
            throw new Error("refresh failed: " + response.status);
          }
          return response.text();
        })
        .then(function (html) {
          var template = document.createElement("template");
          template.innerHTML = html;
          element.replaceChildren(template.content);
        })
        .catch(function () { /* keep what is shown; try again next time */ });
    }
    window.setInterval(tick, every);
  }

  function chart(element) {
    if (typeof window.uPlot !== "function") {
      return;
    }
    fetch(element.getAttribute("data-latency"), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (!data.t.length) {
          element.textContent = "No runs in the last 24 hours.";
          return;
        }
        element.textContent = "";
        var width = Math.max(300, element.clientWidth || 600);
        new window.uPlot({
          width: width,
          height: 240,
          series: [
            {},
            { label: "average (ms)", stroke: "#0969da", width: 2 },
            { label: "maximum (ms)", stroke: "#cf222e", width: 1, dash: [4, 4] }
          ],
          axes: [{}, { label: "ms" }]
        }, [data.t, data.avg, data.max], element);
      })
      .catch(function () { element.textContent = "The chart could not be loaded."; });
  }

  document.querySelectorAll("[data-refresh]").forEach(refresh);
  document.querySelectorAll("[data-latency]").forEach(chart);
}());
