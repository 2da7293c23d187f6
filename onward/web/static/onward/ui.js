// Small behaviours for every page, kept in a file: the Content-Security-Policy allows no
// inline script or event-handler attribute.
(function () {
  "use strict";
  // <a data-back href="...">: go back to where the user came from; the href is the
  // fallback for a page opened directly.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-back]");
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
  // <select data-autosubmit>: choosing an option submits its form (a <noscript> button
  // does it without JavaScript).
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) {
      field.form.submit();
    }
  });
})();
