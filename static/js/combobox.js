/* The drug rows' product box: a WAI-ARIA 1.2 combobox (an input with a listbox popup).
   Typing two or more characters asks the server for the best matches (htmx, the input's
   hx-get on the custom "product-search" event); ArrowDown / ArrowUp move through them, Enter
   chooses, Escape closes. Choosing puts the product's pk in the row's hidden input and fires its
   "change", which refills the row's concentration (its hx-get) and the live preview (the form's
   trigger). Without this file the "Find" button lists the matches server-side.
   Delegated from the document (no inline script: the CSP forbids them). */
(function () {
  "use strict";

  var MIN_CHARACTERS = 2;

  function searchBox(element) {
    return element instanceof Element && element.matches("[data-product-search]") ? element : null;
  }

  function partsOf(element) {
    var box = element instanceof Element ? element.closest(".product-combobox") : null;
    var input = box ? box.querySelector("[data-product-search]") : null;
    if (!input) {
      return null;
    }
    return {
      input: input,
      hidden: document.getElementById(input.getAttribute("data-product-input")),
      listbox: document.getElementById(input.getAttribute("aria-controls")),
      status: box.querySelector("[data-product-status]")
    };
  }

  function choosable(parts) {
    return Array.prototype.slice.call(
      parts.listbox.querySelectorAll('[role="option"]:not([aria-disabled="true"])')
    );
  }

  function activeOption(parts) {
    var id = parts.input.getAttribute("aria-activedescendant");
    return id ? document.getElementById(id) : null;
  }

  function setActive(parts, option) {
    var current = activeOption(parts);
    if (current) {
      current.setAttribute("aria-selected", "false");
      current.classList.remove("active");
    }
    if (option) {
      option.setAttribute("aria-selected", "true");
      option.classList.add("active");
      parts.input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      parts.input.removeAttribute("aria-activedescendant");
    }
  }

  function open(parts) {
    if (parts.listbox.children.length) {
      parts.listbox.hidden = false;
      parts.input.setAttribute("aria-expanded", "true");
    }
  }

  function close(parts) {
    setActive(parts, null);
    parts.listbox.hidden = true;
    parts.input.setAttribute("aria-expanded", "false");
  }

  function choose(parts, option) {
    var label = option.getAttribute("data-label");
    parts.hidden.value = option.getAttribute("data-product");
    parts.input.value = label;
    parts.input.setAttribute("data-chosen", label);
    close(parts);
    parts.hidden.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function move(parts, step) {
    var options = choosable(parts);
    if (!options.length) {
      return;
    }
    open(parts);
    var index = options.indexOf(activeOption(parts));
    if (index < 0) {
      index = step > 0 ? 0 : options.length - 1;
    } else {
      index = (index + step + options.length) % options.length;
    }
    setActive(parts, options[index]);
  }

  document.addEventListener("input", function (event) {
    var input = searchBox(event.target);
    var parts = input && partsOf(input);
    if (!parts) {
      return;
    }
    if (parts.hidden.value && input.value !== input.getAttribute("data-chosen")) {
      parts.hidden.value = ""; // the text no longer names the chosen product
      input.setAttribute("data-chosen", "");
    }
    if (input.value.trim().length >= MIN_CHARACTERS) {
      window.htmx.trigger(input, "product-search");
    } else {
      parts.listbox.textContent = "";
      parts.status.textContent = "";
      close(parts);
    }
  });

  document.addEventListener("keydown", function (event) {
    var input = searchBox(event.target);
    var parts = input && partsOf(input);
    if (!parts) {
      return;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (event.altKey) {
        open(parts);
      } else {
        move(parts, event.key === "ArrowDown" ? 1 : -1);
      }
    } else if (event.key === "Enter") {
      // Never submits the form from here: Enter chooses the active option, or opens the list.
      event.preventDefault();
      var option = parts.listbox.hidden ? null : activeOption(parts);
      if (option) {
        choose(parts, option);
      } else {
        move(parts, 1);
      }
    } else if (event.key === "Escape") {
      if (!parts.listbox.hidden) {
        event.preventDefault();
        close(parts);
      }
    }
  });

  // A pointer chooses too; pressing on an option keeps the focus in the box.
  document.addEventListener("mousedown", function (event) {
    if (event.target instanceof Element && event.target.closest(".product-listbox")) {
      event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    var option =
      event.target instanceof Element ? event.target.closest('.product-listbox [role="option"]') : null;
    if (option && option.getAttribute("aria-disabled") !== "true") {
      choose(partsOf(option), option);
    }
  });

  document.addEventListener("focusout", function (event) {
    var input = searchBox(event.target);
    var parts = input && partsOf(input);
    if (parts) {
      close(parts);
    }
  });

  // The server's answer is in: open the list (if the box still wants one) and say how many.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!(target instanceof Element) || !target.matches(".product-listbox")) {
      return;
    }
    var parts = partsOf(target);
    var count = choosable(parts).length;
    setActive(parts, null);
    var wanted =
      document.activeElement === parts.input &&
      parts.input.value.trim().length >= MIN_CHARACTERS;
    if (wanted) {
      open(parts);
      parts.status.textContent = count
        ? count + (count === 1 ? " product" : " products") + " found; use the arrow keys to choose"
        : "No active product matches";
    } else {
      close(parts);
    }
  });
})();
