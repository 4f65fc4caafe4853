"""The HTML report of hostile articles: article text reaches the page only as text.

Pure-Python checks (escaped JSON, CSP hashes of the exact inline script and style, no style= attributes, no
innerHTML, and a property test parsing the page with html.parser), then the same hostile reports in a real headless
Chromium driven over the DevTools protocol (--remote-debugging-pipe, no extra package): every sentence is clicked,
and no payload may run while the details panel must show the article's words literally.

Property-test volume follows tests/test_properties.py: HYPOTHESIS_PROFILE=ci (the default) runs 150 examples,
HYPOTHESIS_PROFILE=long 5,000.
"""
import base64
import hashlib
import json
import os
import re
from html.parser import HTMLParser

import pytest
from devtools import DevTools, Tab
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scorer import LABELS
from scorer.errors import InputError
from scorer.pipeline import Scorer
from scorer.report.render import (_SCRIPT, _STYLE, CSP, GRADE_WORDS, MEANINGS, TAGS, marks, render_html,
                                  script_json)

# Each payload reports itself if it ever runs: it calls pwned() (a DevTools binding in the browser tests), sets
# document.title, or both.
HOSTILE = [
    ("hostile-headline",
     """<img src=x onerror="pwned('headline');document.title='pwned'"> Senate <svg onload=pwned('svg')> votes

<b onclick="pwned('b')">Smith</b> said the plan failed. "</script><script>pwned('close')</script>," the \
<i onmouseover=pwned('i')>Pentagon</i> said on Tuesday.
Officials said <!--<script> was found in 3 files. The minister told reporters "><script>pwned('attr')</script> \
would follow.
According to <a href="javascript:pwned('a')">Reuters</a>, the talks\u2028collapsed\u2029again. Sources familiar \
with the matter said &lt;img src=x onerror=pwned('entity')&gt; was sent.
This dreadful <style>*{display:none}</style> decision is a disgrace, ${pwned('tpl')} '-pwned('q')-' wrote \
<details open ontoggle=pwned('toggle')>.
"""),
    ("hostile-sources",
     """Share this <img src=x onerror="pwned('share')">
Advertisement
Read more <img src onerror=pwned`skipped`> & "x" </p><script>pwned('skipped')</script>
"It failed," said <svg onload=pwned`svg-source` >. "We lost," said <img src onerror=pwned`img-source` >. "No," said <details open ontoggle=pwned`toggle-source` >.
Officials said the\u2028vote\u2029was close & that 5 < 6 > 4 <input autofocus onfocus=pwned('focus')>.
Exit mobile version
"""),
    ("<img src=x onerror=\"pwned('id');document.title='pwned'\">",
     "Officials said <b onmouseover=pwned('c')>nothing</b> &amp; <iframe srcdoc=\"<script>pwned('if')</script>\">. "
     "According to Smith<img/src=x/onerror=pwned`s`>, it failed. According to AT&T\" onmouseover=\"pwned('att'), "
     "it failed. \"It failed,\" said Smith&quot;\" onclick=pwned`q` >.\x00 A\r\nB\u2028C said ]]><![CDATA[ x."),
]

# The renderer's own elements and attributes: nothing else may appear, whatever the text.
OWN_ATTRS = {
    "html": {"lang"}, "head": set(), "meta": {"charset", "http-equiv", "content", "name"}, "title": set(),
    "body": set(), "div": {"class", "id", "aria-live"}, "style": set(), "h1": set(), "h2": set(), "p": {"class"},
    "b": set(), "span": {"class", "id", "data-index", "data-type", "tabindex", "role", "aria-controls"},
    "u": {"class"}, "q": set(), "a": {"href", "data-index"}, "ul": {"class"}, "ol": {"class"}, "li": set(),
    "figure": set(), "script": {"type", "class"}, "svg": {"class", "viewbox", "width", "height", "role", "aria-label"},
    "rect": {"class", "x", "y", "width", "height", "fill"}, "line": {"class", "x1", "y1", "x2", "y2"},
    "text": {"class", "x", "y", "text-anchor"},
}
# elements that carry the report's text, by kind: (tag, class or None)
KINDS = {"sentence": ("span", "sentence"), "tag": ("span", "tag"), "skipped": ("p", "skipped"),
         "explain": ("p", "explain"), "li": ("li", None), "h1": ("h1", None), "q": ("q", None), "a": ("a", None),
         "u": ("u", None), "title": ("title", None), "style": ("style", None), "script": ("script", None)}
