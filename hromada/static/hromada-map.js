/* Maps: every element with class "map" and data-geojson (a URL) becomes a Leaflet map of
   that GeoJSON. Tiles only when the server is configured with TILE_URL (data-tiles);
   otherwise the points and areas stand on a plain background, with no outside request.
   Feature properties used: name, url (a link in the popup), colour. */
(function () {
  "use strict";
  function popup(props) {
    var box = document.createElement("div");
    var title = document.createElement(props.url ? "a" : "strong");
    title.textContent = props.name || "";
    if (props.url) title.href = props.url;
    box.appendChild(title);
    if (props.detail) {
      var detail = document.createElement("div");
      detail.textContent = props.detail;
      box.appendChild(detail);
    }
    return box;
  }
  function draw(el) {
    var map = L.map(el, { scrollWheelZoom: false });
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "", maxZoom: 18 }).addTo(map);
    }
    map.setView([parseFloat(el.dataset.lat || "50.31"), parseFloat(el.dataset.lon || "34.90")], 12);
    fetch(el.dataset.geojson, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          style: function (f) { return { color: (f.properties && f.properties.colour) || "#005bbb", weight: 2 }; },
          pointToLayer: function (f, latlng) {
            return L.circleMarker(latlng, {
              radius: 8, weight: 2, color: "#fff", fillOpacity: 0.9,
              fillColor: (f.properties && f.properties.colour) || "#005bbb"
            });
          },
          onEachFeature: function (f, l) { l.bindPopup(popup(f.properties || {})); }
        }).addTo(map);
        if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 15 });
      });
  }
  document.querySelectorAll(".map[data-geojson]").forEach(draw);
})();
