// quality_scene: click the photos that really show their scene category.
(function () {
  "use strict";
  const buttons = () => Array.from(document.querySelectorAll(".choice[data-id]"));
  window.OpenSurfaces.task = {
    results() {
      const out = {};
      buttons().forEach((b) => { out[b.dataset.id] = b.getAttribute("aria-pressed") === "true"; });
      return out;
    },
    ready() { return null; },
    restore(partial) {
      buttons().forEach((b) => {
        if (partial[b.dataset.id]) b.setAttribute("aria-pressed", "true");
      });
    },
  };
  document.addEventListener("click", (event) => {
    const button = event.target.closest(".choice[data-id]");
    if (!button || window.OpenSurfaces.config.preview) return;
    const pressed = button.getAttribute("aria-pressed") !== "true";
    button.setAttribute("aria-pressed", String(pressed));
    window.OpenSurfaces.record(pressed ? "select" : "unselect", button.dataset.id);
  });
})();
