"""Agreement between PolNeAR's two annotators on the articles both read: the ceiling of the span figures.

PolNeAR had some articles annotated by two people (the metadata's `annotators` column lists both). This scores the
second annotator's spans against the first's with the very measures `scorer evaluate` uses for the span tagger
(`scorer.training.spantagger.span_measures`: exact and token-overlap P/R/F1 per role, sentence detection F1), on the
scorer's own sentences and tokens. A tagger that learns from one annotator per article cannot be expected to agree
with a held-out annotator better than two annotators agree with each other.

Usage: PYTHONPATH=. python tools/span_agreement.py --data ../shared/data [--splits train,dev] [--json]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from scorer.attribution.tagger import sentence_tokens
from scorer.text.segment import split_article
from scorer.training.brat import read_ann
from scorer.training.corpus import polnear_metadata
from scorer.training.spantagger import SpanDocument, gold_tags, span_measures


def agreement(data_dir: Path, splits: tuple[str, ...]) -> tuple[int, dict]:
    """(number of doubly annotated articles, span measures of annotator 2 against annotator 1)."""
    base = data_dir / "polnear" / "data"
    docs, second = [], []
    for meta in polnear_metadata(data_dir):
        annotators = meta["annotators"].split("|")
        if meta["compartment"] not in splits or len(annotators) < 2:
            continue
        split, name = meta["compartment"], meta["filename"]
        text = (base / split / "text" / f"{name}.txt").read_text(encoding="utf-8")
        first = read_ann(base / split / "attributions" / f"{name}_{annotators[0]}.ann")
        other = read_ann(base / split / "attributions" / f"{name}_{annotators[1]}.ann")
        sentences, _ = split_article(text)
        tokens = sentence_tokens(text, sentences)
        docs.append(SpanDocument(name, text, sentences, tokens, gold_tags(text, first, tokens)))
        second.append(gold_tags(text, other, tokens))
    return len(docs), span_measures(docs, second)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--splits", default="train,dev", help="PolNeAR compartments to read (default train,dev)")
    ap.add_argument("--json", action="store_true", help="print the measures as one JSON object")
    args = ap.parse_args()
    n, measures = agreement(args.data, tuple(args.splits.split(",")))
    if args.json:
        print(json.dumps({"articles": n, **measures}, indent=2))
        return
    print(f"{n} doubly annotated PolNeAR articles ({args.splits}); annotator 2 scored against annotator 1:")
    print(json.dumps(measures, indent=2))


if __name__ == "__main__":
    main()
