"""The HTML view (report page and notebook view, scorer/report/render.py): scoped so several reports live on one
page, paragraphs kept, source and cue marked, and in headless Chromium (tests/report/devtools.py): two reports on
one page both work with no console error and no global name, no horizontal overflow at 360 and 420 px, the
weakest-claim links bring their sentences into view and focus them, and keyboard focus opens the details panel.
(Hostile article text: tests/report/test_html_hostile.py.)"""
import json
import re
from itertools import pairwise
from pathlib import Path

import pytest

from scorer import LABELS
from scorer.pipeline import Scorer
from scorer.report.render import _SCRIPT, _STYLE, MEANINGS, TAGS, marks, paragraphs, render_html

REPO = Path(__file__).resolve().parents[2]
ROOT_ID = re.compile(r'<div class="attribution-report" id="(ar-[0-9a-f]{12})">')


@pytest.fixture(scope="module")
def scorer():
    return Scorer()


@pytest.fixture(scope="module")
def example(scorer, example_text):
    return scorer.score(example_text, article_id="iran")


# --- pure Python ---------------------------------------------------------------------------------------------

def _selectors(css: str) -> list[str]:
    """Every selector of every rule, inside @media/@container blocks too (the at-rule lines themselves left out)."""
    out = []
    for prelude in re.findall(r"([^{}]+)\{", css):
        prelude = prelude.strip()
        if not prelude.startswith("@"):
            out += [s.strip() for s in prelude.split(",")]
    return out


def test_every_css_rule_is_under_the_report_root():
    selectors = _selectors(_STYLE)
    assert len(selectors) > 40
    bad = [s for s in selectors if not re.match(r"\.attribution-report([ .:]|$)", s)]
    assert bad == []
    assert "@media print" in _STYLE and "@container" in _STYLE


def test_the_script_is_one_function_that_declares_no_global():
    code = _SCRIPT.strip()
    assert code.startswith("(function () {") and code.endswith("})();")
    # nothing at the top level but the function: every line in between is indented
    assert all(line.startswith("  ") or not line for line in code.splitlines()[1:-1])
    assert "window." not in code and "globalThis" not in code


def test_each_render_has_its_own_root_id(example, two):
    ids = [ROOT_ID.search(render_html(example, fragment=True))[1] for _ in range(20)]
    assert len(set(ids)) == 20  # a notebook may show the same report twice
    assert render_html(example) == render_html(example)  # the page: the same report gives the same file
    assert ROOT_ID.search(render_html(example))[1] != ROOT_ID.search(render_html(two[1]))[1]
    page = render_html(example, root_id="ar-000000000001")
    assert 'id="ar-000000000001-s7"' in page and 'href="#ar-000000000001-s7"' in page  # a weakest claim's link
    assert 'id="ar-000000000001-details"' in page


def test_page_has_a_viewport_and_loads_nothing(example):
    page, fragment = render_html(example), render_html(example, fragment=True)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "viewport" not in fragment and "<html" not in fragment
    for html in (page, fragment):
        assert "://" not in html and "<link" not in html and "src=" not in html and "url(" not in html


def test_legend_says_what_each_label_means_as_the_readme_does(example):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    page = render_html(example)
    for label in LABELS:
        assert f"- `{label}`: {MEANINGS[label]}\n" in readme
        assert f'<span class="tag t-{label}">{TAGS[label]}</span> {label}: ' in page


def test_paragraphs_follow_the_blank_lines_of_the_article(example, example_text):
    paras = paragraphs(example)
    assert [[r["index"] for r in p] for p in paras] == [[0], [1], [2], [3, 4], [5], [6], [7], [8], [9], [10, 11]]
    for para, following in pairwise(paras):
        assert "\n\n" in example_text[para[-1]["end"]:following[0]["start"]]
        assert all("\n" not in example_text[a["end"]:b["start"]] for a, b in pairwise(para))
    page = render_html(example)
    assert page.count('<p class="headline">') == 1 and page.count("<p><span class=\"sentence") == 9


def test_paragraphs_of_single_line_breaks_and_without_the_text(scorer):
    text = "Senate passes the bill\nThe Senate passed the bill on Monday. Smith said it would help.\n" \
           "Officials said the vote was close.\nThe bill now goes to the House."
    report = scorer.score(text)
    assert [len(p) for p in paragraphs(report)] == [1, 2, 1, 1]
    report.text = None  # a Report without its text (built by hand): the headline, then one paragraph
    assert [len(p) for p in paragraphs(report)] == [1, 4]
    report.text = text.replace("Senate", "Xenate")  # a text the offsets do not slice to the sentences: not used
    assert [len(p) for p in paragraphs(report)] == [1, 4]


def _row(text, start=100, **fields):
    return {"index": 0, "start": start, "end": start + len(text), "text": text, "source": None, "cue": None,
            "source_phrase": None, **fields}


