"""Renderers for a Report: terminal text, Markdown, and the HTML view (one self-contained page, or the same view
as a fragment for a notebook, where any number of reports can share one page)."""
from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from itertools import pairwise

from ..labels import LABELS

TAGS = {"named_source": "NAMED", "anonymous_intelligence": "ANON", "outlet_claim": "OUTLET",
        "editorial_opinion": "OPINION"}
ANSI = {"named_source": "\033[32m", "anonymous_intelligence": "\033[33m", "outlet_claim": "\033[34m",
        "editorial_opinion": "\033[31m"}
# Okabe-Ito colours (told apart with the common colour-vision deficiencies); on the page colour only adds to the
# type tag written as text. The sentence tints in html_view.css are these mixed with white.
COLOURS = {"named_source": "#009e73", "anonymous_intelligence": "#e69f00", "outlet_claim": "#0072b2",
           "editorial_opinion": "#cc79a7"}
# one line per label, as README's "The labels" says it (tests/report/test_html_view.py compares them)
MEANINGS = {
    "named_source": "an identified person or organisation on the record (\"the Pentagon says\", \"she added\").",
    "anonymous_intelligence": "a source the reader cannot identify (\"officials said\", \"intelligence agencies "
                              "believe\").",
    "outlet_claim": "a news outlet, either another outlet's report or the publisher's own plain narration.",
    "editorial_opinion": "the writer's own judgement, speculation or prediction.",
}
GRADE_WORDS = ("unsupported", "weakly supported", "partly supported", "well supported")  # grades 0-3 (README)
RESET = "\033[0m"


def _source(row: dict) -> str:
    if not row["source"]:
        return ""
    phrase = row.get("source_phrase")
    refers = f" ('{phrase}')" if phrase and phrase != row["source"] else ""
    via = f", via {row['via']}" if row.get("via") else ""
    return f" [{row['source']}{refers}{' / ' + row['cue'] if row['cue'] else ''}{via}]"


def summary_lines(report) -> list[str]:
    s = report.summary
    lines = [f"Support score: {s['support_score']:.1f}/100 ({s['support_score_explanation']})",
             "Type shares: " + ", ".join(f"{k} {v:.0%}" for k, v in s["type_shares"].items())]
    if s["sources"]:
        lines.append("Sources: " + "; ".join(f"{x['name']} ({x['type']}, {x['count']})" for x in s["sources"]))
    lines.append("Weakest claims: " + ", ".join(f"#{i}" for i in s["weakest"]))
    lines.append("Flags: " + ("; ".join(s["flags"]) if s["flags"] else "none"))
    if report.skipped:
        lines.append("Skipped: " + "; ".join(f"{k['text']!r} ({k['reason']})" for k in report.skipped))
    return lines


# control characters (C0 but tab and newline, DEL, C1) of article text: a terminal would act on them (ESC starts an
# escape sequence), so the text report shows U+FFFD instead; the colours are the renderer's own codes
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _inert(text: str) -> str:
    return _CONTROL.sub("\ufffd", text)


def render_text(report, colour: bool = False) -> str:
    out = []
    for row in report.sentences_list:
        tag = f"{TAGS[row['attribution_type']]:<7}"
        if colour:
            tag = f"{ANSI[row['attribution_type']]}{tag}{RESET}"
        reasons = f"  ({'; '.join(row['reasons'])})" if row["reasons"] else ""
        out.append(f"{row['index']:>3} {tag} {row['support']:.2f}  {_inert(row['text'] + _source(row) + reasons)}")
    return "\n".join(out + [""] + [_inert(line) for line in summary_lines(report)]) + "\n"


def _md(text: str) -> str:
    """Article text as Markdown text: HTML's special characters escaped (a Markdown viewer renders raw HTML), on one
    line, with no control characters."""
    return esc(_inert(text).replace("\n", " "), quote=False)


def render_markdown(report) -> str:
    title = report.article.get("title") or report.article.get("id") or "Article"
    out = [f"# {_md(title)}", "", "| # | type | support | sentence | source | reasons |", "|---|---|---|---|---|---|"]
    for row in report.sentences_list:
        text = _md(row["text"]).replace("|", "\\|")
        src = _md(row["source"] or "").replace("|", "\\|")
        out.append(f"| {row['index']} | {row['attribution_type']} | {row['support']:.2f} | {text} | {src} | "
                   f"{_md('; '.join(row['reasons'])).replace('|', '/')} |")
    out += ["", "## Summary", ""] + [f"- {_md(line)}" for line in summary_lines(report)]
    return "\n".join(out) + "\n"



