"""The compiled kernels against their pure-Python twins, in one process: µs per sentence of each stage they speed up,
on the PolNeAR dev articles, the two implementations alternated run by run (CPU time, median of --runs), so that a
loaded machine slows both alike. Needs the kernels built (`pip install .`, or `python setup.py build_ext --inplace`).

    python bench/kernels.py [--runs 7] [--json]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import alternated, dev_texts, table  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7, help="runs of each implementation, alternated (default 7)")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = ap.parse_args()
    import _scorer_kernels

    from scorer.attribution.tagger import SpanTagger
    from scorer.model.store import load_bundle
    from scorer.text import kernels, quotes, segment

    kernels.compiled = _scorer_kernels
    texts = dev_texts()
    articles = [(t, segment.split_article(t)[0]) for t in texts]
    n = sum(len(s) for _, s in articles)
    quoted = [s.text for _, sents in articles for s in sents]
    tagger = next(v for v in load_bundle().values() if isinstance(v, SpanTagger))

    def segment_all():
        for text in texts:
            segment.split_article(text)

    def tag_all():
        for b in range(0, len(articles), 32):  # as score_many calls it
            tagger.spans_many(articles[b:b + 32])

    def masks_all():
        for text in quoted:
            quotes.quoted_mask.__wrapped__(text)

    def use(compiled: bool) -> None:
        kernels.ACTIVE = compiled
        segment._sentence_spans_fast = segment._sentence_spans_compiled if compiled else segment._sentence_spans
        quotes._mask = _scorer_kernels.quoted_mask if compiled else quotes._quoted_mask_python

    stages = [("segment (split_article: furniture, nupunkt, repairs)", segment_all),
              ("span tagger (spans_many, 32 articles per call)", tag_all),
              ("quote mask (quoted_mask, every sentence)", masks_all)]
    results = {}
    for label, fn in stages:
        for compiled in (False, True):  # warm-up: caches (the tagger's word table) filled for both
            use(compiled)
            fn()
        medians = alternated({False: fn, True: fn}, args.runs, before=use)
        py, c = (1e6 * medians[k] / n for k in (False, True))
        results[label] = {"python": py, "compiled": c, "python / compiled": py / c}
    use(kernels.compiled is not None)
    if args.json:
        print(json.dumps({"sentences": n, "stages": results}))
        return
    print(f"{n} sentences; CPU µs per sentence, median of {args.runs} alternated runs")
    print(table(["stage", "pure Python", "compiled kernels", "ratio"],
                [[k, f"{v['python']:.1f}", f"{v['compiled']:.1f}", f"{v['python / compiled']:.2f}x"]
                 for k, v in results.items()]))


if __name__ == "__main__":
    main()