def test_marks_use_the_spans_when_present():
    row = _row("He said the Pentagon says so.", source="the Pentagon", source_phrase="the Pentagon", cue="says",
               source_span=[108, 120], cue_span=[121, 125])
    assert marks(row) == [(8, 20, "src"), (21, 25, "cue")]
    # a row with spans is marked by them only: null, outside the sentence (a source carried over from an earlier
    # sentence) or malformed is no mark, even where the strings are in the sentence
    row.update(source_span=None)
    assert marks(row) == [(21, 25, "cue")]
    row.update(source_span=[50, 60], cue_span="x")
    assert marks(row) == []
    row.update(source_span=[108, 120], cue_span=[110, 125])  # a cue overlapping the source is left out
    assert marks(row) == [(8, 20, "src")]


def test_marks_fall_back_to_the_source_phrase_and_cue_strings():
    """A report without source_span/cue_span (before the span tagger): the strings, first occurrence."""
    row = _row("\u201cIt failed,\u201d they added, and they left.", source="The State Department",
               source_phrase="they", cue="added")
    assert marks(row) == [(13, 17, "src"), (18, 23, "cue")]
    assert marks(_row("Officials said so.", source="officials", source_phrase=None, cue="said")) == [
        (0, 9, "src"), (10, 14, "cue")]  # any case
    # the cue is never marked inside the source; a source not in the sentence (inherited) is not marked
    assert marks(_row("Says Who said it.", source="Says Who", source_phrase="Says Who", cue="Says")) == [
        (0, 8, "src")]
    assert marks(_row("It failed, she added.", source="Smith", source_phrase="Smith", cue="added")) == [
        (15, 20, "cue")]
    assert marks(_row("Nothing here.")) == []


def test_a_report_with_spans_renders_them(scorer, example_text):
    """The JSON's source_span/cue_span (article offsets) mark the same words as the strings did on the example."""
    report = scorer.score(example_text)
    found = [marks(row) for row in report.sentences_list]
    assert sum(map(len, found)) >= 6
    for row, spans in zip(report.sentences_list, found):
        by_kind = {kind: [row["start"] + a, row["start"] + b] for a, b, kind in spans}
        row.update(source_span=by_kind.get("src"), cue_span=by_kind.get("cue"))
    assert [marks(row) for row in report.sentences_list] == found
    report.sentences_list[9]["source_span"] = None
    assert marks(report.sentences_list[9]) == [m for m in found[9] if m[2] == "cue"]


def test_sentences_carry_their_marks_as_escaped_text(example):
    page = render_html(example)
    assert '<u class="src">the Pentagon</u> <u class="cue">says</u>' in page
    assert '<u class="src">The State Department</u> <u class="cue">declined</u>' in page


# --- headless Chromium ---------------------------------------------------------------------------------------

def _page(reports, title="notebook") -> str:
    """A notebook-like page: several `_repr_html_` fragments one after another."""
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><meta name='viewport' "
            f"content='width=device-width, initial-scale=1'><title>{title}</title></head><body>"
            + "".join(r._repr_html_() for r in reports) + "</body></html>")


def _open(browser, html: str, path: Path, width: int = 1280):
    path.write_text(html, encoding="utf-8")
    tab = browser.open(path.as_uri())
    tab.resize(width)
    return tab


PANEL = """[...document.querySelectorAll('.attribution-report')].map(root => {
  const p = root.querySelector('.details p:not(.hint)');
  return p ? p.textContent : null; })"""
GLOBALS = "Object.keys(window).filter(k => !['pwned', 'reportPwned'].includes(k))"


@pytest.fixture(scope="module")
def two(scorer, example):
    other = scorer.score("Senate passes the budget\n\nThe Senate passed the budget on Monday, officials said.\n\n"
                         "Smith said the vote was \"a disaster\". It is a shameful day.", article_id="budget")
    return [example, other]


def test_two_reports_on_one_page_both_work(browser, two, tmp_path):
    blank = _open(browser, "<!DOCTYPE html><title>blank</title>", tmp_path / "blank.html")
    tab = _open(browser, _page(two), tmp_path / "two.html")
    assert tab.evaluate(GLOBALS) == blank.evaluate(GLOBALS)  # the scripts left no global name behind
    assert tab.evaluate(PANEL) == [None, None]
    tab.evaluate("document.querySelectorAll('.attribution-report')[1].querySelectorAll('.sentence')[2].click()")
    assert tab.evaluate(PANEL) == [None, "#2 NAMED named_source"]
    tab.evaluate("document.querySelectorAll('.attribution-report')[0].querySelectorAll('.sentence')[9].click()")
    assert tab.evaluate(PANEL) == ["#9 NAMED named_source", "#2 NAMED named_source"]
    ids = tab.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids)) == 2 * 2 + len(two[0].sentences_list) + len(two[1].sentences_list)
    assert tab.errors() == [] and tab.fired() == []


