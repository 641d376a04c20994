// The dashboard's pictures: the world map of partners and the bar charts.
// The figures and their labels (already in the reader's language) come from the
// #dashboard-charts JSON the page carries; every picture has a table with the same numbers.
(function () {
  "use strict";

  const COLOURS = {
    primary: "rgba(13, 110, 253, 0.75)",
    incoming: "rgba(25, 135, 84, 0.75)",
    outgoing: "rgba(13, 110, 253, 0.75)",
    remaining: "rgba(173, 181, 189, 0.6)",
  };

  function locale() {
    return document.documentElement.lang || "en";
  }

  function baseOptions(extra) {
    return Object.assign(
      {
        locale: locale(),
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
      },
      extra || {}
    );
  }

  function bar(canvas, labels, datasets, options) {
    if (!canvas || !labels.length) return null;
    return new window.Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: baseOptions(options),
    });
  }

  function drawSigned(data) {
    bar(document.getElementById("chart-signed"), data.labels, [
      { label: data.label, data: data.values, backgroundColor: COLOURS.primary },
    ], {
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    });
  }

  function drawMobility(data) {
    bar(document.getElementById("chart-mobility"), data.labels, [
      { label: data.incomingLabel, data: data.incoming, backgroundColor: COLOURS.incoming },
      { label: data.outgoingLabel, data: data.outgoing, backgroundColor: COLOURS.outgoing },
    ], {
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    });
  }

  function drawQuotas(data) {
    bar(document.getElementById("chart-quotas"), data.labels, [
      { label: data.usedLabel, data: data.used, backgroundColor: COLOURS.primary },
      { label: data.remainingLabel, data: data.remaining, backgroundColor: COLOURS.remaining },
    ], {
      indexAxis: "y",
      scales: { x: { stacked: true, beginAtZero: true }, y: { stacked: true } },
    });
  }

  function drawMap(data) {
    const canvas = document.getElementById("partner-map");
    if (!canvas || !window.ChartGeo) return;
    fetch(canvas.dataset.atlas, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("world atlas: " + response.status);
        return response.json();
      })
      .then(function (atlas) {
        // Antarctica (010) takes room and has no partners.
        const countries = window.ChartGeo.topojson
          .feature(atlas, atlas.objects.countries)
          .features.filter(function (f) { return f.id !== "010"; });
        const name = function (f) { return data.names[f.id] || f.properties.name; };
        new window.Chart(canvas, {
          type: "choropleth",
          data: {
            labels: countries.map(name),
            datasets: [{
              label: data.label,
              outline: countries,
              data: countries.map(function (f) {
                return { feature: f, value: data.partners[f.id] || 0 };
              }),
            }],
          },
          options: baseOptions({
            showOutline: true,
            plugins: {
              legend: { display: false },
              tooltip: {
                callbacks: {
                  label: function (item) {
                    const id = item.raw.feature.id;
                    const agreements = data.agreements[id] || 0;
                    return name(item.raw.feature) + ": " + item.raw.value + " · " + data.agreementsLabel + ": " + agreements;
                  },
                },
              },
            },
            scales: {
              projection: { axis: "x", projection: "equalEarth" },
              color: {
                axis: "x",
                interpolate: "blues",
                missing: "#f0f0f0",
                legend: { position: "bottom-left", align: "right" },
                ticks: { precision: 0 },
              },
            },
          }),
        });
      })
      .catch(function (error) {
        canvas.insertAdjacentText("afterend", String(error));
      });
  }

  function draw() {
    const source = document.getElementById("dashboard-charts");
    if (!source || !window.Chart) return;
    const charts = JSON.parse(source.textContent);
    drawSigned(charts.signed);
    drawMobility(charts.mobility);
    drawQuotas(charts.quotas);
    drawMap(charts.map);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
