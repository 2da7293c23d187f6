/* The reports' charts, drawn with the vendored Chart.js from the numbers embedded in the
   page (the same numbers as the table under each chart). Readable without colour: each
   series has its own fill pattern (solid, stripes, dots, grid…) and line dash and point
   shape, and every bar or last point carries its number as a direct label. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var INK = ["#1f4e79", "#c55a11", "#4d7f2a", "#7f6000", "#7030a0", "#404040"];
  var DASH = [[], [6, 3], [2, 2], [10, 3, 2, 3], [1, 3], [8, 6]];
  var POINTS = ["circle", "rect", "triangle", "rectRot", "cross", "star"];

  function pattern(i) {
    var c = document.createElement("canvas"), s = 8;
    c.width = s; c.height = s;
    var g = c.getContext("2d");
    g.fillStyle = "#fff"; g.fillRect(0, 0, s, s);
    g.fillStyle = INK[i % INK.length]; g.strokeStyle = INK[i % INK.length]; g.lineWidth = 2;
    switch (i % 6) {
      case 0: g.fillRect(0, 0, s, s); break;
      case 1: g.beginPath(); g.moveTo(0, s); g.lineTo(s, 0); g.stroke(); break;
      case 2: g.beginPath(); g.arc(4, 4, 2, 0, 7); g.fill(); break;
      case 3: g.strokeRect(0, 0, s, s); break;
      case 4: g.fillRect(0, 0, s, 3); break;
      default: g.fillRect(0, 0, 3, s);
    }
    return g.createPattern(c, "repeat");
  }

  // Direct labels: the number at the end of each bar, and at the last point of a line.
  var directLabels = {
    id: "directLabels",
    afterDatasetsDraw: function (chart) {
      var g = chart.ctx, stacked = chart.config.options.scales.x.stacked;
      g.save(); g.font = "11px sans-serif"; g.fillStyle = "#222";
      chart.data.datasets.forEach(function (ds, i) {
        var meta = chart.getDatasetMeta(i);
        if (meta.hidden) { return; }
        meta.data.forEach(function (el, k) {
          var v = ds.data[k];
          if (v === null || v === undefined || v === 0) { return; }
          if (chart.config.type === "line" && k !== ds.data.length - 1) { return; }
          var text = Array.isArray(v) ? (v[0] === v[1] ? String(v[0]) : v[0] + "–" + v[1]) : String(v);
          var p = el.tooltipPosition();
          if (chart.options.indexAxis === "y") {
            g.textAlign = "left"; g.textBaseline = "middle"; g.fillText(text, el.x + 4, p.y);
          } else if (stacked) {
            if (el.height > 14) {
              var y = el.y + el.height / 2, w = g.measureText(text).width + 6;
              g.fillStyle = "#fff"; g.fillRect(p.x - w / 2, y - 7, w, 14);
              g.fillStyle = "#222"; g.textAlign = "center"; g.textBaseline = "middle";
              g.fillText(text, p.x, y);
            }
          } else {
            g.textAlign = "center"; g.textBaseline = "bottom"; g.fillText(text, p.x, el.y - 2);
          }
        });
      });
      g.restore();
    }
  };

  function draw(data) {
    var canvas = document.getElementById("chart-" + data.key);
    if (!canvas) { return; }
    var type = data.type, horizontal = type === "hbar";
    var datasets = data.series.map(function (s, i) {
      var ds = { label: s.label, data: s.data, borderColor: INK[i % INK.length],
                 borderDash: DASH[i % DASH.length], borderWidth: 1.5 };
      if (type === "line") {
        ds.pointStyle = POINTS[i % POINTS.length]; ds.pointRadius = 3.5; ds.fill = false;
        ds.backgroundColor = INK[i % INK.length]; ds.tension = 0;
      } else {
        ds.backgroundColor = pattern(i);
      }
      return ds;
    });
    if (data.key === "pledge_use" && datasets.length > 1) {
      datasets[0].backgroundColor = "rgba(0,0,0,0)"; datasets[0].borderDash = [4, 3];
      datasets[0].borderColor = "#333"; datasets[0].grouped = true;
    }
    var n = data.labels.length;
    if (horizontal) {
      canvas.parentNode.style.height = Math.max(160, 26 * n * Math.max(1, datasets.length) + 60) + "px";
    }
    new Chart(canvas, {
      type: type === "line" ? "line" : "bar",
      data: { labels: data.labels, datasets: datasets },
      plugins: [directLabels],
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        indexAxis: horizontal ? "y" : "x",
        layout: { padding: { top: 16, right: horizontal ? 40 : 8 } },
        plugins: { legend: { display: datasets.length > 1, labels: { usePointStyle: type === "line", boxWidth: 28 } },
                   tooltip: { enabled: true } },
        scales: { x: { stacked: type === "stacked", beginAtZero: true },
                  y: { stacked: type === "stacked", beginAtZero: true } }
      }
    });
  }

  document.querySelectorAll("script[type='application/json']").forEach(function (node) {
    try {
      var data = JSON.parse(node.textContent);
      if (data && data.key && data.series) { draw(data); }
    } catch (e) { /* a figure without a chart still has its table */ }
  });
}());
