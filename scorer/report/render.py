"""Renderers for a Report: terminal text, Markdown and one self-contained HTML page."""
from __future__ import annotations

import base64
import hashlib
import html
import json

from ..labels import LABELS

TAGS = {"named_source": "NAMED", "anonymous_intelligence": "ANON", "outlet_claim": "OUTLET",
        "editorial_opinion": "OPINION"}
ANSI = {"named_source": "\033[32m", "anonymous_intelligence": "\033[33m", "outlet_claim": "\033[34m",
        "editorial_opinion": "\033[31m"}
CSS_COLOURS = {"named_source": "#b7e4c7", "anonymous_intelligence": "#ffe8a3", "outlet_claim": "#bde0fe",
               "editorial_opinion": "#ffc2c2"}
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


def render_text(report, colour: bool = False) -> str:
    out = []
    for row in report.sentences_list:
        tag = f"{TAGS[row['attribution_type']]:<7}"
        if colour:
            tag = f"{ANSI[row['attribution_type']]}{tag}{RESET}"
        reasons = f"  ({'; '.join(row['reasons'])})" if row["reasons"] else ""
        out.append(f"{row['index']:>3} {tag} {row['support']:.2f}  {row['text']}{_source(row)}{reasons}")
    return "\n".join(out + [""] + summary_lines(report)) + "\n"


def render_markdown(report) -> str:
    title = report.article.get("title") or report.article.get("id") or "Article"
    out = [f"# {title}", "", "| # | type | support | sentence | source | reasons |", "|---|---|---|---|---|---|"]
    for row in report.sentences_list:
        text = row["text"].replace("|", "\\|").replace("\n", " ")
        src = (row["source"] or "").replace("|", "\\|")
        out.append(f"| {row['index']} | {row['attribution_type']} | {row['support']:.2f} | {text} | {src} | "
                   f"{'; '.join(row['reasons']).replace('|', '/')} |")
    out += ["", "## Summary", ""] + [f"- {line}" for line in summary_lines(report)]
    return "\n".join(out) + "\n"


def _chart_svg(report) -> str:
    """Inline SVG: a bar per type share and a bar per sentence's support."""
    shares = report.summary["type_shares"]
    bars = []
    for i, label in enumerate(LABELS):
        w = 300 * shares[label]
        bars.append(f'<rect class="share-bar" x="190" y="{10 + i * 22}" width="{w:.1f}" height="16" '
                    f'fill="{CSS_COLOURS[label]}" stroke="#555"/><text x="5" y="{23 + i * 22}">{label}</text>'
                    f'<text x="{195 + w:.1f}" y="{23 + i * 22}">{shares[label]:.0%}</text>')
    rows = report.sentences_list
    step = 480 / max(1, len(rows))
    sup = [f'<rect class="support-bar" x="{i * step:.1f}" y="{200 - 80 * r["support"]:.1f}" width="{max(step - 1, 1):.1f}" '
           f'height="{80 * r["support"]:.1f}" fill="{CSS_COLOURS[r["attribution_type"]]}" stroke="#555">'
           f'<title>#{r["index"]}: support {r["support"]:.2f}</title></rect>' for i, r in enumerate(rows)]
    return (f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="540" height="215" role="img" '
            f'aria-label="type shares and support per sentence">{"".join(bars)}'
            f'<text x="5" y="112">support per sentence (0-1)</text>{"".join(sup)}</svg>')


def _sha256(text: str) -> str:
    """The CSP source expression ('sha256-<base64>') of an inline <script> or <style> element's exact text."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


# One class per type for the sentence backgrounds and the legend: the page's CSP allows only the hashed <style>
# block, which does not cover style="..." attributes.
_STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:1.5rem auto;padding:0 1rem;line-height:1.55;color:#222}
.sentence{padding:1px 2px;border-radius:3px;cursor:pointer} .sentence:hover{outline:2px solid #333}
.legend span{display:inline-block;padding:2px 8px;margin-right:6px;border-radius:3px}
.details{position:sticky;top:0;background:#f7f7f7;border:1px solid #ccc;padding:.5rem 1rem;min-height:3rem;font-size:.9rem}
.skipped{color:#888;font-size:.85rem} .flags li{color:#a00} h1{font-size:1.4rem}
""" + "".join(f".t-{label}{{background:{CSS_COLOURS[label]}}}\n" for label in LABELS)

