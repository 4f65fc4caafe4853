(function () {
  "use strict";
  // This report's root: the .attribution-report the script sits in (classic Notebook runs output scripts with
  // jQuery's globalEval, where there is no currentScript: then the newest report no script has bound yet).
  var me = document.currentScript;
  var root = (me && me.closest(".attribution-report"))
    || Array.prototype.slice.call(document.querySelectorAll(".attribution-report:not([data-bound])")).pop();
  if (!root || root.getAttribute("data-bound")) return;
  root.setAttribute("data-bound", "1");
  var data = JSON.parse(root.querySelector(".report-data").textContent);
  var rows = data.sentences, TAGS = data.tags, GRADES = data.grades;
  var panel = root.querySelector(".details");
  var byIndex = {};
  rows.forEach(function (row) { byIndex[row.index] = row; });

  // Article words reach the panel only as text (textContent / text nodes), never as markup.
  function node(tag, text) {
    var el = document.createElement(tag);
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function show(el) {
    var s = byIndex[el.getAttribute("data-index")];
    if (!s) return;
    var head = node("p"), list = node("dl");
    head.append(node("b", "#" + s.index + " " + TAGS[s.attribution_type]),
      document.createTextNode(" " + s.attribution_type + (s.is_headline ? " (headline)" : "")));
    function item(name, value) { list.append(node("dt", name), node("dd", value)); }
    item("support", s.support.toFixed(2) + " (grade " + s.support_grade + ": " + GRADES[s.support_grade] + ")");
    item("probabilities", Object.keys(s.probabilities).map(function (k) {
      return TAGS[k] + " " + (100 * s.probabilities[k]).toFixed(0) + "%";
    }).join(", "));
    item("source", (s.source || "none") + (s.source_phrase && s.source_phrase !== s.source
      ? " ('" + s.source_phrase + "')" : "") + (s.via ? ", via " + s.via : ""));
    item("cue", s.cue || "none");
    item("reasons", s.reasons.join("; ") || "none");
    panel.replaceChildren(head, list);
    panel.classList.add("open");  // on a narrow screen it now stays in view at the bottom
    root.querySelectorAll(".sentence.current").forEach(function (c) {
      c.classList.remove("current");
      c.removeAttribute("aria-current");
    });
    el.classList.add("current");
    el.setAttribute("aria-current", "true");
  }

  root.querySelectorAll(".sentence").forEach(function (el) {
    el.addEventListener("click", function () { show(el); });
    el.addEventListener("focus", function () { show(el); });
    el.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " " || e.key === "Spacebar") {
        e.preventDefault();
        show(el);
      }
    });
  });
  // links to sentences (weakest claims, sources): scroll to the sentence, focus it, open its details
  root.querySelectorAll("a[data-index]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      var target = root.querySelector('.sentence[data-index="' + a.getAttribute("data-index") + '"]');
      if (!target) return;
      e.preventDefault();
      target.scrollIntoView({block: "center"});
      target.focus({preventScroll: true});
      show(target);
    });
  });
})();
