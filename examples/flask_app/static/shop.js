// The shop's own script: a visit beacon and the "change your cookie choice" button.
(function () {
  "use strict";

  // Our own visit counter. consentkit holds sendBeacon calls back in the browser until
  // analytics is granted, and the server answers /collect with 204 until then as well.
  function countVisit() {
    if (navigator.sendBeacon) {
      navigator.sendBeacon("/collect", JSON.stringify({ page: location.pathname }));
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    countVisit();
    var button = document.getElementById("change-consent");
    if (button) {
      button.addEventListener("click", function () {
        if (window.consentkit) { window.consentkit.show(); }
      });
    }
  });
})();
