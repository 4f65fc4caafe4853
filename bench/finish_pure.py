"""This round's exact pure-Python pre-checks against the code they replaced (kept frozen in the tests as the
reference), in one process: CPU µs per sentence on the PolNeAR dev articles, the two alternated run by run (median of
--runs), so that a loaded machine slows both alike.

    python bench/finish_pure.py [--runs 7]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "text"))
from common import alternated, dev_texts, table  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7, help="runs of each implementation, alternated (default 7)")
    args = ap.parse_args()
    from test_furniture_speed import ref_furniture_reason
    from test_segment_speed import ref_sentence_spans

    from scorer.text import segment
    from scorer.text.furniture import furniture_reason

    texts = dev_texts()
    n = sum(len(segment.split_article(t)[0]) for t in texts)
    lines = [line.strip() for t in texts for line in t.splitlines() if line.strip()]
    blocks = [t[a:b] for t in texts for a, b in segment._blocks(t, 0, len(t))]
    spans = [segment._punkt_spans(b) for b in blocks]
    stages = [
        ("furniture rules (furniture_reason, every line)", lambda: [ref_furniture_reason(x) for x in lines],
         lambda: [furniture_reason(x) for x in lines]),
        ("segmentation repairs (_sentence_spans, every paragraph)",
         lambda: [ref_sentence_spans(b, s) for b, s in zip(blocks, spans)],
         lambda: [segment._sentence_spans(b, s) for b, s in zip(blocks, spans)]),
    ]
    rows = []
    for label, old, new in stages:
        assert old() == new()
        medians = alternated({"old": old, "new": new}, args.runs)
        o, w = (1e6 * medians[k] / n for k in ("old", "new"))
        rows.append([label, f"{o:.2f}", f"{w:.2f}", f"{w / o:.2f}"])
    print(f"{n} sentences of the {len(texts)} dev articles; CPU µs per sentence, median of {args.runs} alternated runs")
    print(table(["stage", "before", "now", "now / before"], rows))


if __name__ == "__main__":
    main()