# Article words reach the details panel only through textContent/text nodes (never innerHTML). The script finds its
# own report (the .attribution-report it sits in), so two fragments on one notebook page each work on their own.
_SCRIPT = """
(function(){
const me=document.currentScript;
const root=(me&&me.closest('.attribution-report'))||[...document.querySelectorAll('.attribution-report:not([data-bound])')].pop();
if(!root||root.dataset.bound)return;
root.dataset.bound='1';
const data=JSON.parse(root.querySelector('.report-data').textContent);
const details=root.querySelector('.details');
function line(label,value){return [document.createElement('br'),document.createTextNode(label+value)];}
function show(i){const s=data.sentences[i];const p=Object.entries(s.probabilities).map(([k,v])=>k+' '+(100*v).toFixed(0)+'%').join(', ');
const head=document.createElement('b');head.textContent='#'+i+' '+s.attribution_type;
details.replaceChildren(head,document.createTextNode(' \\u00b7 support '+s.support.toFixed(2)+' (grade '+s.support_grade+')'),
...line('probabilities: ',p),...line('source: ',(s.source||'none')+(s.cue?' / cue: '+s.cue:'')),
...line('reasons: ',s.reasons.join('; ')||'none'));}
root.querySelectorAll('.sentence').forEach(el=>el.addEventListener('click',()=>show(+el.dataset.index)));
const chart=root.querySelector('.chart');
chart.setAttribute('data-rendered-width',Math.round(chart.getBoundingClientRect().width));
})();
"""
# The page allows nothing but its own inline script and style (no 'unsafe-inline', no loads of any kind).
CSP = (f"default-src 'none'; script-src {_sha256(_SCRIPT)}; style-src {_sha256(_STYLE)}; "
       "base-uri 'none'; form-action 'none'")

# In a <script> element the HTML parser ends the data at '</script' and treats '<!--' specially; escaping '<', '>'
# and '&' (only ever inside JSON strings) keeps any text inert there, and U+2028/U+2029 are escaped for old JS
# parsers. JSON.parse gives back exactly the same data.
_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def script_json(obj) -> str:
    """`obj` as JSON safe to place inside a <script type="application/json"> element."""
    return json.dumps(obj, ensure_ascii=False).translate(_JSON_ESCAPES)


def render_html(report, fragment: bool = False) -> str:
    """The HTML view; `fragment` omits <html>/<head> (and so the CSP meta) for Jupyter's inline display.
    Article text goes in only as escaped text, escaped attribute values or escaped JSON."""
    esc = html.escape  # quote=True: also escapes " and ' for attribute values
    rows = report.sentences_list
    spans = []
    for row in rows:
        tip = (f"{row['attribution_type']} | support {row['support']:.2f} | source: {row['source'] or 'none'} | "
               + "; ".join(row["reasons"]))
        sep = "<br><br>" if row.get("is_headline") else " "
        kind = esc(row["attribution_type"])
        spans.append(f'<span class="sentence t-{kind}" data-index="{esc(str(row["index"]))}" data-type="{kind}" '
                     f'title="{esc(tip)}">{esc(row["text"])}</span>{sep}')
    legend = "".join(f'<span class="t-{esc(k)}">{esc(k)}</span>' for k in LABELS)
    flags = "".join(f"<li>{esc(f)}</li>" for f in report.summary["flags"]) or "<li>none</li>"
    sources = "".join(f"<li>{esc(s['name'])} &mdash; {esc(s['type'])}, {esc(str(s['count']))}</li>"
                      for s in report.summary["sources"])
    skipped = "; ".join(esc(k["text"]) for k in report.skipped)
    data = script_json({"sentences": rows})
    title = esc(report.article.get("title") or report.article.get("id") or "Article report")
    body = (f'<div class="attribution-report"><style>{_STYLE}</style><h1>{title}</h1>'
            f'<p>Support score <b>{report.summary["support_score"]:.1f}</b>/100 '
            f'<small>({esc(report.summary["support_score_explanation"])})</small></p>'
            f'<div class="legend">{legend}</div>{_chart_svg(report)}'
            f'<div class="details">Click a sentence for its probabilities, source, support and reasons.</div>'
            f'<p class="article">{"".join(spans)}</p><h2>Flags</h2><ul class="flags">{flags}</ul>'
            f'<h2>Sources</h2><ul>{sources or "<li>none</li>"}</ul>'
            f'<p class="skipped">Skipped as page furniture: {skipped or "nothing"}</p>'
            f'<script type="application/json" class="report-data">{data}</script><script>{_SCRIPT}</script></div>')
    if fragment:
        return body
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}"><title>{title}</title></head>'
            f'<body>{body}</body></html>\n')
