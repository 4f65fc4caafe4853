"""CPU time per sentence of segmentation (`split_article`, of it `find_furniture`) and of the last stage
(`Scorer._finish_many` over model batches of 8 prepared once, with each report's `to_dict`) of the checkout that
`scorer` is imported from, on the 84 PolNeAR dev texts: the fastest of `--runs` passes of each (CPU time, so a loaded
machine shows less). Run it alternately from two checkouts to compare them (the script itself only needs bench/common):

    python bench/finish_segment_cpu.py [--runs 9]
    cd ../main && python ../wt-rowk/bench/finish_segment_cpu.py
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import dev_texts, single_thread_env  # noqa: E402

os.environ.update(single_thread_env())  # (before numpy is imported)


def fastest(fn, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    from scorer import pipeline
    from scorer.text import kernels, segment

    texts = dev_texts()
    scorer = pipeline.Scorer()
    batches = []
    for i in range(0, len(texts), 8):
        prepared = scorer._prepare_many([pipeline.Article(t) for t in texts[i:i + 8]])
        batches.append((prepared, scorer._claim_outputs(prepared)))
    n = sum(len(p.sentences) for prepared, _ in batches for p in prepared)

    def finish():
        for prepared, claims in batches:
            for report in scorer._finish_many(prepared, claims):
                report.to_dict()

    split = fastest(lambda: [segment.split_article(t) for t in texts], args.runs)
    find = fastest(lambda: [segment.find_furniture(t) for t in texts], args.runs)
    last = fastest(finish, args.runs)
    print(f"{pipeline.__file__} kernels={kernels.STATUS.split()[0]} sentences={n} (µs per sentence, CPU): "
          f"segment {split * 1e6 / n:.2f} furniture {find * 1e6 / n:.2f} _finish {last * 1e6 / n:.2f}")


if __name__ == "__main__":
    main()
