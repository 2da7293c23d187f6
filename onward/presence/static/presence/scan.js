// The scan page: a keyboard-wedge scanner types the code and Enter into the field (no
// script needed). Where the browser has BarcodeDetector (Chromium on Android), a button
// reads a card's QR code with the phone's camera and submits the same form.
(function () {
  "use strict";
  var button = document.getElementById("camera-start");
  var video = document.getElementById("camera");
  var field = document.getElementById("id_token");
  if (!button || !video || !field) return;
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) {
    button.hidden = true;
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" } })
      .then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        button.hidden = true;
        return video.play().then(function () {
          var tick = function () {
            detector
              .detect(video)
              .then(function (codes) {
                if (codes.length) {
                  stream.getTracks().forEach(function (t) { t.stop(); });
                  field.value = codes[0].rawValue;
                  field.form.submit();
                } else {
                  window.setTimeout(tick, 250);
                }
              })
              .catch(function () { window.setTimeout(tick, 500); });
          };
          tick();
        });
      })
      .catch(function () {
        button.hidden = true;
        field.focus();
      });
  });
})();
