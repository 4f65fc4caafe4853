"""Time per pipeline stage, in µs per sentence, on the PolNeAR dev articles (scored as `scorer batch` scores them:
32 articles per model call, then each report's dict and its JSON line), so the next bottleneck is visible.

The stages are the library's own functions, timed by wrapping them where the pipeline looks them up (a name that
does not exist in the checkout being measured is left out), so the same script measures older commits too
(`bench/run.py` runs it once per checkout). Times are inclusive: an indented stage is part of the one above it.

    python bench/profile_stages.py [--copies 2] [--json]
"""
from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import dev_texts, single_thread_env, table  # noqa: E402

# one native thread, as the batch workers and `scorer score` run (OpenBLAS's threads slow the small products down and
# would put that into the heads' figures); before numpy is imported
os.environ.update(single_thread_env())

# (label, depth, module, attribute path): wrapped where the caller looks the function up
STAGES = [
    ("segment (furniture, nupunkt, repairs)", 0, "scorer.pipeline", "split_article"),
    ("furniture", 1, "scorer.text.segment", "find_furniture"),
    ("span tagger (SpanTagger.spans_many)", 0, "scorer.attribution.tagger", "SpanTagger.spans_many"),
    ("model inputs", 0, "scorer.pipeline", "article_inputs"),
    ("source extraction (find_attribution)", 1, "scorer.model.inputs", "find_attribution"),
    ("sources resolver (ArticleSources.add)", 1, "scorer.model.inputs", "ArticleSources.add"),
    # (called by the pipeline once per batch since session 15: beside "model inputs"; by article_inputs once per
    # article before, when it was a part of "model inputs")
    ("cue features (cue_matrix)", 0, "scorer.pipeline|scorer.model.inputs", "cue_matrix"),
    ("attribution heads", 0, "scorer.model.heads", "CompiledAttributionModel.head_probabilities"),
    ("n-gram ids (Tokens.ids)", 1, "scorer.model.heads", "Tokens.ids"),
    ("claim features", 0, "scorer.pipeline", "claim_features_many|claim_features"),
    ("claim head", 0, "scorer.model.claims", "CompiledClaimModel.predict"),
    ("support, sources, reasons, summary (_finish)", 0, "scorer.pipeline", "Scorer._finish_many|_finish"),
    ("corroboration", 1, "scorer.pipeline", "corroboration_and_overlap|corroboration"),
    ("support features", 1, "scorer.pipeline", "support_features"),
    ("reasons", 1, "scorer.pipeline", "reasons_many|reasons_for"),
    ("summary", 1, "scorer.pipeline", "summarise"),
    ("looks_english", 1, "scorer.pipeline", "looks_english"),
]


def _wrap(totals: dict, label: str, fn, clock=time.perf_counter):
    @functools.wraps(fn)
    def timed(*args, **kwargs):
        start = clock()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[label] += clock() - start
    return timed


def install(totals: dict, clock=time.perf_counter) -> list[str]:
    """Wrap every stage that exists (timed by `clock`); returns the labels of those that do."""
    present = []
    for label, _, modules, path in STAGES:
        # "a|b" modules: the first that has the attribute's first part (a call moved between modules)
        owner = None
        for module in modules.split("|"):
            try:
                owner = importlib.import_module(module)
            except ImportError:
                continue
            if hasattr(owner, path.split(".")[0].split("|")[0]):
                break
        if owner is None:
            continue
        *parents, names = path.split(".")
        for part in parents:
            owner = getattr(owner, part, None)
        # "a|b": the first of the names the checkout has (a stage renamed between commits)
        name = next((n for n in names.split("|") if owner is not None and hasattr(owner, n)), None)
        if name is None:
            continue
        totals[label] = 0.0
        setattr(owner, name, _wrap(totals, label, getattr(owner, name), clock))
        present.append(label)
    return present


def measure(copies: int, model_dir: str | None = None) -> dict:
    """{'sentences': n, 'stages': {label: µs per sentence}} over the dev articles repeated `copies` times."""
    from scorer.pipeline import Scorer

    scorer = Scorer(model_dir)
    texts = dev_texts()
    # warm-up, not timed: lazy imports, caches and what is built once per process (e.g. the n-gram coder after 4,000
    # sentences): the stages' steady cost per sentence, as in a long batch run
    for report in scorer.score_many(texts * 2):
        json.dumps(report.to_dict())
    totals: dict = {}
    install(totals)
    totals["report dicts (to_dict)"] = totals["JSON lines (json.dumps)"] = 0.0
    n = 0
    start = time.perf_counter()
    for report in scorer.score_many(texts * copies):
        t0 = time.perf_counter()
        d = report.to_dict()
        t1 = time.perf_counter()
        json.dumps(d, ensure_ascii=False)
        totals["report dicts (to_dict)"] += t1 - t0
        totals["JSON lines (json.dumps)"] += time.perf_counter() - t1
        n += report.article["n_sentences"]
    total = time.perf_counter() - start
    stages = {"total (in-process, one worker)": total}
    stages.update(totals)
    return {"sentences": n, "stages": {k: 1e6 * v / n for k, v in stages.items()}}


def depth(label: str) -> int:
    return next((d for lab, d, _, _ in STAGES if lab == label), 0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=2, help="times the 84 dev articles are scored (default 2)")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    ap.add_argument("--model", default=None, help="model directory (default: the installed package data)")
    args = ap.parse_args()
    result = measure(args.copies, args.model)
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['sentences']} sentences; µs per sentence, inclusive (an indented stage is part of the one above)")
    print(table(["stage", "µs per sentence"],
                [["&nbsp;&nbsp;" * depth(k) + k, f"{v:,.1f}"] for k, v in result["stages"].items()]))


if __name__ == "__main__":
    main()