ROOT_ID = re.compile(r"ar-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def scorer():
    return Scorer()


@pytest.fixture(scope="module")
def hostile_reports(scorer):
    return [scorer.score(text, article_id=article_id) for article_id, text in HOSTILE]


def expected_title(report) -> str:
    return report.article.get("title") or report.article.get("id") or "Article report"


class Page(HTMLParser):
    """Every element with its attributes, and the text of each element that carries text from the report:
    `texts[kind]` lists (attributes, text) for each kind of KINDS; a sentence's text leaves out its type tag."""

    VOID = frozenset({"meta"})

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.elements, self.texts = [], {kind: [] for kind in KINDS}
        self._stack = []  # (tag, kind, attrs, pieces) of each open element
        self.feed(page)
        self.close()
        assert self._stack == [], [tag for tag, *_ in self._stack]

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))
        if tag in self.VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        kind = next((k for k, (t, c) in KINDS.items() if t == tag and (c is None or c in classes)), None)
        self._stack.append((tag, kind, dict(attrs), []))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_data(self, data):
        in_tag = False
        for tag, kind, attrs, pieces in reversed(self._stack):  # innermost first
            if kind == "sentence" and in_tag:
                continue
            in_tag = in_tag or kind == "tag"
            if kind:
                pieces.append(data)

    def handle_endtag(self, tag):
        assert self._stack and self._stack[-1][0] == tag, f"</{tag}> closes <{self._stack[-1][0]}>"
        _, kind, attrs, pieces = self._stack.pop()
        if kind:
            self.texts[kind].append((attrs, "".join(pieces)))

    def text(self, kind: str) -> list[str]:
        return [text for _, text in self.texts[kind]]


def snippet(text: str) -> str:
    return text if len(text) <= 90 else text[:90].rsplit(" ", 1)[0] + "\u2026"


def expected_lists(report) -> list[str]:
    """The text of every <li> in page order: sources, flags, weakest claims, legend."""
    summary, rows = report.summary, {row["index"]: row for row in report.sentences_list}
    sources = [f"{x['name']} {TAGS[x['type']]} {x['count']} sentence{'s' if x['count'] != 1 else ''}: "
               + ", ".join(f"#{i}" for i in x["sentences"]) for x in summary["sources"]] or ["none"]
    weakest = [f"#{i} support {rows[i]['support']:.2f} {TAGS[rows[i]['attribution_type']]} {snippet(rows[i]['text'])}"
               for i in summary["weakest"]] or ["none"]
    legend = [f"{TAGS[k]} {k}: {MEANINGS[k]}" for k in LABELS]
    return sources + (summary["flags"] or ["none"]) + weakest + legend


