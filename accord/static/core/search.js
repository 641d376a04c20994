// The header's search box: a combobox whose suggestions (a listbox of grouped options) come
// from htmx. The focus stays in the box; ArrowDown/ArrowUp move the active option
// (aria-activedescendant), Home/End jump to the first/last, Enter opens the active option
// (or, with none active, submits the form to the search page), Escape closes the list
// (and a second Escape empties the box).
(function () {
  "use strict";

  function setup(form) {
    const input = form.querySelector("[data-search-input]");
    const listbox = input && document.getElementById(input.getAttribute("aria-controls"));
    const status = form.querySelector("[data-search-status]");
    if (!listbox) return;

    function options() {
      return Array.from(listbox.querySelectorAll('[role="option"]:not([aria-disabled="true"])'));
    }

    function active() {
      return listbox.querySelector('[role="option"][aria-selected="true"]');
    }

    function activate(option) {
      listbox.querySelectorAll('[role="option"]').forEach(function (each) {
        const on = each === option;
        each.setAttribute("aria-selected", on ? "true" : "false");
        each.classList.toggle("active", on);
      });
      if (option) {
        input.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function isOpen() {
      return !listbox.hidden;
    }

    function open() {
      if (!listbox.querySelector('[role="option"]')) return;
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      activate(null);
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }

    function move(step) {
      const list = options();
      if (!list.length) return;
      const index = list.indexOf(active());
      let next;
      if (step === "first") next = 0;
      else if (step === "last") next = list.length - 1;
      else if (index === -1) next = step > 0 ? 0 : list.length - 1;
      else next = (index + step + list.length) % list.length;
      activate(list[next]);
    }

    input.addEventListener("keydown", function (event) {
      if (event.isComposing) return; // typing Vietnamese, Thai or Chinese with an input method
      switch (event.key) {
        case "ArrowDown":
        case "ArrowUp":
          if (!isOpen()) {
            open();
            if (!isOpen()) return;
          }
          event.preventDefault();
          move(event.key === "ArrowDown" ? 1 : -1);
          break;
        case "Home":
        case "End":
          if (!isOpen() || !active()) return; // otherwise the caret moves in the text
          event.preventDefault();
          move(event.key === "Home" ? "first" : "last");
          break;
        case "Enter": {
          const option = isOpen() ? active() : null;
          if (option && option.href) {
            event.preventDefault();
            close();
            window.location.assign(option.href);
          }
          break; // no active option: the form opens the search page
        }
        case "Escape":
          if (isOpen()) {
            event.preventDefault();
            close();
          } else if (input.value) {
            event.preventDefault();
            input.value = "";
            listbox.innerHTML = "";
          }
          break;
        default:
          break;
      }
    });

    // New suggestions: open the list (or close it when there are none), nothing active yet.
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target !== listbox) return;
      activate(null);
      if (listbox.querySelector('[role="option"]')) open();
      else close();
      const summary = listbox.querySelector("[data-search-summary]");
      if (status) status.textContent = summary ? summary.textContent : "";
    });

    input.addEventListener("focus", open);
    listbox.addEventListener("mousemove", function (event) {
      const option = event.target.closest('[role="option"]:not([aria-disabled="true"])');
      if (option && option !== active()) activate(option);
    });
    listbox.addEventListener("mousedown", function (event) {
      event.preventDefault(); // keep the focus in the box while a click opens an option
    });
    document.addEventListener("click", function (event) {
      if (!form.contains(event.target)) close();
    });
    form.addEventListener("focusout", function (event) {
      if (event.relatedTarget && !form.contains(event.relatedTarget)) close();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-global-search]").forEach(setup);
  });
})();
