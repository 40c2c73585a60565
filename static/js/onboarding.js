// The onboarding picker: "Continue" looks ready once enough titles are ticked.
// The count itself is a CSS counter, and the server checks the picks either way: without
// this file the page only loses the hint.
(function () {
  "use strict";

  const form = document.querySelector("[data-onboarding]");
  if (!form) return;

  const minimum = Number(form.dataset.minPicks) || 1;

  function update() {
    const picked = form.querySelectorAll("input[name=titles]:checked").length;
    form.dataset.enough = picked >= minimum ? "yes" : "no";
  }

  form.addEventListener("change", update);
  // Live search replaces the results: count again once they are in.
  document.body.addEventListener("htmx:afterSettle", update);
  update();
})();
