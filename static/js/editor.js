/* The budget editor's autosave (htmx), made safe for fast typing on a slow network.
 *
 * - Each edit is saved on its own: a save sends the cell the user left and any other cell that
 *   differs from what the server last stored (its hidden "o-" twin), nothing else; so a wrong
 *   cell is sent again with every save, keeps its message, and blocks no other. The comparison
 *   is of text: the server writes a cell and its twin the same way (finsam.money.input_value,
 *   grouped with no-break spaces, "6 072 000"), so an untouched cell is never sent.
 * - One save at a time: the form's saves queue (hx-sync).
 * - A response never replaces what the user has typed since the request left: such an input
 *   keeps its value, and its twin keeps what the server has stored, so the next save sends it.
 * - An answer holds only what the save changed (each changed row, the sums, the checks and the
 *   panels, swapped by id), when the page says which figures it shows; else the whole editor.
 * - Spara sends what is left to send through the same queue, so it never races a save.
 * - A save sends no cell the user is still typing in (a save waiting in the queue may leave
 *   while they type): half a figure is never stored; the cell is sent when they leave it.
 * - After a conflict a cell holds what is stored, twin and all, so no save sends the user's
 *   figure again until they choose it (its Behåll mitt värde button) or type it again.
 * - Enter moves down the column, as in a spreadsheet; Tab and Shift-Tab follow the reading
 *   order, and focus stays where the user is after a save: on the element with the same id,
 *   or failing that on the element at the same place among the editor's focusable elements.
 * Without JavaScript the form posts the whole grid with its Spara button.
 */