def check_page(page: str, report, fragment: bool = False) -> Page:
    """The page is made only of the renderer's own elements and carries the report's text exactly, as text."""
    parsed = Page(page)
    for tag, attrs in parsed.elements:
        assert tag in OWN_ATTRS, f"element <{tag}> came from the text"
        names = [name for name, _ in attrs]
        assert set(names) <= OWN_ATTRS[tag], f"<{tag}> has attributes {names}"
        assert len(names) == len(set(names))
    assert not any(name == "style" or name.startswith("on") for _, attrs in parsed.elements for name, _ in attrs)
    assert sum(tag == "script" for tag, _ in parsed.elements) == 2
    assert sum(tag == "style" for tag, _ in parsed.elements) == 1 and parsed.text("style") == [_STYLE]
    (data_attrs, data), (code_attrs, code) = parsed.texts["script"]
    assert data_attrs == {"type": "application/json", "class": "report-data"} and code_attrs == {} and code == _SCRIPT
    assert json.loads(data) == {"sentences": report.to_dict()["sentences"], "tags": TAGS, "grades": list(GRADE_WORDS)}
    roots = [dict(attrs) for tag, attrs in parsed.elements if ("class", "attribution-report") in attrs]
    assert len(roots) == 1 and ROOT_ID.fullmatch(roots[0]["id"])
    root = roots[0]["id"]
    rows, summary = report.sentences_list, report.summary
    assert parsed.text("sentence") == [" " + row["text"] for row in rows]  # after its tag and a space
    for (attrs, _), row in zip(parsed.texts["sentence"], rows):
        assert attrs == {"class": f"sentence t-{row['attribution_type']}", "id": f"{root}-s{row['index']}",
                         "data-index": str(row["index"]), "data-type": row["attribution_type"], "tabindex": "0",
                         "role": "button", "aria-controls": f"{root}-details"}
    # the type tags of the sources, the weakest claims, the legend, then each sentence's
    assert parsed.text("tag") == ([TAGS[x["type"]] for x in summary["sources"]]
                                  + [TAGS[rows[i]["attribution_type"]] for i in summary["weakest"]]
                                  + [TAGS[k] for k in LABELS] + [TAGS[row["attribution_type"]] for row in rows])
    # the note on the marks, then each sentence's source and cue, underlined (marks(): tests/report/test_html_view.py)
    assert parsed.texts["u"] == [({"class": "src"}, "underlined"), ({"class": "cue"}, "dotted")] + [
        ({"class": kind}, row["text"][a:b]) for row in rows for a, b, kind in marks(row)]
    assert parsed.text("h1") == [expected_title(report)]
    assert parsed.text("explain")[0] == summary["support_score_explanation"]
    assert parsed.text("li") == expected_lists(report)
    assert parsed.text("q") == [snippet(rows[i]["text"]) for i in summary["weakest"]]
    assert all(attrs["href"] == f"#{root}-s{attrs['data-index']}" for attrs, _ in parsed.texts["a"])
    assert parsed.text("skipped") == ["Skipped as page furniture: "
                                      + ("; ".join(k["text"] for k in report.skipped) or "nothing")]
    if fragment:
        assert parsed.text("title") == []
        assert not any(tag in ("html", "head", "meta") for tag, _ in parsed.elements)
    else:
        assert parsed.text("title") == [expected_title(report)]
    return parsed


# --- pure Python ---------------------------------------------------------------------------------------------

def _data_block(page: str) -> str:
    return page.split('<script type="application/json" class="report-data">', 1)[1].split("</script>", 1)[0]


@pytest.mark.parametrize("fragment", [False, True])
def test_hostile_reports_are_only_text_on_the_page(hostile_reports, fragment):
    for report in hostile_reports:
        check_page(render_html(report, fragment=fragment), report, fragment)


def test_the_hostile_articles_carry_markup_into_source_and_title(hostile_reports):
    """The hostile fixtures really do reach the fields the old innerHTML panel inserted (not a vacuous test)."""
    sources = [row["source"] for report in hostile_reports for row in report.sentences_list if row["source"]]
    assert "<svg onload=pwned`svg-source` >" in sources and "<img src onerror=pwned`img-source`" in sources
    assert any(s.startswith("<a href=") for s in sources) and any(s.endswith("</b>") for s in sources)
    assert "AT&T" in sources and "Smith&quot" in sources
    assert any("<img src onerror=" in k["text"] for k in hostile_reports[1].skipped)
    titles = [expected_title(report) for report in hostile_reports]
    assert titles[0].startswith("<img") and titles[2] == HOSTILE[2][0]


