"""Renderers for a Report: terminal text, Markdown and one self-contained HTML page."""
from __future__ import annotations

import html
import json

from . import LABELS

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
    return (f'<svg id="chart" xmlns="http://www.w3.org/2000/svg" width="540" height="215" role="img" '
            f'aria-label="type shares and support per sentence">{"".join(bars)}'
            f'<text x="5" y="112">support per sentence (0-1)</text>{"".join(sup)}</svg>')


_STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:1.5rem auto;padding:0 1rem;line-height:1.55;color:#222}
.sentence{padding:1px 2px;border-radius:3px;cursor:pointer} .sentence:hover{outline:2px solid #333}
.legend span{display:inline-block;padding:2px 8px;margin-right:6px;border-radius:3px}
#details{position:sticky;top:0;background:#f7f7f7;border:1px solid #ccc;padding:.5rem 1rem;min-height:3rem;font-size:.9rem}
.skipped{color:#888;font-size:.85rem} .flags li{color:#a00} h1{font-size:1.4rem}
"""
_SCRIPT = """
const data = JSON.parse(document.getElementById('report-data').textContent);
function show(i){const s=data.sentences[i];const p=Object.entries(s.probabilities).map(([k,v])=>k+' '+(100*v).toFixed(0)+'%').join(', ');
document.getElementById('details').innerHTML='<b>#'+i+' '+s.attribution_type+'</b> &middot; support '+s.support.toFixed(2)+
' (grade '+s.support_grade+')<br>probabilities: '+p+'<br>source: '+(s.source||'none')+(s.cue?' / cue: '+s.cue:'')+
'<br>reasons: '+(s.reasons.join('; ')||'none');}
document.querySelectorAll('.sentence').forEach(el=>el.addEventListener('click',()=>show(+el.dataset.index)));
const chart=document.getElementById('chart');
chart.setAttribute('data-rendered-width', Math.round(chart.getBoundingClientRect().width));
"""


def render_html(report, fragment: bool = False) -> str:
    """The HTML view; `fragment` omits <html>/<head> for Jupyter's inline display."""
    esc = html.escape
    rows = report.sentences_list
    spans = []
    for row in rows:
        tip = (f"{row['attribution_type']} | support {row['support']:.2f} | source: {row['source'] or 'none'} | "
               + "; ".join(row["reasons"]))
        sep = "<br><br>" if row.get("is_headline") else " "
        spans.append(f'<span class="sentence" data-index="{row["index"]}" data-type="{row["attribution_type"]}" '
                     f'style="background:{CSS_COLOURS[row["attribution_type"]]}" title="{esc(tip)}">'
                     f'{esc(row["text"])}</span>{sep}')
    legend = "".join(f'<span style="background:{CSS_COLOURS[k]}">{k}</span>' for k in LABELS)
    flags = "".join(f"<li>{esc(f)}</li>" for f in report.summary["flags"]) or "<li>none</li>"
    sources = "".join(f"<li>{esc(s['name'])} &mdash; {s['type']}, {s['count']}</li>" for s in report.summary["sources"])
    skipped = "; ".join(esc(k["text"]) for k in report.skipped)
    data = json.dumps({"sentences": rows}, ensure_ascii=False).replace("</", "<\\/")
    title = esc(report.article.get("title") or report.article.get("id") or "Article report")
    body = (f'<div class="attribution-report"><style>{_STYLE}</style><h1>{title}</h1>'
            f'<p>Support score <b>{report.summary["support_score"]:.1f}</b>/100 '
            f'<small>({esc(report.summary["support_score_explanation"])})</small></p>'
            f'<div class="legend">{legend}</div>{_chart_svg(report)}'
            f'<div id="details">Click a sentence for its probabilities, source, support and reasons.</div>'
            f'<p class="article">{"".join(spans)}</p><h2>Flags</h2><ul class="flags">{flags}</ul>'
            f'<h2>Sources</h2><ul>{sources or "<li>none</li>"}</ul>'
            f'<p class="skipped">Skipped as page furniture: {skipped or "nothing"}</p>'
            f'<script type="application/json" id="report-data">{data}</script><script>{_SCRIPT}</script></div>')
    if fragment:
        return body
    return f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body>{body}</body></html>\n'
