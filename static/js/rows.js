// Home rows load with hx-trigger="revealed", which htmx checks when the window scrolls or
// resizes. A row swapped in can bring the next placeholder into view with no scrolling
// at all (a short row, or a wheel already at the page's end): ask htmx to look again.
document.body.addEventListener("htmx:afterSettle", () => {
  window.dispatchEvent(new Event("scroll"));
});
