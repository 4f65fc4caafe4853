"""The whole in-process pipeline of this checkout against another revision's, both in one process: a batch worker's
steady state (the 84 PolNeAR dev articles scored 8 at a time, each report's dict written by orjson as `scorer batch`
writes it), after two warm-up passes, the passes of old and new alternating; CPU µs per sentence and the median of
the paired ratios. The old revision's scorer/ is imported as `scorer_old` (`common.old_package`); with the kernels it
runs this checkout's build (a newer kernels version holds the old one's functions unchanged).

    python bench/pipeline_vs.py [--vs main] [--runs 9]
"""
from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import dev_texts, old_package, single_thread_env  # noqa: E402

os.environ.update(single_thread_env())


def _pass(scorer, article, texts, dumps) -> int:
    """One pass over the texts, 8 articles a model call (`batch.workers.MODEL_BATCH`): the number of sentences."""
    n = 0
    items = [article(t, None, f"<text {i}>") for i, t in enumerate(texts)]
    for start in range(0, len(items), 8):
        for report in scorer.score_batch(items[start:start + 8]):
            dumps(report.to_dict())
            n += len(report.sentences_list)
    return n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vs", default="main", help="the old revision (default main)")
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old_package(args.vs, Path(tmp))
        sys.path.insert(0, tmp)
        import scorer_old.text.kernels as old_kernels

        import scorer.text.kernels as new_kernels
        if new_kernels.ACTIVE and not old_kernels.ACTIVE:  # (before the old modules pick their kernels)
            old_kernels.compiled, old_kernels.ACTIVE, old_kernels.STATUS = new_kernels.compiled, True, "compiled"
        import scorer_old.pipeline as old_pipeline
        from scorer.report.report import dumps

        import scorer.pipeline as new_pipeline
        print(f"kernels: new {new_kernels.STATUS}; old {old_kernels.STATUS}")
        texts = dev_texts()
        sides = {"old": (old_pipeline.Scorer(), old_pipeline.Article),
                 "new": (new_pipeline.Scorer(), new_pipeline.Article)}
        outputs = {name: [r.to_json() for r in s.score_batch([a(t) for t in texts[:16]])]
                   for name, (s, a) in sides.items()}
        if outputs["old"] != outputs["new"]:
            sys.exit("pipeline_vs: the two revisions' reports differ")
        for name, (s, a) in sides.items():
            for _ in range(2):
                _pass(s, a, texts, dumps)
        gc.collect()
        gc.freeze()
        gc.set_threshold(10_000)  # (as a batch worker: `pool.quiet_collector`)
        times: dict[str, list[float]] = {"old": [], "new": []}
        for _ in range(args.runs):
            for name, (s, a) in sides.items():
                start = time.process_time()
                n = _pass(s, a, texts, dumps)
                times[name].append((time.process_time() - start) / n * 1e6)
        print("old", " ".join(f"{t:.1f}" for t in times["old"]))
        print("new", " ".join(f"{t:.1f}" for t in times["new"]))
        ratio = statistics.median([new / old for old, new in zip(times["old"], times["new"])])
        print(f"{n} sentences a pass, {args.runs} passes each: old {statistics.median(times['old']):.2f}, new "
              f"{statistics.median(times['new']):.2f} CPU µs per sentence (medians); new / old {ratio:.3f} "
              "(median of the paired ratios)")


if __name__ == "__main__":
    main()