def test_no_horizontal_overflow_on_a_phone(browser, scorer, example, two, tmp_path):
    long = scorer.score("Officials at Averyveryveryverylongorganisationnamewithoutanyspaces" + "x" * 80 + " said the "
                        "file is at https://example.org/" + "a/" * 60 + " today.\n\nSmith said it was fine.")
    for name, html in (("page", render_html(example)), ("two", _page(two)), ("long", render_html(long))):
        for width in (360, 420):
            tab = _open(browser, html, tmp_path / f"{name}{width}.html", width)
            seen = tab.evaluate("""({scroll: document.documentElement.scrollWidth, inner: innerWidth,
              chart: Math.max(...[...document.querySelectorAll('.chart')].map(c => c.getBoundingClientRect().right)),
              wide: [...document.querySelectorAll('.attribution-report *')].filter(
                e => e.getBoundingClientRect().right > innerWidth + 0.5).map(e => e.className || e.localName)})""")
            assert seen["inner"] == width and seen["scroll"] <= width, (name, seen)
            assert seen["chart"] <= width and seen["wide"] == [], (name, seen)
            assert tab.errors() == []


def test_weakest_claim_links_bring_their_sentences_into_view(browser, example, tmp_path):
    tab = _open(browser, render_html(example), tmp_path / "weakest.html", 420)
    links = tab.evaluate("[...document.querySelectorAll('.weakest a')].map(a => +a.dataset.index)")
    assert links == example.summary["weakest"]
    for n, index in enumerate(links):
        tab.evaluate("scrollTo(0, 0)")
        seen = tab.evaluate(f"""(() => {{
          document.querySelectorAll('.weakest a')[{n}].click();
          const s = document.activeElement, box = s.getBoundingClientRect(),
                panel = document.querySelector('.details').getBoundingClientRect();
          return {{index: s.dataset.index, top: box.top, bottom: box.bottom, panelTop: panel.top, y: scrollY,
                   panelBottom: panel.bottom, height: innerHeight,
                   head: document.querySelector('.details p:not(.hint)').textContent, hash: location.hash}};
        }})()""")
        assert seen["index"] == str(index) and seen["head"].startswith(f"#{index} ")
        assert seen["y"] > 0 and 0 <= seen["top"] and seen["bottom"] <= seen["panelTop"]  # visible, above the panel
        assert seen["panelBottom"] <= seen["height"]  # the panel is in view too
        assert seen["hash"] == ""  # handled by the script (a notebook's URL is left alone)
    assert tab.errors() == []


def test_keyboard_focus_opens_the_details(browser, example, tmp_path):
    tab = _open(browser, render_html(example), tmp_path / "keys.html", 420)
    focused = "document.activeElement.classList.contains('sentence') ? +document.activeElement.dataset.index : null"
    for _ in range(30):  # Tab past the links of the summary to the first sentence
        tab.press("Tab")
        if tab.evaluate(focused) is not None:
            break
    assert tab.evaluate(focused) == 0
    assert tab.evaluate(PANEL) == ["#0 OUTLET outlet_claim (headline)"]
    tab.press("Tab")
    assert tab.evaluate(focused) == 1 and tab.evaluate(PANEL) == ["#1 OUTLET outlet_claim"]
    for key in ("Enter", " "):  # Enter and Space open the panel of the focused sentence (Space does not scroll)
        tab.evaluate("document.querySelector('.details').replaceChildren(); scrollTo(0, 0); "
                     "document.querySelectorAll('.sentence')[5].focus({preventScroll: true})")
        tab.evaluate("document.querySelector('.details').replaceChildren()")
        y = tab.evaluate("scrollY")
        tab.press(key)
        assert tab.evaluate(PANEL) == ["#5 OPINION editorial_opinion"] and tab.evaluate("scrollY") == y
    assert tab.evaluate("document.querySelectorAll('.sentence.current').length") == 1
    assert tab.errors() == []


def test_print_layout(browser, example, tmp_path):
    tab = _open(browser, render_html(example), tmp_path / "print.html", 700)
    tab.tools.send("Emulation.setEmulatedMedia", {"media": "print"}, session=tab.session)
    seen = tab.evaluate("""({details: getComputedStyle(document.querySelector('.details')).display,
      tag: getComputedStyle(document.querySelector('.sentence .tag')).display,
      scroll: document.documentElement.scrollWidth, inner: innerWidth})""")
    assert seen["details"] == "none" and seen["tag"] == "inline-block" and seen["scroll"] <= seen["inner"]
    assert json.loads(json.dumps(tab.errors())) == []
