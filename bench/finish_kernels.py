"""The kernels of the section "segmentation and finish" against their pure-Python twins, in one process: µs per
sentence on the PolNeAR dev articles, the two implementations alternated run by run (CPU time, median of --runs), so
that a loaded machine slows both alike. Needs the kernels built (`python setup.py build_ext --inplace`).

    python bench/finish_kernels.py [--runs 7] [--json]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import alternated, dev_texts, table  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7, help="runs of each implementation, alternated (default 7)")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = ap.parse_args()
    import _scorer_kernels as K

    from scorer.labels import LABELS
    from scorer.model import support
    from scorer.text import language, segment

    texts = dev_texts()
    articles = [[s.text for s in segment.split_article(t)[0]] for t in texts]
    n = sum(map(len, articles))
    rng = random.Random(21)  # labels as the heads give them: mostly the outlet's and named sources
    labels = [[rng.choices(LABELS, weights=(3, 1, 4, 2))[0] for _ in sents] for sents in articles]
    words = [[support._content_words_python(s) for s in sents] for sents in articles]

    def words_with(fn):
        return lambda: [[fn(s) for s in sents] for sents in articles]

    def counts_with(fn):
        return lambda: [fn(w, lab, 3) for w, lab in zip(words, labels)]

    def english_with(fn):
        def run():
            language._english_counts = fn
            return [language.looks_english(t) for t in texts]
        return run

    stages = [
        ("content words (support.content_words, uncached)", words_with(support._content_words_python),
         words_with(support._content_words_compiled)),
        ("corroboration given the words", counts_with(support._corroborate_python),
         counts_with(support._corroborate_compiled)),
        ("looks_english (per sentence of the article)", english_with(None), english_with(K.english_counts)),
    ]
    saved = language._english_counts
    results = {}
    try:
        for label, python, compiled in stages:
            assert python() == compiled()
            medians = alternated({"python": python, "compiled": compiled}, args.runs)
            results[label] = {k: 1e6 * v / n for k, v in medians.items()}
    finally:
        language._english_counts = saved
    if args.json:
        print(json.dumps({"sentences": n, "stages": results}))
        return
    print(f"{n} sentences of the {len(texts)} dev articles; CPU µs per sentence, median of {args.runs} alternated runs")
    print(table(["stage", "pure Python", "compiled kernels", "ratio"],
                [[k, f"{v['python']:.2f}", f"{v['compiled']:.2f}", f"{v['python'] / v['compiled']:.1f}x"]
                 for k, v in results.items()]))


if __name__ == "__main__":
    main()