def test_embedded_json_has_no_raw_markup_characters(hostile_reports):
    for report in hostile_reports:
        data = _data_block(render_html(report))
        assert not set(data) & set("<>&\u2028\u2029")
        assert "\\u003c" in data and "\\u003e" in data
        assert json.loads(data)["sentences"] == report.to_dict()["sentences"]
    assert "\\u0026" in _data_block(render_html(hostile_reports[2]))
    assert "\\u2028" in _data_block(render_html(hostile_reports[1]))


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                    max_leaves=12))
@settings(max_examples=100, deadline=None, database=None)
def test_script_json_round_trips_without_markup_characters(value):
    data = script_json(value)
    assert not set(data) & set("<>&\u2028\u2029")
    assert json.loads(data) == value


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_csp_allows_exactly_the_inline_script_and_style(hostile_reports):
    page = render_html(hostile_reports[0])
    parsed = Page(page)
    metas = [dict(attrs) for tag, attrs in parsed.elements if tag == "meta" and dict(attrs).get("http-equiv")]
    assert len(metas) == 1 and metas[0]["http-equiv"] == "Content-Security-Policy"
    directives = {d.split()[0]: d.split()[1:] for d in metas[0]["content"].split(";")}
    assert directives["default-src"] == ["'none'"]
    assert directives["script-src"] == [_sha256(parsed.text("script")[1])]
    assert directives["style-src"] == [_sha256(parsed.text("style")[0])]
    assert "unsafe-inline" not in metas[0]["content"] and metas[0]["content"] == CSP
    # the meta comes before any script or style, so it governs them
    assert page.index("Content-Security-Policy") < min(page.index("<script"), page.index("<style"))
    assert "Content-Security-Policy" not in render_html(hostile_reports[0], fragment=True)


def test_script_never_parses_html():
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "createContextualFragment",
                 "DOMParser", "eval(", "Function("):
        assert sink not in _SCRIPT
    assert "textContent" in _SCRIPT and "createTextNode" in _SCRIPT


def test_colours_come_from_classes_not_style_attributes(hostile_reports):
    page = render_html(hostile_reports[0])
    assert " style=" not in page
    for label in LABELS:
        assert f".attribution-report .t-{label}.sentence{{background:" in _STYLE
        assert f'<span class="tag t-{label}">{TAGS[label]}</span> {label}: ' in page  # the legend


# news-like and markup-heavy pieces, mixed with arbitrary Unicode (control characters, line/paragraph separators)
PIECES = ["<", ">", "&", '"', "'", "`", "/", "=", "<!--", "-->", "<script>", "</script>", "</SCRIPT >", "<style>",
          "</style>", "<img src=x onerror=pwned(1)>", "<svg onload=pwned(1)>", "<b onclick=\"pwned(1)\">", "</b>",
          "</span>", "</p>", "</div>", '"><script>pwned(1)</script>', "<![CDATA[", "]]>", "&amp;", "&lt;", "&#60;",
          "&#x3c;", "\\u003c", "\u2028", "\u2029", "\x00", "\x0c", "\r", "\n", "\n\n", "\u200b", "\u202e", "\ufeff",
          "said", "says", "told reporters", "according to", "Smith", "officials", "The Pentagon", "“", "”", ".", ",",
          "Advertisement", "Share this", "\nRead more ", "\nClick here ", "\nBy ", "😀", "部长", "قال", " ", "\t"]
markup_text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=10)), min_size=1, max_size=50).map("".join)
PROPERTY_EXAMPLES = {"long": 5_000}.get(os.environ.get("HYPOTHESIS_PROFILE", "ci"), 150)


@given(text=st.one_of(markup_text, st.text(max_size=300)), article_id=st.one_of(st.none(), markup_text),
       fragment=st.booleans())
