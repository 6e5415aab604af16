// Viewable sponsor placements: when at least half of one is on screen for a second, tell the server once
// (POST /s/v with the impression's token, as text). Never required: without JavaScript nothing is lost but
// this one figure. Placements are the elements with data-sponsor-click (their click URL), or their links.
(function () {
  "use strict";
  if (!("IntersectionObserver" in window) || !navigator.sendBeacon) { return; }
  var SHOWN_FOR = 1000;
  var timers = new WeakMap();

  function tokenOf(url) {
    var match = /\/s\/c\/([^/?#]+)/.exec(url || "");
    return match ? match[1] : null;
  }

  function report(element, observer) {
    observer.unobserve(element);
    navigator.sendBeacon("/s/v", element.getAttribute("data-sponsor-token"));
  }

  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      var element = entry.target;
      if (entry.intersectionRatio >= 0.5) {
        if (!timers.has(element)) {
          timers.set(element, window.setTimeout(function () { report(element, observer); }, SHOWN_FOR));
        }
      } else if (timers.has(element)) {
        window.clearTimeout(timers.get(element));
        timers.delete(element);
      }
    });
  }, { threshold: [0, 0.5, 1] });

  function watch() {
    var seen = [];
    document.querySelectorAll("[data-sponsor-click], a[href*='/s/c/']").forEach(function (node) {
      var box = node.closest("[data-sponsor-click]") || node;
      var token = tokenOf(box.getAttribute("data-sponsor-click") || node.getAttribute("href"));
      if (!token || seen.indexOf(box) !== -1) { return; }
      seen.push(box);
      box.setAttribute("data-sponsor-token", token);
      observer.observe(box);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watch);
  } else {
    watch();
  }
})();
