"""CPU time of the model inputs, cue features, heads, claim features and claim head of this checkout against another
revision's, in one process: REV's `scorer` package is extracted (git archive) into a temporary directory as the
package `scorer_old` and imported beside this one (both use the installed model and, unless SCORER_KERNELS=0, the
compiled kernels). Each segments the 84 PolNeAR dev articles and runs the span tagger once, in model calls of 32
articles; then `article_inputs` of each article and `Scorer._claim_outputs` of each call are timed, the two
checkouts alternating. Checks first that the two give the same claim-head outputs, bit for bit. Prints µs per
sentence (median and fastest run of each), the median of the paired ratios new / old and of the paired differences.

    python bench/inputs_vs.py [--vs REV] [--runs 21]
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import dev_texts, old_package, single_thread_env  # noqa: E402

os.environ.update(single_thread_env())


def _side(package: str, texts: list[str]) -> tuple:
    """(scorer, pipeline module, inputs module, [(segmented articles, their spans)] per model call of 32)."""
    pipeline = importlib.import_module(package + ".pipeline")
    inputs = importlib.import_module(package + ".model.inputs")
    scorer = pipeline.Scorer()
    list(scorer.score_many(texts * 2))  # warm-up: caches, the n-gram coders
    calls = []
    for at in range(0, len(texts), 32):
        segmented = [scorer._segment(pipeline.Article(t, None, f"<text {at + k}>"))
                     for k, t in enumerate(texts[at:at + 32])]
        calls.append((segmented, list(scorer.spans.spans_many([(a.text, s) for a, s, _ in segmented]))))
    return scorer, pipeline, inputs, calls


def _run(side: tuple) -> list:
    scorer, pipeline, inputs, calls = side
    out = []
    for segmented, spans in calls:
        ready = [pipeline.PreparedArticle(*s, inputs.article_inputs(s[0].text, s[1], scorer.attribution.cues,
                                                                     spans=sp))
                 for s, sp in zip(segmented, spans)]
        out.append(scorer._claim_outputs(ready))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vs", default="HEAD", help="the old revision (default HEAD)")
    ap.add_argument("--runs", type=int, default=21)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old_package(args.vs, Path(tmp))
        sys.path.insert(0, tmp)
        texts = dev_texts()
        sides = {name: _side(package, texts) for name, package in (("old", "scorer_old"), ("new", "scorer"))}
        outputs = {name: [[(p.tobytes(), g.tobytes()) for p, g in call] for call in _run(side)]
                   for name, side in sides.items()}
        if outputs["old"] != outputs["new"]:
            sys.exit("the two revisions' claim-head outputs differ")
        n = sum(len(s) for segmented, _ in sides["new"][3] for _, s, _ in segmented)
        times: dict[str, list[float]] = {"old": [], "new": []}
        for run in range(args.runs):
            for name in ("old", "new") if run % 2 else ("new", "old"):
                start = time.process_time()
                _run(sides[name])
                times[name].append(1e6 * (time.process_time() - start) / n)
    ratios = [b / a for a, b in zip(times["old"], times["new"])]
    print(json.dumps({"sentences": n, "runs": args.runs, "old": args.vs,
                      "kernels": os.environ.get("SCORER_KERNELS", "default"),
                      "old_median_us": round(statistics.median(times["old"]), 2),
                      "new_median_us": round(statistics.median(times["new"]), 2),
                      "old_fastest_us": round(min(times["old"]), 2), "new_fastest_us": round(min(times["new"]), 2),
                      "median_ratio": round(statistics.median(ratios), 3),
                      "median_difference_us": round(statistics.median(a - b for a, b in zip(times["old"],
                                                                                             times["new"])), 2)}))


if __name__ == "__main__":
    main()