def _sha256(text: str) -> str:
    """The CSP source expression ('sha256-<base64>') of an inline <script> or <style> element's exact text."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


# The view's style and script (html_view.css, html_view.js beside this file) are the same text in every render, so
# the standalone page's CSP can name them by hash. Every CSS rule is under .attribution-report and the script is one
# function that works only inside its own report, so any number of reports live on one page (a notebook).
# They are read when the first page is rendered (`_assets`), not when a text report is (importlib.resources and the
# files: ~13 ms of a cold `scorer score`); the module's names _STYLE, _SCRIPT and CSP give them too (`__getattr__`).
_ASSETS: dict[str, str] = {}


def _assets() -> dict[str, str]:
    """{_STYLE, _SCRIPT, CSP}: the view's style and script, and the page's CSP, which allows nothing but its own inline
    script and style (no 'unsafe-inline', no loads of any kind)."""
    if not _ASSETS:
        from importlib.resources import files

        style = files("scorer.report").joinpath("html_view.css").read_text("utf-8")
        script = files("scorer.report").joinpath("html_view.js").read_text("utf-8")
        csp = (f"default-src 'none'; script-src {_sha256(script)}; style-src {_sha256(style)}; "
               "base-uri 'none'; form-action 'none'")
        _ASSETS.update(_STYLE=style, _SCRIPT=script, CSP=csp)
    return _ASSETS


def __getattr__(name: str) -> str:
    if name in ("_STYLE", "_SCRIPT", "CSP"):
        return _assets()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

# In a <script> element the HTML parser ends the data at '</script' and treats '<!--' specially; escaping '<', '>'
# and '&' (only ever inside JSON strings) keeps any text inert there, and U+2028/U+2029 are escaped for old JS
# parsers. JSON.parse gives back exactly the same data.
_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def script_json(obj) -> str:
    """`obj` as JSON safe to place inside a <script type="application/json"> element."""
    return json.dumps(obj, ensure_ascii=False).translate(_JSON_ESCAPES)


def esc(text: str, quote: bool = True) -> str:
    """html.escape (quote=True: also escapes " and ' for attribute values); the html module is imported when a page
    or Markdown is rendered, not for a text report."""
    from html import escape

    return escape(text, quote)


def article_text(report) -> str | None:
    """The scored text the sentence offsets refer to (`article.text`, or the text the pipeline kept), if every
    sentence's offsets slice it to the sentence's text; else None."""
    text = report.article.get("text") or getattr(report, "text", None)
    if not isinstance(text, str) or any(text[r["start"]:r["end"]] != r["text"] for r in report.sentences_list):
        return None
    return text


_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


def paragraphs(report) -> list[list[dict]]:
    """The sentence rows grouped into the article's paragraphs: a new paragraph where the text between two
    sentences has a blank line (or, in an article with no blank line between sentences, a line break); the
    headline is a paragraph of its own. Without the article text: the headline, then the body as one paragraph."""
    rows = report.sentences_list
    text = article_text(report)
    gaps = [text[a["end"]:b["start"]] if text is not None else "" for a, b in pairwise(rows)]
    breaks = _BLANK_LINE.search if any(_BLANK_LINE.search(g) for g in gaps) else (lambda g: "\n" in g)
    out = [[rows[0]]]
    for prev, row, gap in zip(rows, rows[1:], gaps):
        if prev.get("is_headline") or row.get("is_headline") or breaks(gap):
            out.append([])
        out[-1].append(row)
    return out


def _span(row: dict, key: str) -> tuple[int, int] | None:
    """The row's `<key>_span` ([start, end] article offsets) as offsets into the sentence, if it lies inside it."""
    span = row.get(f"{key}_span")
    if not (isinstance(span, (list, tuple)) and len(span) == 2 and all(isinstance(x, int) for x in span)):
        return None
    a, b = span[0] - row["start"], span[1] - row["start"]
    return (a, b) if 0 <= a < b <= len(row["text"]) else None


def _find(text: str, phrase: str | None, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The first occurrence of `phrase` in `text` that overlaps none of `taken` (exact case, then any case)."""
    if not phrase:
        return None
    for hay, needle in ((text, phrase), (text.lower(), phrase.lower())):
        if len(hay) != len(text):
            break
        at = hay.find(needle)
        while at >= 0:
            if not any(at < b and a < at + len(needle) for a, b in taken):
                return at, at + len(needle)
            at = hay.find(needle, at + 1)
    return None


def marks(row: dict) -> list[tuple[int, int, str]]:
    """Where the source ('src') and the cue ('cue') are in the sentence: (start, end, kind) in sentence offsets.
    From the row's source_span/cue_span ([start, end] article offsets, or null for none) where the row has them
    (a span outside the sentence, as for a source carried over from an earlier one, is not marked); in a report
    without them, the first occurrence of the source phrase (or the source) and of the cue in the sentence text.
    Never overlapping; sorted."""
    out: list[tuple[int, int, str]] = []
    if "source_span" in row:
        src = _span(row, "source")
    elif row.get("source"):
        src = _find(row["text"], row.get("source_phrase"), []) or (
            _find(row["text"], row["source"], []) if row["source"] != row.get("source_phrase") else None)
    else:
        src = None
    if src:
        out.append((*src, "src"))
    taken = [(a, b) for a, b, _ in out]
    cue = _span(row, "cue") if "cue_span" in row else _find(row["text"], row.get("cue"), taken)
    if cue and not any(cue[0] < b and a < cue[1] for a, b in taken):
        out.append((*cue, "cue"))
    return sorted(out)


def sentence_html(row: dict, root_id: str) -> str:
    """A sentence: focusable, its type tag as text, its source and cue underlined (article text only escaped)."""
    kind = esc(row["attribution_type"])
    pieces, at = [], 0
    for a, b, mark in marks(row):
        pieces += [esc(row["text"][at:a]), f'<u class="{mark}">{esc(row["text"][a:b])}</u>']
        at = b
    pieces.append(esc(row["text"][at:]))
    index = esc(str(row["index"]))
    return (f'<span class="sentence t-{kind}" id="{root_id}-s{index}" data-index="{index}" data-type="{kind}" '
            f'tabindex="0" role="button" aria-controls="{root_id}-details"><span class="tag">{TAGS[row["attribution_type"]]}'
            f'</span> {"".join(pieces)}</span>')


def _chart_svg(report) -> str:
    """The type shares as horizontal bars on a 0-100% axis with ticks; names left of the plot, values right of it
    (in their own columns, so no label ever runs into a bar)."""
    shares = report.summary["type_shares"]
    n = len(report.sentences_list)
    counts = {label: sum(r["attribution_type"] == label for r in report.sentences_list) for label in LABELS}
    x0, x1, row_h = 74, 290, 26
    out = []
    for tick in (0, 25, 50, 75, 100):
        x = x0 + (x1 - x0) * tick / 100
        out.append(f'<line class="grid" x1="{x:g}" y1="2" x2="{x:g}" y2="{4 + row_h * len(LABELS)}"/>'
                   f'<text x="{x:g}" y="{20 + row_h * len(LABELS)}" text-anchor="middle">{tick}%</text>')
    for i, label in enumerate(LABELS):
        y = 6 + row_h * i
        w = (x1 - x0) * shares[label]
        out.append(f'<text class="lab" x="{x0 - 6}" y="{y + 13}" text-anchor="end">{TAGS[label]}</text>'
                   f'<rect class="bar share-bar" x="{x0}" y="{y}" width="{w:.1f}" height="18" fill="{COLOURS[label]}"/>'
                   f'<text x="{x1 + 8}" y="{y + 13}">{shares[label]:.0%} ({counts[label]})</text>')
    out.append(f'<line class="axis" x1="{x0}" y1="{4 + row_h * len(LABELS)}" x2="{x1}" y2="{4 + row_h * len(LABELS)}"/>')
    described = ", ".join(f"{TAGS[k]} {shares[k]:.0%} ({counts[k]} of {n})" for k in LABELS)
    return (f'<svg class="chart" viewBox="0 0 360 {26 + row_h * len(LABELS)}" width="360" '
            f'height="{26 + row_h * len(LABELS)}" role="img" aria-label="Attribution types: {esc(described)}">'
            f'{"".join(out)}</svg>')


def _goto(row: dict, root_id: str, text: str) -> str:
    """A link to a sentence (the view's script scrolls to it, focuses it and opens its details)."""
    return f'<a href="#{root_id}-s{row["index"]}" data-index="{row["index"]}">{text}</a>'


def _snippet(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "\u2026"


def summary_html(report, root_id: str) -> str:
    s, by_index = report.summary, {r["index"]: r for r in report.sentences_list}
    sources = "".join(
        f'<li>{esc(x["name"])} <span class="tag t-{esc(x["type"])}">{TAGS[x["type"]]}</span> '
        f'{x["count"]} sentence{"s" if x["count"] != 1 else ""}'
        + (": " + ", ".join(_goto(by_index[i], root_id, f"#{i}") for i in x.get("sentences", []) if i in by_index)
           if x.get("sentences") else "") + "</li>"
        for x in s["sources"]) or "<li>none</li>"
    flags = "".join(f"<li>{esc(f)}</li>" for f in s["flags"]) or "<li>none</li>"
    weakest = "".join(
        f'<li>{_goto(by_index[i], root_id, f"#{i}")} support {by_index[i]["support"]:.2f} '
        f'<span class="tag t-{esc(by_index[i]["attribution_type"])}">{TAGS[by_index[i]["attribution_type"]]}</span> '
        f'<q>{esc(_snippet(by_index[i]["text"]))}</q></li>'
        for i in s["weakest"] if i in by_index) or "<li>none</li>"
    n = len(report.sentences_list)
    return (f'<div class="summary"><div><h2>Support score</h2><p class="score"><b>{s["support_score"]:.1f}</b> / 100</p>'
            f'<p class="explain">{esc(s.get("support_score_explanation") or "")}</p>'
            f'<h2>Attribution types</h2><figure>{_chart_svg(report)}</figure>'
            f'<p class="explain">Share of the {n} sentence{"s" if n != 1 else ""} (count in brackets).</p></div>'
            f'<div><h2>Sources</h2><ul class="sources">{sources}</ul><h2>Flags</h2><ul class="flags">{flags}</ul>'
            f'<h2>Weakest claims</h2><ol class="weakest">{weakest}</ol></div></div>')


def render_html(report, fragment: bool = False, root_id: str | None = None) -> str:
    """The HTML view: the standalone page, or with `fragment` the same report without <html>/<head> (and so
    without the CSP and viewport metas) for Jupyter's inline display. Everything sits in one root element with
    an id of its own (`root_id`; by default a random one for a fragment, since a notebook may show one report
    twice, and one made from the report's content for the page, so the same report gives the same file), so
    several reports work on one page. Article text goes in only as escaped text, escaped attribute values or
    escaped JSON."""
    data = script_json({"sentences": report.sentences_list, "tags": TAGS, "grades": GRADE_WORDS})
    if root_id is None:
        root_id = "ar-" + (uuid.uuid4().hex if fragment else hashlib.sha256(data.encode("utf-8")).hexdigest())[:12]
    title = esc(report.article.get("title") or report.article.get("id") or "Article report")
    legend = "".join(f'<li><span class="tag t-{k}">{TAGS[k]}</span> {k}: {esc(MEANINGS[k])}</li>' for k in LABELS)
    article = "".join(
        ('<p class="headline">' if any(r.get("is_headline") for r in para) else "<p>")
        + " ".join(sentence_html(r, root_id) for r in para) + "</p>"
        for para in paragraphs(report))
    skipped = "; ".join(esc(k["text"]) for k in report.skipped)
    assets = _assets()
    body = (f'<div class="attribution-report" id="{root_id}"><style>{assets["_STYLE"]}</style><h1>{title}</h1>'
            f'{summary_html(report, root_id)}'
            f'<h2>Article</h2><ul class="legend">{legend}</ul>'
            f'<p class="marks">Each sentence starts with its type; its source is <u class="src">underlined</u>, '
            f'the cue word <u class="cue">dotted</u>.</p><div class="body"><div class="article">{article}</div>'
            f'<div class="details" id="{root_id}-details" aria-live="polite"><p class="hint">Select a sentence (click '
            f'it, or Tab to it) for its probabilities, support, grade, reasons and source.</p></div></div>'
            f'<p class="skipped">Skipped as page furniture: {skipped or "nothing"}</p>'
            f'<script type="application/json" class="report-data">{data}</script>'
            f'<script>{assets["_SCRIPT"]}</script></div>')
    if fragment:
        return body
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta http-equiv="Content-Security-Policy" content="{esc(assets["CSP"])}"><title>{title}</title></head>'
            f'<body>{body}</body></html>\n')
