// Search-as-you-type pickers (accord.core.widgets.PickerSelect): a <select data-picker="URL">
// rendered with only its chosen record(s) gets a search box before it; as the user types, the
// select is filled with the matching records the user may see (JSON from URL?q=…), the chosen
// ones kept. The select stays the native control that is submitted and read by screen readers;
// a status line says how many records match.
(function () {
  "use strict";

  let counter = 0;

  function setup(select) {
    if (select.dataset.pickerReady) return;
    select.dataset.pickerReady = "1";
    if (!select.id) select.id = "picker-" + ++counter;
    const input = document.createElement("input");
    input.type = "search";
    input.id = select.id + "_search";
    input.className = "form-control form-control-sm mb-1";
    input.autocomplete = "off";
    input.placeholder = select.dataset.pickerPlaceholder || "";
    input.setAttribute("aria-label", select.dataset.pickerLabel || input.placeholder);
    input.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(input, select);
    const status = document.createElement("div");
    status.className = "form-text";
    status.id = select.id + "_status";
    status.setAttribute("role", "status");
    select.insertAdjacentElement("afterend", status);

    let timer = null;
    let controller = null;

    async function search() {
      const query = input.value.trim();
      if (controller) controller.abort();
      controller = new AbortController();
      let data;
      try {
        const response = await fetch(select.dataset.picker + "?q=" + encodeURIComponent(query), {
          signal: controller.signal,
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        if (!response.ok) return;
        data = await response.json();
      } catch (error) {
        return; // aborted by a newer search, or offline: the select keeps what it has
      }
      const kept = new Set();
      Array.from(select.options).forEach(function (option) {
        if (option.value === "" || option.selected) kept.add(option.value);
        else option.remove();
      });
      data.results.forEach(function (result) {
        if (kept.has(String(result.id))) return;
        const label = result.detail ? result.label + " — " + result.detail : result.label;
        select.add(new Option(label, result.id));
      });
      status.textContent = data.message || "";
      select.dispatchEvent(new CustomEvent("picker:results", { bubbles: true }));
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    // The box is not a field of the form: its own change must not submit a filter form.
    input.addEventListener("change", function (event) {
      event.stopPropagation();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        clearTimeout(timer);
        search();
      } else if (event.key === "ArrowDown") {
        event.preventDefault();
        select.focus();
      }
    });
  }

  function setupAll(root) {
    (root || document).querySelectorAll("select[data-picker]").forEach(setup);
  }

  window.accordPickers = { setupAll: setupAll }; // rows added to a formset (static/accord/accord.js)

  document.addEventListener("DOMContentLoaded", function () {
    setupAll(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    setupAll(event.target);
  });
})();
