/* The archive page's "Printable" button prints the page (print styles in archive.css); no inline script. */
(function () {
  'use strict';
  document.addEventListener('click', function (event) {
    var button = event.target.closest ? event.target.closest('[data-print]') : null;
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
})();