@settings(max_examples=PROPERTY_EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
def test_any_text_renders_to_only_the_renderers_own_markup(scorer, text, article_id, fragment):
    try:
        report = scorer.score(text, article_id=article_id)
    except InputError:
        assume(False)
    page = render_html(report, fragment=fragment)
    check_page(page, report, fragment)
    assert not set(_data_block(page)) & set("<>&\u2028\u2029")


# --- headless Chromium over the DevTools protocol ------------------------------------------------------------

# The test harness, run from DevTools (the page's own script has no test code): click every sentence of every
# report on the page, one at a time with a pause for any asynchronous handler (onerror, ontoggle) of what the click
# put in the panel, and record the panel's nodes after each click; then take a census of the document's elements.
CLICK_ALL = """(async () => {
  const pause = ms => new Promise(resolve => setTimeout(resolve, ms));
  const reports = [];
  for (const root of document.querySelectorAll('.attribution-report')) {
    const panel = root.querySelector('.details'), clicks = [];
    for (const el of root.querySelectorAll('.sentence')) {
      el.click();
      clicks.push({index: +el.dataset.index, head: panel.querySelector('p').textContent,
                   items: [...panel.querySelectorAll('dt')].map(dt => [dt.textContent, dt.nextSibling.textContent]),
                   elements: [...panel.querySelectorAll('*')].map(n => n.nodeName),
                   current: [...root.querySelectorAll('.sentence.current')].map(s => +s.dataset.index)});
      await pause(30);
    }
    reports.push({data: JSON.parse(root.querySelector('.report-data').textContent), clicks,
                  width: root.querySelector('.chart').getBoundingClientRect().width});
  }
  await pause(300);
  const all = [...document.querySelectorAll('*')];
  return JSON.stringify({reports, title: document.title, tags: [...new Set(all.map(e => e.localName))],
    handlers: all.flatMap(e => [...e.attributes].map(a => a.name)).filter(n => n.startsWith('on')),
    scripts: document.scripts.length, colour: getComputedStyle(document.querySelector('.sentence')).backgroundColor});
})()"""


def _show(tools: DevTools, page: str, path) -> tuple[Tab, dict]:
    path.write_text(page, encoding="utf-8")
    tab = tools.open(path.as_uri())
    return tab, json.loads(tab.evaluate(CLICK_ALL))


def _collapse(text: str) -> str:
    """document.title's whitespace handling (ASCII whitespace only)."""
    return re.sub(r"[\t\n\f\r ]+", " ", text).strip("\t\n\f\r ")


def panel_source(row: dict) -> str:
    phrase = row.get("source_phrase")
    return ((row["source"] or "none") + (f" ('{phrase}')" if phrase and phrase != row["source"] else "")
            + (f", via {row['via']}" if row.get("via") else ""))


def check_panels(seen: dict, report) -> None:
    """Each click filled the panel with that sentence's fields, as text (only the panel's own elements) and marked
    that sentence, and only it, as the current one."""
    rows = report.sentences_list
    assert seen["data"]["sentences"] == report.to_dict()["sentences"]
    assert [c["index"] for c in seen["clicks"]] == [row["index"] for row in rows]
    for click, row in zip(seen["clicks"], rows):
        assert set(click["elements"]) <= {"P", "B", "DL", "DT", "DD"}, click["elements"]
        assert click["current"] == [row["index"]]
        assert click["head"] == (f"#{row['index']} {TAGS[row['attribution_type']]} {row['attribution_type']}"
                                 + (" (headline)" if row["is_headline"] else ""))
        items = dict(click["items"])
        assert list(items) == ["support", "probabilities", "source", "cue", "reasons"]
        support = re.fullmatch(r"(\d\.\d\d) \(grade (\d): ([a-z ]+)\)", items["support"])
        assert support and abs(float(support[1]) - row["support"]) <= 0.0051
        assert int(support[2]) == row["support_grade"] and support[3] == GRADE_WORDS[row["support_grade"]]
        shown = dict(re.findall(r"([A-Z]+) (\d+)%", items["probabilities"]))
        assert shown == {TAGS[k]: shown[TAGS[k]] for k in row["probabilities"]}
        assert all(abs(int(shown[TAGS[k]]) - 100 * v) <= 0.51 for k, v in row["probabilities"].items())
        assert items["source"] == panel_source(row) and items["cue"] == (row["cue"] or "none")
        assert items["reasons"] == ("; ".join(row["reasons"]) or "none")
    assert seen["width"] >= 250  # the chart was laid out


def test_hostile_reports_in_chromium_run_no_payload_and_show_the_text(browser, hostile_reports, tmp_path):
    for n, report in enumerate(hostile_reports):
        tab, seen = _show(browser, render_html(report), tmp_path / f"hostile{n}.html")
        assert tab.fired() == [] and seen["handlers"] == []
        assert seen["title"] == _collapse(expected_title(report)) != "pwned"
        assert set(seen["tags"]) <= set(OWN_ATTRS) | {"dl", "dt", "dd"} and seen["scripts"] == 2  # + the panel's
        assert len(seen["reports"]) == 1
        check_panels(seen["reports"][0], report)
        # the page's own script and style ran under its CSP (the panels above were filled) with no violation
        assert tab.csp_violations() == []
        assert seen["colour"] != "rgba(0, 0, 0, 0)"  # the class colours apply
    shown = [dict(c["items"]) for c in seen["reports"][0]["clicks"]]
    assert any({"source": "Smith<img/src=x/onerror", "cue": "According to"}.items() <= x.items() for x in shown)  # text


def test_csp_blocks_markup_that_gets_in_anyway(browser, hostile_reports, tmp_path):
    """Defence in depth: if some future change let markup in, the page's CSP would still stop its handlers."""
    tab, _ = _show(browser, render_html(hostile_reports[0]), tmp_path / "csp.html")
    tab.evaluate("""new Promise(resolve => {
      document.body.insertAdjacentHTML('beforeend', '<img src=x onerror="pwned(1)"><svg onload="pwned(2)"></svg>');
      const s = document.createElement('script'); s.textContent = 'pwned(3)'; document.body.append(s);
      setTimeout(resolve, 500); })""")
    assert tab.fired() == []
    violations = tab.csp_violations()
    assert any("inline event handler" in v for v in violations) and any("inline script" in v for v in violations)


def test_the_harness_sees_a_payload_that_runs(browser, tmp_path):
    """Control: on a page without the renderer's escaping or CSP the same kind of payload fires and is caught."""
    path = tmp_path / "unsafe.html"
    path.write_text("<!DOCTYPE html><title>t</title><img src=x onerror=\"pwned('img');document.title='pwned'\">"
                    "<script>alert(1)</script>", encoding="utf-8")
    tab = browser.open(path.as_uri())
    assert tab.evaluate("new Promise(r => setTimeout(() => r(document.title), 300))") == "pwned"
    assert tab.fired() == ["img", "1"]


def test_two_fragments_on_one_page_work_independently(browser, hostile_reports, scorer, example_text, tmp_path):
    """Jupyter puts several `_repr_html_` fragments on one page: each script drives only its own report."""
    reports = [hostile_reports[0], scorer.score(example_text, article_id="iran")]
    page = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>notebook</title></head><body>"
            + "".join(render_html(r, fragment=True) for r in reports) + "</body></html>")
    tab, seen = _show(browser, page, tmp_path / "fragments.html")
    assert tab.fired() == [] and seen["handlers"] == [] and seen["title"] == "notebook"
    assert len(seen["reports"]) == 2 and seen["scripts"] == 4
    for shown, report in zip(seen["reports"], reports):
        check_panels(shown, report)
    # classic Notebook inserts the output and runs its scripts with jQuery's globalEval, where there is no
    # document.currentScript: the script then binds the newest report that no script has bound yet
    reports.append(hostile_reports[2])
    tab.evaluate(f"""(() => {{
      document.body.insertAdjacentHTML('beforeend', {json.dumps(render_html(reports[2], fragment=True))});
      const roots = document.querySelectorAll('.attribution-report');
      (0, eval)(roots[roots.length - 1].querySelector('script:not([type])').textContent); }})()""")
    seen = json.loads(tab.evaluate(CLICK_ALL))
    assert tab.fired() == [] and seen["handlers"] == [] and len(seen["reports"]) == 3
    for shown, report in zip(seen["reports"], reports):
        check_panels(shown, report)
