/* Small behaviours for the pages, kept out of the templates (no inline script: a CSP is coming).
   Delegated from the document, so content swapped in by htmx works too. */
(function () {
  "use strict";

  // A button marked data-print prints the page (the print stylesheet takes care of the layout).
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (target) {
      event.preventDefault();
      window.print();
    }
  });
})();
