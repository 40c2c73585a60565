// Rows of cards for the keyboard: one card of each row is in the Tab order (its link and
// its actions); arrow keys move between the cards of a row (Left/Right, Home/End) and
// between rows (Up/Down). Without this script every card is simply in the Tab order.
(function () {
  "use strict";

  var FOCUSABLE = "a[href], button, summary, input, select, textarea, [tabindex]";

  function cardsOf(track) {
    return Array.prototype.filter.call(track.children, function (el) {
      return el.classList.contains("card");
    });
  }

  function setActive(track, active) {
    cardsOf(track).forEach(function (card) {
      var on = card === active;
      card.querySelectorAll(FOCUSABLE).forEach(function (el) {
        if (el.closest(".card") !== card) return;
        if (!el.hasAttribute("data-tabindex")) {
          el.setAttribute("data-tabindex", el.getAttribute("tabindex") || "");
        }
        var own = el.getAttribute("data-tabindex");
        if (on) {
          if (own === "") el.removeAttribute("tabindex");
          else el.setAttribute("tabindex", own);
        } else {
          el.setAttribute("tabindex", "-1");
        }
      });
      if (!on) {
        var open = card.querySelector("details[open]");
        if (open) open.open = false;
      }
    });
  }

  function init(root) {
    var tracks = root.classList && root.classList.contains("row-track")
      ? [root]
      : root.querySelectorAll(".row-track");
    tracks.forEach(function (track) {
      var cards = cardsOf(track);
      if (!cards.length) return;
      var active = cards.filter(function (c) { return c.hasAttribute("data-active"); })[0] || cards[0];
      cards.forEach(function (c) { c.removeAttribute("data-active"); });
      active.setAttribute("data-active", "");
      setActive(track, active);
    });
  }

  function focusCard(card) {
    var track = card.parentElement;
    cardsOf(track).forEach(function (c) { c.removeAttribute("data-active"); });
    card.setAttribute("data-active", "");
    setActive(track, card);
    var link = card.querySelector(".card-link");
    if (link) {
      link.focus();
      link.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  }

  function rowCards(section) {
    var track = section && section.querySelector(".row-track");
    return track ? cardsOf(track) : [];
  }

  function neighbourRow(section, step) {
    var rows = Array.prototype.slice.call(document.querySelectorAll(".row"));
    var at = rows.indexOf(section) + step;
    while (at >= 0 && at < rows.length) {
      if (rowCards(rows[at]).length) return rows[at];
      at += step;
    }
    return null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var target = event.target;
    // Radios, text fields and open panels keep their own arrow keys.
    if (!target.closest || target.matches("input, textarea, select")) return;
    if (target.closest(".card-more-panel")) return;
    var card = target.closest(".row-track > .card");
    if (!card) return;
    var cards = cardsOf(card.parentElement);
    var at = cards.indexOf(card);
    var next = null;
    switch (event.key) {
      case "ArrowRight": next = cards[at + 1]; break;
      case "ArrowLeft": next = cards[at - 1]; break;
      case "Home": next = cards[0]; break;
      case "End": next = cards[cards.length - 1]; break;
      case "ArrowDown":
      case "ArrowUp": {
        var row = neighbourRow(card.closest(".row"), event.key === "ArrowDown" ? 1 : -1);
        if (row) {
          var there = rowCards(row);
          next = there.filter(function (c) { return c.hasAttribute("data-active"); })[0] || there[0];
        }
        break;
      }
      default: return;
    }
    event.preventDefault();
    if (next) focusCard(next);
  });

  // A card clicked or tabbed into becomes its row's active card.
  document.addEventListener("focusin", function (event) {
    var card = event.target.closest && event.target.closest(".row-track > .card");
    if (card && !card.hasAttribute("data-active")) {
      cardsOf(card.parentElement).forEach(function (c) { c.removeAttribute("data-active"); });
      card.setAttribute("data-active", "");
      setActive(card.parentElement, card);
    }
  });

  // After a click (a rating, My List, Not interested, a struck reason) the server answers
  // `signals-changed`, and any loaded row may have changed. Rows on screen fetch
  // themselves again at once, the others when they next come into view: a page of ten
  // rows asks for the two or three in sight, not for all ten.
  var inView = "IntersectionObserver" in window
    ? new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (!entry.isIntersecting) return;
          inView.unobserve(entry.target);
          if (entry.target.isConnected) htmx.trigger(entry.target, "row-refresh");
        });
      }, { rootMargin: "100px 0px" })
    : null;

  document.addEventListener("signals-changed", function () {
    document.querySelectorAll(".row[data-refresh]").forEach(function (row) {
      if (inView) inView.observe(row);
      else htmx.trigger(row, "row-refresh");
    });
  });

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  // Rows arrive lazily and cards are swapped in place (Undo, My List): set them up again.
  document.addEventListener("htmx:load", function (event) {
    var el = event.detail && event.detail.elt;
    if (!el || !el.closest) return;
    var track = el.closest(".row-track") || (el.querySelector && el.querySelector(".row-track") ? el : null);
    if (track) init(track.classList.contains("row-track") ? track.parentElement || track : track);
  });
})();
