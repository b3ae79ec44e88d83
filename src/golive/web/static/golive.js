/* golive: small enhancements of server-rendered pages; no dependencies, nothing needed to read
   them. Loaded as a file (the CSP forbids inline scripts).

   Uptime bars (<ol data-bars="ID-OF-DETAIL">): the list becomes one tab stop; Left/Right,
   Home/End move between days, and hovering or moving shows that day's figure in the element
   named by data-bars (an aria-live region), so keyboard and screen-reader users get what the
   mouse tooltip says. */
(function () {
  "use strict";

  function bars(list) {
    var items = Array.prototype.slice.call(list.children);
    var detail = document.getElementById(list.getAttribute("data-bars"));
    if (!items.length || !detail) {
      return;
    }
    var current = items.length - 1;
    list.tabIndex = 0;

    function show(index) {
      items[current].classList.remove("is-current");
      current = Math.max(0, Math.min(items.length - 1, index));
      items[current].classList.add("is-current");
      detail.textContent = items[current].textContent.trim();
    }

    function clear() {
      items[current].classList.remove("is-current");
      detail.textContent = "";
    }

    list.addEventListener("focus", function () { show(current); });
    list.addEventListener("blur", clear);
    list.addEventListener("mouseleave", function () {
      if (document.activeElement !== list) {
        clear();
      }
    });
    items.forEach(function (item, index) {
      item.addEventListener("mouseenter", function () { show(index); });
    });
    list.addEventListener("keydown", function (event) {
      var moves = { ArrowLeft: current - 1, ArrowRight: current + 1, Home: 0, End: items.length - 1 };
      if (Object.prototype.hasOwnProperty.call(moves, event.key)) {
        event.preventDefault();
        show(moves[event.key]);
      }
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-bars]"), bars);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
