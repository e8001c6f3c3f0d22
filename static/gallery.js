// The photo gallery's full view (views/gallery.templ): a thumbnail opens its
// photo in a dialog; ← and → step through every photo of the gallery (the
// buyer's, then the merchant's), + and − (or a click on the photo) zoom,
// Escape closes. Events are delegated from the document, so a gallery that
// htmx swaps in works without this file running again. Without script (or
// without <dialog>) a thumbnail is a plain link to the image.
(function () {
  "use strict";

  var state = null; // { dialog, links, index, zoom }

  function $(root, sel) { return root.querySelector(sel); }

  function show(i) {
    var s = state, n = s.links.length;
    s.index = (i + n) % n;
    var link = s.links[s.index];
    var img = $(s.dialog, "[data-lightbox-img]");
    img.src = link.getAttribute("href");
    img.alt = $(link, "img").alt;
    $(s.dialog, "[data-lightbox-open]").setAttribute("href", link.getAttribute("href"));
    $(s.dialog, "[data-lightbox-count]").textContent = (s.index + 1) + " / " + n;
    var caption = $(s.dialog, "[data-lightbox-caption]");
    var facts = link.closest("figure").querySelector("figcaption");
    caption.replaceChildren();
    if (facts) caption.appendChild(facts.cloneNode(true));
    zoom(1);
  }

  // zoom sets the scale, 1 to 4: 1 fits the photo to the stage; above it the
  // photo is that many times wider and the stage scrolls (classes zoom-2 to
  // zoom-4 in app.css: the CSP allows no inline style).
  function zoom(level) {
    var s = state;
    s.zoom = Math.max(1, Math.min(4, level));
    var stage = $(s.dialog, "[data-lightbox-stage]");
    for (var z = 2; z <= 4; z++) stage.classList.toggle("zoom-" + z, s.zoom === z);
    $(s.dialog, "[data-lightbox-zoom]").setAttribute("aria-pressed", s.zoom > 1 ? "true" : "false");
  }

  // closed cleans up once the dialog has closed (by Escape or a button) and
  // gives the focus back to the thumbnail of the photo last shown.
  function closed() {
    if (!state) return;
    var opener = state.links[state.index];
    $(state.dialog, "[data-lightbox-img]").removeAttribute("src");
    state = null;
    if (opener) opener.focus();
  }

  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (!(t instanceof Element)) return;
    if (state) {
      if (t.closest("[data-lightbox-prev]")) { show(state.index - 1); return; }
      if (t.closest("[data-lightbox-next]")) { show(state.index + 1); return; }
      if (t.closest("[data-lightbox-close]")) { state.dialog.close(); return; }
      if (t.closest("[data-lightbox-zoom]") || t.closest("[data-lightbox-img]")) {
        zoom(state.zoom > 1 ? 1 : 2);
        return;
      }
    }
    var link = t.closest("[data-gallery] a.photo-thumb");
    if (!link || ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
    var gallery = link.closest("[data-gallery]");
    var dialog = $(gallery, "dialog[data-lightbox]");
    if (!dialog || typeof dialog.showModal !== "function") return;
    ev.preventDefault();
    var links = Array.prototype.slice.call(gallery.querySelectorAll("a.photo-thumb"));
    state = { dialog: dialog, links: links, index: 0, zoom: 1 };
    show(links.indexOf(link));
    if (!dialog.hasAttribute("data-listening")) {
      dialog.setAttribute("data-listening", "");
      dialog.addEventListener("close", closed);
    }
    dialog.showModal();
  });

  document.addEventListener("keydown", function (ev) {
    if (!state || !state.dialog.open) return;
    switch (ev.key) {
      case "ArrowLeft": show(state.index - 1); break;
      case "ArrowRight": show(state.index + 1); break;
      case "+": case "=": zoom(state.zoom + 1); break;
      case "-": case "_": zoom(state.zoom - 1); break;
      case "0": zoom(1); break;
      default: return; // Escape closes the dialog by itself
    }
    ev.preventDefault();
  });
})();
