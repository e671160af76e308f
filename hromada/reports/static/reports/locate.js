/* "Use my location" on the incident report form: fills the coordinates from the phone's
   GPS, only when the person presses the button. Nothing is sent until they submit. */
(function () {
  "use strict";
  var button = document.querySelector("button.locate");
  if (!button || !("geolocation" in navigator)) return;
  var status = document.querySelector(".locate-status");
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = "…";
    navigator.geolocation.getCurrentPosition(function (position) {
      document.querySelector(button.dataset.lat).value = position.coords.latitude.toFixed(6);
      document.querySelector(button.dataset.lon).value = position.coords.longitude.toFixed(6);
      status.textContent = "±" + Math.round(position.coords.accuracy) + " m";
    }, function (error) {
      status.textContent = error.message;
    }, { enableHighAccuracy: true, timeout: 15000 });
  });
})();
