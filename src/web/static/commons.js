// The guideline-commons pages' one script, and an optional one: every page works without it.
// It shows the print buttons (which need window.print) that the pages leave hidden.
'use strict';
document.addEventListener('DOMContentLoaded', () => {
  for (const button of document.querySelectorAll('button.js-print')) {
    button.hidden = false;
    button.addEventListener('click', () => window.print());
  }
});
