"""CPU time of the last stage (support, sources, reasons, summary) of this checkout against another revision's, in
one process: REV's `scorer` package is extracted (git archive) into a temporary directory as the package
`scorer_old` and imported beside this one (both use the installed model and compiled kernels), each prepares the 84
PolNeAR dev articles once in model batches of `--batch` articles (as `scorer batch` does: `batch.workers.MODEL_BATCH`),
then the two passes alternate: `Scorer._finish_many` of each batch where the checkout has it, else `Scorer._finish` of
each article. Checks first that the two give the same JSON. Prints µs per sentence (median and fastest run of each)
and the median of the paired ratios new / old.

    python bench/finish_vs.py [--vs REV] [--runs 25] [--batch 8]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import dev_texts, old_package, single_thread_env  # noqa: E402

# one native thread, as the batch workers and `scorer score` run (before numpy is imported)
os.environ.update(single_thread_env())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vs", default="HEAD", help="the old revision (default HEAD)")
    ap.add_argument("--runs", type=int, default=25)
    ap.add_argument("--batch", type=int, default=8, help="articles per model batch (default 8, as scorer batch)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old_package(args.vs, Path(tmp))
        sys.path.insert(0, tmp)
        import scorer_old.pipeline as old_pipeline

        import scorer.pipeline as new_pipeline

        texts = dev_texts()
        sides = {}
        for name, module in (("old", old_pipeline), ("new", new_pipeline)):
            scorer = module.Scorer()
            prepared = scorer._prepare_many([module.Article(t, None, f"<text {i}>") for i, t in enumerate(texts)])
            batches = [prepared[i:i + args.batch] for i in range(0, len(prepared), args.batch)]
            sides[name] = (scorer, [(batch, scorer._claim_outputs(batch)) for batch in batches])

        def finish(scorer, batches) -> list:
            if hasattr(scorer, "_finish_many"):
                return [report for batch, claims in batches for report in scorer._finish_many(batch, claims)]
            return [scorer._finish(p, *c) for batch, claims in batches for p, c in zip(batch, claims)]

        outputs = {name: [report.to_json() for report in finish(*side)] for name, side in sides.items()}
        if outputs["old"] != outputs["new"]:
            sys.exit("the two revisions' reports differ")
        n = sum(len(p.sentences) for batch, _ in sides["new"][1] for p in batch)
        times: dict[str, list[float]] = {"old": [], "new": []}
        for _ in range(args.runs):
            for name in ("old", "new"):
                start = time.process_time()
                finish(*sides[name])
                times[name].append(1e6 * (time.process_time() - start) / n)
    ratios = [b / a for a, b in zip(times["old"], times["new"])]
    print(json.dumps({"sentences": n, "runs": args.runs, "batch": args.batch, "old": args.vs,
                      "old_median_us": round(statistics.median(times["old"]), 2),
                      "new_median_us": round(statistics.median(times["new"]), 2),
                      "old_fastest_us": round(min(times["old"]), 2), "new_fastest_us": round(min(times["new"]), 2),
                      "median_ratio": round(statistics.median(ratios), 3)}))


if __name__ == "__main__":
    main()
