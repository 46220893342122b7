/* The advisor's one small script. Everything works without it; it only makes pages quicker to use.
   Loaded from this server (script-src 'self'); no inline code, no inline styles. */
(function () {
  "use strict";

  // --- Conditional questions: show a question only while its condition holds ---------------
  function answerOf(form, key) {
    var inputs = form.querySelectorAll('[name="' + key + '"]');
    if (!inputs.length) return undefined;
    var first = inputs[0];
    if (first.type === "checkbox") {
      return Array.prototype.filter.call(inputs, function (i) { return i.checked; }).map(function (i) { return i.value; });
    }
    if (first.type === "radio") {
      var chosen = Array.prototype.find.call(inputs, function (i) { return i.checked; });
      if (!chosen) return undefined;
      return chosen.value === "true" ? true : chosen.value === "false" ? false : chosen.value;
    }
    if (first.value === "") return undefined;
    return first.type === "number" ? Number(first.value) : first.value;
  }

  // Whether a condition (the knowledge base's language; advisor/engine/conditions.py is the reference) holds
  // for the answers `answer(key)` gives, undefined for a key not answered. `unanswered`, when given, is the
  // verdict of a test on a key not answered; without it such a test sees null, as the Python engine does.
  function holds(cond, answer, unanswered) {
    if (!cond) return true;
    if ("all" in cond) return cond.all.every(function (c) { return holds(c, answer, unanswered); });
    if ("any" in cond) return cond.any.some(function (c) { return holds(c, answer, unanswered); });
    if ("not" in cond) return !holds(cond.not, answer, unanswered);
    var a = answer(cond.key);
    if (a === undefined || a === null) {
      if (unanswered !== undefined) return unanswered;
      a = null;
    }
    var list = Array.isArray(a), number = typeof a === "number";
    if ("eq" in cond) return a === cond.eq;
    if ("ne" in cond) return a !== cond.ne;
    if ("in" in cond) return !list && cond.in.indexOf(a) >= 0;
    if ("not_in" in cond) return list || cond.not_in.indexOf(a) < 0;
    if ("gte" in cond) return number && a >= cond.gte;
    if ("gt" in cond) return number && a > cond.gt;
    if ("lte" in cond) return number && a <= cond.lte;
    if ("lt" in cond) return number && a < cond.lt;
    if ("contains" in cond) return list && a.indexOf(cond.contains) >= 0;
    if ("contains_any" in cond) return list && cond.contains_any.some(function (v) { return a.indexOf(v) >= 0; });
    if ("contains_all" in cond) return list && cond.contains_all.every(function (v) { return a.indexOf(v) >= 0; });
    if ("empty" in cond) return list && (a.length === 0) === cond.empty;
    return true;
  }

  // The evaluator on a plain answers object, for tests/browser/test_condition_parity.py: conditionHolds is the
  // engine's verdict; questionShown is the questionnaire's, where a test on a key not answered yet holds.
  function lookup(answers) {
    return function (key) { return Object.prototype.hasOwnProperty.call(answers, key) ? answers[key] : undefined; };
  }
  window.advisor = window.advisor || {};
  window.advisor.conditionHolds = function (cond, answers) { return holds(cond, lookup(answers)); };
  window.advisor.questionShown = function (cond, answers) { return holds(cond, lookup(answers), true); };

  function wireConditions(form) {
    var conditional = form.querySelectorAll("[data-show-if]");
    if (!conditional.length) return;
    function answer(key) { return answerOf(form, key); }
    function update() {
      conditional.forEach(function (el) {
        var show = holds(JSON.parse(el.getAttribute("data-show-if")), answer, true); // not answered yet: keep it visible
        el.hidden = !show;
        el.querySelectorAll("input, select, textarea").forEach(function (i) { i.disabled = !show; });
      });
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }

  // --- Checklist status: save in place, report conflicts without losing input --------------
  function wireStatusForm(form) {
    var state = form.querySelector(".save-state");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      state.textContent = "Saving…";
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      }).then(function (response) {
        return response.json().then(function (body) { return { status: response.status, body: body }; });
      }).then(function (r) {
        if (r.status === 200) {
          form.querySelector('[name="version"]').value = r.body.version;
          state.textContent = "Saved.";
          // every badge showing this item's status: its own, and those in "Start here" and the compliance mapping
          var select = form.querySelector('[name="status"]');
          var item = form.getAttribute("data-item") || "";
          document.querySelectorAll('.badge[data-status-of="' + CSS.escape(item) + '"]').forEach(function (badge) {
            badge.className = "badge status-" + r.body.status;
            badge.textContent = select.options[select.selectedIndex].text;
          });
        } else if (r.status === 409) {
          form.querySelector('[name="version"]').value = r.body.current.version;
          state.textContent = "Not saved: someone else changed this item. Now stored: " + r.body.current.status.replace("_", " ") +
            (r.body.current.owner ? ", owner " + r.body.current.owner : "") +
            (r.body.current.note ? ", note “" + r.body.current.note + "”" : "") +
            ". Your input is still in the form; save again to replace it.";
        } else {
          state.textContent = "Not saved: " + (r.body.errors || []).map(function (e) { return e.message; }).join("; ");
        }
      }).catch(function () {
        state.textContent = "Not saved: the server could not be reached. Your input is still in the form.";
      });
    });
  }

  // --- Copy buttons: a one-time secret onto the clipboard, or selected for Ctrl+C ----------
  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function wireCopyButton(button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var state = button.parentNode.querySelector(".copy-state");
    if (!source) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = source.textContent.trim();
      function fallback() {
        selectText(source); // the clipboard is out of reach (not a secure context, or refused): select it instead
        state.textContent = "Selected: press Ctrl+C (⌘C on a Mac) to copy.";
      }
      if (!navigator.clipboard || !window.isSecureContext) return fallback();
      navigator.clipboard.writeText(text).then(function () { state.textContent = "Copied."; }, fallback);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.questionnaire").forEach(wireConditions);
    document.querySelectorAll("form.status-form").forEach(wireStatusForm);
    document.querySelectorAll("button.copy[data-copy]").forEach(wireCopyButton);
  });
})();
