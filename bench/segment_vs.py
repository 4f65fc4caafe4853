"""CPU time of segmentation (`split_article`: furniture, nupunkt's spans, repairs) of this checkout against another
revision's, in one process: REV's `scorer` package is extracted (git archive) into a temporary directory as the package
`scorer_old` and imported beside this one; the two passes over the 84 PolNeAR dev articles alternate. With the
compiled kernels active here, the old side uses this build's kernels too where its segmentation had one (the repairs'
`sentence_spans`, unchanged since version 7), whatever VERSION it expects. Checks first that the two give the same
sentences and furniture. Prints µs per sentence (median and fastest run of each), the median of the paired ratios
old / new, and the same for `find_furniture` alone.

    python bench/segment_vs.py [--vs REV] [--runs 25]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import dev_texts, old_package  # noqa: E402


def _paired(label: str, old, new, texts: list[str], n_sentences: int, runs: int) -> None:
    times: dict[str, list[float]] = {"old": [], "new": []}
    for _ in range(runs):
        for name, fn in (("old", old), ("new", new)):
            start = time.perf_counter()
            for text in texts:
                fn(text)
            times[name].append((time.perf_counter() - start) / n_sentences * 1e6)
    ratios = [o / n for o, n in zip(times["old"], times["new"])]
    print(f"{label}: old {statistics.median(times['old']):.2f} (fastest {min(times['old']):.2f}), new "
          f"{statistics.median(times['new']):.2f} (fastest {min(times['new']):.2f}) µs per sentence; old / new "
          f"{statistics.median(ratios):.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vs", default="HEAD", help="the old revision (default HEAD)")
    ap.add_argument("--runs", type=int, default=25)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old_package(args.vs, Path(tmp))
        sys.path.insert(0, tmp)
        import scorer_old.text.furniture as old_furniture
        import scorer_old.text.kernels as old_kernels
        import scorer_old.text.segment as old_segment

        import scorer.text.furniture as new_furniture
        import scorer.text.kernels as new_kernels
        import scorer.text.segment as new_segment

        if new_kernels.ACTIVE and not old_kernels.ACTIVE and hasattr(old_segment, "_sentence_spans_compiled"):
            old_kernels.compiled = new_kernels.compiled
            old_segment._sentence_spans_fast = old_segment._sentence_spans_compiled
        print(f"kernels: new {new_kernels.STATUS}; old {'compiled' if old_kernels.compiled else old_kernels.STATUS}")
        texts = dev_texts()
        old = [old_segment.split_article(t) for t in texts]
        new = [new_segment.split_article(t) for t in texts]
        if [(list(map(tuple, s)), list(map(tuple, k))) for s, k in old] != \
                [(list(map(tuple, s)), list(map(tuple, k))) for s, k in new]:
            sys.exit("segment_vs: the two revisions split the dev articles differently")
        n_sentences = sum(len(s) for s, _ in new)
        print(f"{len(texts)} articles, {n_sentences} sentences, {args.runs} runs each")
        _paired("split_article", old_segment.split_article, new_segment.split_article, texts, n_sentences, args.runs)
        _paired("find_furniture", old_furniture.find_furniture, new_furniture.find_furniture, texts, n_sentences,
                args.runs)


if __name__ == "__main__":
    main()