(function () {
  "use strict";

  var FOCUSABLE = "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]";

  function editorForm(elt) {
    return elt && elt.closest ? elt.closest("form[data-budget-editor]") : null;
  }

  function twinOf(input) {
    // Written right after its cell (budgets/budget_table.html); looked up only if moved.
    var next = input.nextElementSibling;
    if (next && next.name === "o-" + input.name) return next;
    return input.form.querySelector('input[name="o-' + CSS.escape(input.name) + '"]');
  }

  function isDirty(input) {
    var twin = twinOf(input);
    return !twin || input.value !== twin.value;
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var form = editorForm(event.detail.elt);
    if (!form) return;
    var trigger = event.detail.triggeringEvent && event.detail.triggeringEvent.target;
    var params = {};
    var sent = {};
    params.csrfmiddlewaretoken = form.querySelector("[name=csrfmiddlewaretoken]").value;
    // The figures the page shows: the server answers with only what the save changed in
    // them (replacing each changed row, sum and panel by id), or with the whole editor.
    var mark = form.querySelector("[name=figurer]");
    if (mark) params.figurer = mark.value;
    event.detail.headers["Finsam-Svar"] = "andringar";
    // A cell the user is still typing in is not sent by another cell's save (a save waiting
    // in the queue leaves while they type): it goes when they leave it, whole.
    var typing = document.activeElement;
    form.querySelectorAll("input.amount").forEach(function (input) {
      sent[input.name] = input.value;
      if (input === trigger || (isDirty(input) && input !== typing)) {
        params[input.name] = input.value;
        var twin = twinOf(input);
        if (twin) params[twin.name] = twin.value;
      } else if (isDirty(input)) {
        // Held back while typed: the answer must not replace it, however it stands then.
        delete sent[input.name];
      }
    });
    event.detail.parameters = params;
    form.dataset.sent = JSON.stringify(sent);
  });

  var focusPlace = null;
  var selection = null;

  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = editorForm(event.detail.requestConfig && event.detail.requestConfig.elt);
    if (!form) return;
    // A conflict or a refused figure answers 400 with the editor and its messages: show it.
    if (event.detail.xhr && event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
    // Focus on an element without an id (htmx keeps focus by id): remember its place.
    var editor = document.getElementById("budget-editor");
    var active = document.activeElement;
    focusPlace = null;
    // htmx restores a selection only when it does not start at 0: a cell Tab selected whole
    // would otherwise come back with the caret before its figure, and typing would prepend.
    selection = null;
    if (active && active.matches && active.matches("input.amount")) {
      selection = { name: active.name, start: active.selectionStart, end: active.selectionEnd };
    }
    if (editor && active && !active.id && editor.contains(active)) {
      focusPlace = Array.prototype.indexOf.call(editor.querySelectorAll(FOCUSABLE), active);
    }
    if (!form.dataset.sent || typeof event.detail.serverResponse !== "string") return;
    var sent = JSON.parse(form.dataset.sent);
    var touched = {};
    form.querySelectorAll("input.amount").forEach(function (input) {
      if (input.value !== sent[input.name]) touched[input.name] = input.value;
    });
    if (!Object.keys(touched).length) return;
    var doc = new DOMParser().parseFromString(event.detail.serverResponse, "text/html");
    // Rows of an answer with only the changes come inside <template>: look there too.
    var parts = [doc].concat(Array.prototype.map.call(doc.querySelectorAll("template"),
      function (template) { return template.content; }));
    Object.keys(touched).forEach(function (name) {
      var selector = 'input.amount[name="' + CSS.escape(name) + '"]';
      var input = null;
      parts.some(function (part) { input = part.querySelector(selector); return input; });
      if (input) {
        input.setAttribute("value", touched[name]);
        input.setAttribute("data-unsent", "");
      }
    });
    event.detail.serverResponse = doc.body.innerHTML;
  });

  // Right after the swap, in the same task as htmx's own focus handling: no keystroke can
  // come in between, so the place restored is the place the user left.
  document.addEventListener("htmx:afterSwap", function () {
    var lost = document.activeElement === document.body || !document.activeElement;
    if (selection && lost) {
      // A cell has no id: it is found again by its name, never by its place, which an answer
      // with a conflict's buttons shifts.
      var form = document.querySelector("form[data-budget-editor]");
      var cell = form && form.querySelector('input.amount[name="' + CSS.escape(selection.name) + '"]');
      if (cell) {
        cell.focus();
        focusPlace = null;
      }
    }
    if (focusPlace !== null && focusPlace >= 0) {
      var editor = document.getElementById("budget-editor");
      var again = editor && editor.querySelectorAll(FOCUSABLE)[focusPlace];
      if (again && (document.activeElement === document.body || !document.activeElement)) {
        again.focus();
      }
    }
    focusPlace = null;
    var active = document.activeElement;
    if (selection && active && active.name === selection.name && active.setSelectionRange) {
      active.setSelectionRange(selection.start, selection.end);
    }
    selection = null;
  });

  document.addEventListener("htmx:afterSettle", function () {
    // A typed value the swap kept has not been sent: send it when the user leaves the cell
    // (the new input saw no typing, so the browser would not say it changed), or at once.
    document.querySelectorAll("form[data-budget-editor] input.amount[data-unsent]").forEach(
      function (input) {
        input.removeAttribute("data-unsent");
        var send = function () {
          input.dispatchEvent(new Event("change", { bubbles: true }));
        };
        if (document.activeElement === input) {
          input.addEventListener("blur", send, { once: true });
          input.addEventListener("input", function () {
            input.removeEventListener("blur", send);
          }, { once: true });
        } else {
          send();
        }
      }
    );
  });

  // Spara: what is left to send goes through the queue, after the saves already under way.
  // Behåll mitt värde (after a conflict; budgets.forms.BudgetGridForm): the user's figure goes
  // back in its cell, which then differs from its twin (the colleague's), and is sent so.
  document.addEventListener("submit", function (event) {
    var form = editorForm(event.target);
    if (!form || !window.htmx) return;
    event.preventDefault();
    var keep = event.submitter;
    if (keep && keep.name === "behall") {
      var cell = form.querySelector('input.amount[name="' + CSS.escape(keep.value) + '"]');
      var mine = form.querySelector('input[name="mitt-' + CSS.escape(keep.value) + '"]');
      if (cell && mine) {
        cell.value = mine.value;
        cell.focus();
        cell.dispatchEvent(new Event("change", { bubbles: true }));  // the cell's own save
        return;
      }
    }
    htmx.trigger(form, "change");
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || !input.matches || !input.matches("input.amount")) return;
    var form = editorForm(input);
    if (!form) return;
    event.preventDefault();
    // a-<line>-<year>-<column>: the next line's cell in the same year and column.
    var column = input.name.replace(/^a-\d+-/, "").replace(/^mb-/, "");
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input.amount"));
    var below = inputs.slice(inputs.indexOf(input) + 1).find(function (other) {
      return other.name.replace(/^a-\d+-/, "").replace(/^mb-/, "") === column;
    });
    input.dispatchEvent(new Event("change", { bubbles: true }));
    if (below) {
      below.focus();
      below.select();  // typing replaces the figure, as in a spreadsheet
    }
  });

  // "Ny budgetrad" comes back to the editor at #rad-line-<id>: the browser scrolls to the new
  // row, and the user starts typing its first figure without hunting for the cell.
  function focusRowOfFragment() {
    if (!/^#rad-line-\d+$/.test(location.hash)) return;
    var row = document.getElementById(location.hash.slice(1));
    var cell = row && row.querySelector("input.amount");
    if (!cell) return;
    cell.focus();
    cell.select();  // typing replaces the figure, as after Enter
  }
  // The page says what happens without this script (figures recalculated on Spara); with it,
  // a cell is saved and the figures recalculated as the user leaves it.
  document.querySelectorAll("[data-js-text]").forEach(function (el) {
    el.textContent = el.getAttribute("data-js-text");
  });
  // After "load": the browser's own scroll to the fragment would take the focus away again.
  if (document.readyState === "complete") {
    focusRowOfFragment();
  } else {
    window.addEventListener("load", focusRowOfFragment);
  }
})();
