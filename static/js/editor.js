/* The budget editor's autosave (htmx), made safe for fast typing on a slow network.
 *
 * - One save at a time: the form's saves queue (hx-sync), each sending the grid as it is then.
 * - A response never replaces what the user has typed since the request left: such an input
 *   keeps its value, and its twin keeps what the server has stored, so the next save sends it.
 * - Enter moves down the column, as in a spreadsheet; Tab follows the reading order, and focus
 *   stays where the user is after a save (htmx keeps focus on an element with the same id).
 * Without JavaScript the form posts the whole grid with its Spara button.
 */
(function () {
  "use strict";

  function editorForm(elt) {
    return elt && elt.closest ? elt.closest("form[data-budget-editor]") : null;
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var form = editorForm(event.detail.elt);
    if (!form) return;
    var sent = {};
    form.querySelectorAll("input.amount").forEach(function (input) {
      sent[input.name] = input.value;
    });
    form.dataset.sent = JSON.stringify(sent);
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = editorForm(event.detail.requestConfig && event.detail.requestConfig.elt);
    if (!form) return;
    // A conflict or a refused figure answers 400 with the editor and its messages: show it.
    if (event.detail.xhr && event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
    if (!form.dataset.sent || typeof event.detail.serverResponse !== "string") return;
    var sent = JSON.parse(form.dataset.sent);
    var touched = {};
    form.querySelectorAll("input.amount").forEach(function (input) {
      if (input.value !== sent[input.name]) touched[input.name] = input.value;
    });
    if (!Object.keys(touched).length) return;
    var doc = new DOMParser().parseFromString(event.detail.serverResponse, "text/html");
    Object.keys(touched).forEach(function (name) {
      var input = doc.querySelector('input.amount[name="' + CSS.escape(name) + '"]');
      if (input) {
        input.setAttribute("value", touched[name]);
        input.setAttribute("data-unsent", "");
      }
    });
    event.detail.serverResponse = doc.body.innerHTML;
  });

  // A typed value the swap kept has not been sent: send it when the user leaves the cell (the
  // new input saw no typing, so the browser would not say it changed), or at once if they left.
  document.addEventListener("htmx:afterSettle", function () {
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
})();
