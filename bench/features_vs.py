"""CPU time of the model stages of session 16's purefeat (cue features, attribution heads, claim head, corroboration,
reasons) in this checkout against another revision's, in one process: REV's `scorer` package is extracted (git
archive) into a temporary directory as the package `scorer_old` and imported beside this one, each side loads its own
model objects, and the calls of a pipeline pass over the 84 PolNeAR dev articles (as `Scorer.score_many` makes them)
are recorded once and replayed by both sides alternately (the heads then the claim head, batch by batch, as the
pipeline calls them: the claim head reads the heads' tokens). Checks that both sides return the same values, bit for
bit. Prints µs per sentence (CPU, median run) and the median of the paired ratios new / old. Meant for
SCORER_KERNELS=0 (both sides pure Python; with the kernels both use this build's).

    SCORER_KERNELS=0 python bench/features_vs.py [--vs REV] [--runs 9]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import dev_texts, old_package, single_thread_env  # noqa: E402

os.environ.update(single_thread_env())

STAGES = ("cue features", "attribution heads", "claim head", "corroboration", "reasons")


def _same(a, b) -> bool:
    import numpy as np

    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vs", default="HEAD", help="the old revision (default HEAD)")
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old_package(args.vs, Path(tmp))
        sys.path.insert(0, tmp)
        import scorer_old.model.claims as old_claims
        import scorer_old.model.heads as old_heads
        import scorer_old.pipeline as old_pipeline

        from scorer import pipeline
        from scorer.model import claims, heads
        from scorer.text import kernels

        sides = {name: {"cue features": p.cue_matrix, "attribution heads": h.CompiledAttributionModel.head_probabilities,
                        "claim head": c.CompiledClaimModel.predict, "corroboration": p.corroboration_and_overlap,
                        "reasons": p.reasons_many}
                 for name, p, h, c in (("new", pipeline, heads, claims), ("old", old_pipeline, old_heads, old_claims))}
        calls: dict[str, list] = {stage: [] for stage in STAGES}

        def recorder(stage: str, fn, method: bool = False):
            def record(*a):
                calls[stage].append(a[1:] if method else a)
                return fn(*a)
            return record

        new = sides["new"]
        pipeline.cue_matrix = recorder("cue features", new["cue features"])
        heads.CompiledAttributionModel.head_probabilities = recorder("attribution heads", new["attribution heads"], True)
        claims.CompiledClaimModel.predict = recorder("claim head", new["claim head"], True)
        pipeline.corroboration_and_overlap = recorder("corroboration", new["corroboration"])
        pipeline.reasons_many = recorder("reasons", new["reasons"])
        texts = dev_texts()
        scorers = {"new": pipeline.Scorer(), "old": old_pipeline.Scorer()}
        for scorer in scorers.values():  # (a first pass each: warm caches, the n-gram coders built)
            list(scorer.score_many(texts))
            list(scorer.score_many(texts))
        for recorded in calls.values():
            recorded.clear()
        list(scorers["new"].score_many(texts))
        n = sum(len(a[0]) for a in calls["attribution heads"])
        models = {name: (s.attribution, s.claims) for name, s in scorers.items()}

        def run(name: str) -> tuple[dict[str, float], list]:
            fns, (attribution, claim_model) = sides[name], models[name]
            spent, outputs = dict.fromkeys(STAGES, 0.0), []
            for stage in ("cue features", "corroboration", "reasons"):
                start = time.process_time()
                outputs.append([fns[stage](*a) for a in calls[stage]])
                spent[stage] = time.process_time() - start
            for head_args, claim_args in zip(calls["attribution heads"], calls["claim head"]):
                start = time.process_time()
                outputs.append(fns["attribution heads"](attribution, *head_args))
                middle = time.process_time()
                outputs.append(fns["claim head"](claim_model, *claim_args))
                spent["attribution heads"] += middle - start
                spent["claim head"] += time.process_time() - middle
            return spent, outputs

        if not _same(run("new")[1], run("old")[1]):
            sys.exit("features_vs: the two revisions' stages give different values")
        times: dict[str, list] = {"new": [], "old": []}
        for k in range(args.runs):
            for name in (("new", "old") if k % 2 else ("old", "new")):
                times[name].append(run(name)[0])
        print(f"kernels: {kernels.STATUS}; {len(texts)} articles, {n} sentences, {args.runs} runs each; CPU µs per "
              "sentence, median run")
        print("| stage | new | old | new / old (median of paired ratios) |\n|---|---|---|---|")
        for stage in (*STAGES, "all five"):
            pick = (lambda t: sum(t.values())) if stage == "all five" else (lambda t, s=stage: t[s])
            new_t, old_t = ([pick(t) for t in times[name]] for name in ("new", "old"))
            ratios = [a / b for a, b in zip(new_t, old_t)]
            print(f"| {stage} | {1e6 * statistics.median(new_t) / n:.2f} | {1e6 * statistics.median(old_t) / n:.2f} | "
                  f"{statistics.median(ratios):.3f} |")


if __name__ == "__main__":
    main()
