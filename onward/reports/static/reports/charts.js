/* The reports' charts, drawn with the vendored Chart.js from the numbers embedded in the
   page (the same numbers as the table under each chart). Readable without colour: each
   series has its own fill pattern (solid, stripes, dots, grid…) and line dash and point
   shape, and every bar or last point carries its number as a direct label. A hidden
   (suppressed) bar is not dropped: its slot is hatched across the whole axis, since its
   size is not known, and labelled with the mark of a hidden cell. */
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

  function isHidden(ds, k) { return (ds.hiddenAt || []).indexOf(k) >= 0; }

  function hatch() {
    var c = document.createElement("canvas"), s = 8, g = c.getContext("2d");
    c.width = s; c.height = s;
    g.strokeStyle = "#8a8a8a"; g.lineWidth = 1;
    g.beginPath(); g.moveTo(0, s); g.lineTo(s, 0); g.moveTo(-2, 2); g.lineTo(2, -2);
    g.moveTo(s - 2, s + 2); g.lineTo(s + 2, s - 2); g.stroke();
    return g.createPattern(c, "repeat");
  }

  // A hidden bar: its slot hatched from one end of the value axis to the other.
  var hiddenBars = {
    id: "hiddenBars",
    afterDatasetsDraw: function (chart) {
      var g = chart.ctx, area = chart.chartArea, fill = hatch();
      var horizontal = chart.options.indexAxis === "y";
      g.save();
      chart.data.datasets.forEach(function (ds, i) {
        var meta = chart.getDatasetMeta(i);
        if (meta.hidden || !ds.hiddenAt || !ds.hiddenAt.length) { return; }
        ds.hiddenAt.forEach(function (k) {
          var el = meta.data[k];
          if (!el) { return; }
          var x, y, w, h;
          if (horizontal) {
            x = area.left; w = area.right - area.left; h = Math.max(el.height, 6); y = el.y - h / 2;
          } else {
            y = area.top; h = area.bottom - area.top; w = Math.max(el.width, 6); x = el.x - w / 2;
          }
          g.fillStyle = fill; g.fillRect(x, y, w, h);
          g.setLineDash([3, 2]); g.strokeStyle = "#555"; g.lineWidth = 1;
          g.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1); g.setLineDash([]);
        });
      });
      g.restore();
    }
  };

  // Direct labels: the number at the end of each bar, and at the last point of a line; a
  // hidden bar carries the mark of a hidden cell.
  var directLabels = {
    id: "directLabels",
    afterDatasetsDraw: function (chart, args, opts) {
      var g = chart.ctx, stacked = chart.config.options.scales.x.stacked;
      g.save(); g.font = "11px sans-serif"; g.fillStyle = "#222";
      chart.data.datasets.forEach(function (ds, i) {
        var meta = chart.getDatasetMeta(i);
        if (meta.hidden) { return; }
        meta.data.forEach(function (el, k) {
          var v = ds.data[k];
          if (isHidden(ds, k)) {
            var label = (opts.mark || "x") + " hidden", p0 = el.tooltipPosition();
            g.font = "bold 11px sans-serif"; g.textBaseline = "middle";
            var tw = g.measureText(label).width + 6;
            if (chart.options.indexAxis === "y") {
              var rtlH = chart.options.scales.x.reverse;
              var x0 = rtlH ? chart.chartArea.right - 2 - tw : chart.chartArea.left + 2;
              g.fillStyle = "#fff"; g.fillRect(x0, p0.y - 7, tw, 14);
              g.fillStyle = "#222"; g.textAlign = "left"; g.fillText(label, x0 + 3, p0.y);
            } else {
              var yb = chart.chartArea.bottom - 10;
              g.fillStyle = "#fff"; g.fillRect(p0.x - tw / 2, yb - 7, tw, 14);
              g.fillStyle = "#222"; g.textAlign = "center"; g.fillText(label, p0.x, yb);
            }
            g.font = "11px sans-serif";
            return;
          }
          if (v === null || v === undefined || v === 0) { return; }
          if (chart.config.type === "line" && k !== ds.data.length - 1) { return; }
          var text = Array.isArray(v) ? (v[0] === v[1] ? String(v[0]) : v[0] + "–" + v[1]) : String(v);
          var p = el.tooltipPosition();
          if (chart.options.indexAxis === "y") {
            // At the bar's end: right of it, or left of it in a mirrored (RTL) chart.
            var rtlBar = chart.options.scales.x.reverse;
            g.textAlign = rtlBar ? "right" : "left"; g.textBaseline = "middle";
            g.fillText(text, el.x + (rtlBar ? -4 : 4), p.y);
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
                 borderDash: DASH[i % DASH.length], borderWidth: 1.5, hiddenAt: s.hidden || [] };
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
    // Right-to-left pages mirror the chart: categories (or values) run from the right,
    // the value axis stands on the right, the legend reads right to left.
    var rtl = document.documentElement.dir === "rtl";
    new Chart(canvas, {
      type: type === "line" ? "line" : "bar",
      data: { labels: data.labels, datasets: datasets },
      plugins: [hiddenBars, directLabels],
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        indexAxis: horizontal ? "y" : "x",
        layout: { padding: { top: 16, right: horizontal && !rtl ? 40 : 8, left: horizontal && rtl ? 40 : 8 } },
        plugins: { directLabels: { mark: data.mark },
                   legend: { display: datasets.length > 1, rtl: rtl, labels: { usePointStyle: type === "line", boxWidth: 28 } },
                   tooltip: { enabled: true, rtl: rtl, callbacks: { label: function (item) {
                     var hidden = isHidden(item.dataset, item.dataIndex);
                     return (item.dataset.label || "") + ": " + (hidden ? data.mark + " (hidden)" : item.formattedValue);
                   } } } },
        // Counts of persons: whole-number ticks (an axis of hidden bars alone runs 0 to 1).
        scales: { x: { stacked: type === "stacked", beginAtZero: true, reverse: rtl, ticks: { precision: 0 } },
                  y: { stacked: type === "stacked", beginAtZero: true, position: rtl ? "right" : "left", ticks: { precision: 0 } } }
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
