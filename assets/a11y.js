/* Accessibility repairs of Dash 4.4's own components, applied to their DOM as React renders it
   (web/wire.py pins Dash to the version these were written for). Each one is what axe-core
   (tests/browser/test_a11y.py) found on the boards:

   - dcc.Dropdown puts a focusable input marked aria-hidden before its button and moves focus
     from it to the button: the button itself takes the Tab stop instead, and it is named by the
     control's visible <label> followed by its value (Dash names it by the value alone).
   - dcc.RadioItems, dcc.Checklist and the dropdown's open list render role="listbox" holding
     role="option" labels that wrap real inputs (interactive inside interactive, a listbox without
     a name): the inputs keep their native roles (radio, checkbox), inside a radiogroup / group
     named by the control's visible label; the dropdown's button says it opens a dialog (the
     popover that holds them).
   - dcc.DatePickerSingle puts aria-haspopup/aria-expanded/aria-controls on a plain <div> and an
     English aria-label on its input that hides the visible label: the input becomes the combobox
     that opens the calendar dialog, named by its <label>. The calendar (English words of Dash's,
     no locale to choose) is marked lang="en" and its unnamed year field named.
   - dcc.Upload's hidden file input has no name: it is named by the zone's visible text.

   Every repair only sets what differs, so the observer's own changes end in no further change. */
(function () {
  function setAttr(el, name, value) {
    if (value === null) {
      if (el.hasAttribute(name)) { el.removeAttribute(name); }
    } else if (el.getAttribute(name) !== value) {
      el.setAttribute(name, value);
    }
  }

  function labelOf(id) {
    if (!id) { return null; }
    const label = document.querySelector('label[for="' + CSS.escape(id) + '"]');
    if (label && !label.id) { label.id = id + "--label"; }
    return label;
  }

  function dropdowns(root) {
    root.querySelectorAll(".dash-dropdown-focus-target").forEach(function (proxy) {
      setAttr(proxy, "tabindex", "-1");
      const button = proxy.nextElementSibling;
      if (button && button.tagName === "BUTTON") { setAttr(button, "tabindex", button.disabled ? "-1" : "0"); }
    });
    root.querySelectorAll("button.dash-dropdown[id]").forEach(function (button) {
      const label = labelOf(button.id);
      if (!label) { return; }
      const ids = (button.getAttribute("aria-labelledby") || "").split(/\s+/).filter(function (x) {
        return x && x !== label.id;
      });
      setAttr(button, "aria-labelledby", [label.id].concat(ids).join(" "));
    });
  }

  function optionLists(root) {
    root.querySelectorAll(".dash-options-list").forEach(function (list) {
      const control = list.closest(".control");
      const label = control && control.querySelector(".control-label");
      const name = label ? label.textContent.trim() : "";
      const radios = !!list.querySelector('input[type="radio"]');
      setAttr(list, "role", name ? (radios ? "radiogroup" : "group") : "none");
      setAttr(list, "aria-label", name || null);
      list.querySelectorAll('[role="option"]').forEach(function (option) {
        setAttr(option, "role", null);
        setAttr(option, "aria-selected", null);
      });
      const popup = list.closest('[role="dialog"]');
      if (popup && name) { setAttr(popup, "aria-label", name); }
    });
    root.querySelectorAll('button.dash-dropdown[aria-haspopup="listbox"]').forEach(function (button) {
      setAttr(button, "aria-haspopup", "dialog");  // what opens is a dialog holding the options' inputs
    });
  }

  function datePickers(root) {
    root.querySelectorAll(".dash-datepicker-input-wrapper").forEach(function (wrapper) {
      const input = wrapper.querySelector("input.dash-datepicker-input");
      const open = wrapper.getAttribute("data-state") === "open";
      ["aria-haspopup", "aria-expanded", "aria-labelledby", "aria-disabled", "type"].forEach(function (name) {
        setAttr(wrapper, name, null);
      });
      if (!input) { return; }
      setAttr(input, "role", "combobox");
      setAttr(input, "aria-haspopup", "dialog");
      setAttr(input, "aria-expanded", open ? "true" : "false");
      setAttr(input, "aria-controls", wrapper.getAttribute("aria-controls"));
      if (labelOf(input.id)) { setAttr(input, "aria-label", null); }
    });
    // A clearable picker's "clear" is a link without an address: a button to assistive technology
    // and to the keyboard (Enter and Space press it: see clearKeys)
    root.querySelectorAll("a.dash-datepicker-clear").forEach(function (clear) {
      setAttr(clear, "role", "button");
      setAttr(clear, "tabindex", "0");
    });
    // The calendar's own words are Dash's English ("Previous month", "January"): said so, and its
    // year field, which has none, named in the same language.
    root.querySelectorAll(".dash-datepicker-content").forEach(function (calendar) {
      setAttr(calendar, "lang", "en");
      calendar.querySelectorAll('input[type="number"]').forEach(function (year) {
        if (!year.getAttribute("aria-label")) { setAttr(year, "aria-label", "Year"); }
      });
    });
  }

  function uploads(root) {
    root.querySelectorAll('input[type="file"]').forEach(function (input) {
      const text = input.parentElement && input.parentElement.querySelector(".upload-text[id]");
      if (text) { setAttr(input, "aria-labelledby", text.id); }
    });
  }

  function repair() {
    dropdowns(document);
    optionLists(document);
    datePickers(document);
    uploads(document);
  }

  function clearKeys(event) {
    const clear = event.target.closest && event.target.closest("a.dash-datepicker-clear");
    if (clear && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      clear.click();
    }
  }

  function start() {
    repair();
    document.addEventListener("keydown", clearKeys);
    new MutationObserver(repair).observe(document.body, {
      subtree: true, childList: true, attributes: true,
      attributeFilter: ["tabindex", "aria-labelledby", "aria-expanded", "aria-controls", "aria-label", "aria-haspopup", "role", "data-state"],
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
