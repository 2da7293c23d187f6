/* The forecast chart: per curve its median as a line and its 10th-90th percentile as a
   band, from the numbers embedded in the page (the table below holds the same). Each
   curve has its own colour and dash, so curves read apart without colour. */
(function () {
  "use strict";
  var el = document.getElementById("forecast-data");
  var canvas = document.getElementById("forecast-chart");
  if (typeof Chart === "undefined" || !el || !canvas) { return; }
  var data = JSON.parse(el.textContent);
  var INK = ["#1f4e79", "#c55a11", "#4d7f2a", "#7f6000", "#7030a0"];
  var DASH = [[], [6, 3], [2, 2], [10, 3, 2, 3], [1, 3]];
  var sets = [];
  data.curves.forEach(function (c, i) {
    var ink = INK[i % INK.length];
    if (c.p10) {
      sets.push({label: c.label + " (10th)", data: c.p10, borderWidth: 0, pointRadius: 0,
                 fill: false, borderColor: ink, band: true});
      sets.push({label: c.label + " (90th)", data: c.p90, borderWidth: 0, pointRadius: 0,
                 fill: "-1", backgroundColor: ink + "33", borderColor: ink, band: true});
    }
    sets.push({label: c.label, data: c.median, borderColor: ink, backgroundColor: ink,
               borderDash: DASH[i % DASH.length], borderWidth: 2, pointRadius: 2, fill: false});
  });
  new Chart(canvas, {
    type: "line",
    data: {labels: data.labels, datasets: sets},
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      plugins: {legend: {labels: {filter: function (item, chart) {
        return !chart.datasets[item.datasetIndex].band; }}}},
      scales: {y: {beginAtZero: false, title: {display: true, text: "persons"}}}
    }
  });
})();
