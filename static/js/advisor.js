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
  var unsaved = new Set(); // status forms changed and not saved yet: leaving the page asks first

  function wireStatusForm(form) {
    var state = form.querySelector(".save-state");
    // the acceptance's fields only while "Risk accepted" is chosen (without the script they always show)
    var select = form.querySelector('[name="status"]');
    var extra = form.querySelector("[data-for-status]");
    function showExtra() {
      if (extra && select) extra.hidden = select.value !== extra.getAttribute("data-for-status");
    }
    if (select) select.addEventListener("change", showExtra);
    showExtra();
    function changed() {
      unsaved.add(form);
      state.textContent = "Not saved yet.";
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
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
          unsaved.delete(form);
          state.textContent = r.body.review_cleared ? "Saved; it no longer needs review." :
            r.body.status === "accepted_risk" ? "Saved: " + r.body.status_label + " (reload the page for its approval)." : "Saved.";
          var counts = document.getElementById("report-counts");
          if (counts && typeof r.body.counts_html === "string") counts.innerHTML = r.body.counts_html; // rendered and escaped by the server
          var article = form.closest("article.item");
          if (article) {
            article.setAttribute("data-status", r.body.status);
            article.setAttribute("data-owner", r.body.owner);
            article.setAttribute("data-open", r.body.open ? "true" : "false");
            article.setAttribute("data-overdue", r.body.overdue ? "true" : "false");
            article.setAttribute("data-disagrees", r.body.scanner_disagrees ? "true" : "false");
            var tick = article.querySelector('input[name="items"]');
            if (tick) tick.value = article.id.replace(/^item-/, "") + ":" + r.body.version; // a later change to several starts here
          }
          // every badge showing this item's status: its own, and those in "Start here" and the compliance mapping
          var select = form.querySelector('[name="status"]');
          var item = form.getAttribute("data-item") || "";
          document.querySelectorAll('.badge[data-status-of="' + CSS.escape(item) + '"]').forEach(function (badge) {
            badge.className = "badge status-" + r.body.status;
            badge.textContent = r.body.status_label || select.options[select.selectedIndex].text;
          });
          // the due date under the item's facts: "Overdue since …", "Due …", or nothing
          document.querySelectorAll('[data-due-of="' + CSS.escape(item) + '"]').forEach(function (due) {
            due.textContent = r.body.due_label || "";
            due.hidden = !r.body.due_label;
            due.classList.toggle("overdue", !!r.body.overdue);
          });
          // the "scanner disagrees" notice: shown while the new status is one the failing scans contradict
          document.querySelectorAll('[data-disagrees-of="' + CSS.escape(item) + '"]').forEach(function (notice) {
            notice.hidden = !r.body.scanner_disagrees;
          });
          // the "needs review" notice: gone once cleared, else its Confirm form carries the new version
          document.querySelectorAll('[data-review-of="' + CSS.escape(item) + '"]').forEach(function (notice) {
            if (!r.body.needs_review) notice.remove();
            else notice.querySelectorAll('[name="version"]').forEach(function (v) { v.value = r.body.version; });
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

  // --- What-if: preview while people change answers (the Preview button does the same without script) ----
  function wireWhatIf(form) {
    var target = document.querySelector("#whatif-result .whatif-body");
    if (!target) return;
    var timer = null, sent = 0;
    function preview() {
      var body = new FormData(form);
      body.set("action", "preview");
      var mine = ++sent;
      target.setAttribute("aria-busy", "true");
      fetch(form.getAttribute("data-preview"), {
        method: "POST",
        body: body,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      }).then(function (response) {
        return response.json();
      }).then(function (data) {
        if (mine !== sent) return; // a newer preview is on its way
        if (typeof data.html === "string") target.innerHTML = data.html; // rendered and escaped by the server
        target.removeAttribute("aria-busy");
      }).catch(function () {
        target.removeAttribute("aria-busy");
      });
    }
    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(preview, 150);
    }
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
  }

  // "Tick every item shown": what the filter left on the page, for one change to all of them
  function wireBulkUpdate(form) {
    var button = form.querySelector("[data-tick-shown]");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      document.querySelectorAll('section.checklist article.item:not([hidden]) input[name="items"]').forEach(function (box) {
        box.checked = true;
      });
    });
  }

  // --- Checklist filter: the same filter as the GET form, applied in place as it changes -------------------
  function wireChecklistFilter(form) {
    var items = document.querySelectorAll("section.checklist article.item");
    var count = document.querySelector(".shown-count [data-shown]");
    var fields = ["priority", "status", "phase", "responsibility", "topic", "framework"];
    function wanted() {
      var w = {};
      fields.concat(["owner"]).forEach(function (name) {
        var input = form.querySelector('[name="' + name + '"]');
        w[name] = input ? input.value.trim() : "";
      });
      return w;
    }
    function matches(item, w) {
      var status = item.getAttribute("data-status");
      var open = item.getAttribute("data-open") === "true"; // still to act on (summary.still_open)
      return fields.every(function (name) {
        var value = w[name];
        if (!value) return true;
        if (name === "status") {
          if (value === "open") return open;
          if (value === "overdue") return item.getAttribute("data-overdue") === "true"; // summary.overdue
          if (value === "disagrees") return item.getAttribute("data-disagrees") === "true"; // summary.scanner_disagrees
          return status === value;
        }
        if (name === "framework") return (" " + item.getAttribute("data-frameworks") + " ").indexOf(" " + value + " ") >= 0;
        return item.getAttribute("data-" + name) === value;
      }) && (!w.owner || item.getAttribute("data-owner").toLowerCase().indexOf(w.owner.toLowerCase()) >= 0);
    }
    function apply() {
      var w = wanted(), shown = 0;
      items.forEach(function (item) {
        var show = matches(item, w);
        item.hidden = !show;
        if (show) shown += 1;
      });
      document.querySelectorAll("section.checklist section.topic").forEach(function (topic) {
        topic.hidden = !topic.querySelector("article.item:not([hidden])");
      });
      if (count) count.textContent = String(shown);
      var query = new URLSearchParams();
      Object.keys(w).forEach(function (name) { if (w[name]) query.set(name, w[name]); });
      history.replaceState(null, "", location.pathname + (query.toString() ? "?" + query : "") + "#checklist");
    }
    form.addEventListener("change", apply);
    form.addEventListener("input", function (event) { if (event.target.name === "owner") apply(); });
  }

  // A link to an item opens its folded details, so the item shows whole
  function openLinkedItem() {
    var target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    if (target && target.matches("article.item")) {
      var details = target.querySelector("details.item-details");
      if (details) details.open = true;
    }
  }

  // A questionnaire page with typed answers: leaving by a link asks first; its own buttons save them
  function wireQuestionnaireForm(form) {
    form.addEventListener("input", function () { unsaved.add(form); });
    form.addEventListener("change", function () { unsaved.add(form); });
    form.addEventListener("submit", function () { unsaved.delete(form); });
  }

  window.addEventListener("beforeunload", function (event) {
    if (unsaved.size) {
      event.preventDefault();
      event.returnValue = ""; // the browser shows its own "leave the page?" question
    }
  });

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
    // the error summary takes the focus, so a keyboard or screen-reader user starts from the problems
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) summary.focus();
    document.querySelectorAll("form.questionnaire, form.whatif-form").forEach(wireConditions);
    document.querySelectorAll("form.questionnaire").forEach(wireQuestionnaireForm);
    document.querySelectorAll("form.whatif-form").forEach(wireWhatIf);
    document.querySelectorAll("form.status-form").forEach(wireStatusForm);
    document.querySelectorAll("form.checklist-filter").forEach(wireChecklistFilter);
    document.querySelectorAll("form.bulk-update").forEach(wireBulkUpdate);
    openLinkedItem();
    window.addEventListener("hashchange", openLinkedItem);
    document.querySelectorAll("button.copy[data-copy]").forEach(wireCopyButton);
  });
})();
