"""CPU time of the span tagger (`SpanTagger.spans_many` and its parts) of this checkout against another revision's,
in one process, as a batch worker runs it: REV's `scorer` package is extracted (git archive) into a temporary
directory as the package `scorer_old` and imported beside this one (both use the installed model and compiled
kernels, so `SCORER_KERNELS` applies to both), the 84 PolNeAR dev articles are segmented once and cut into model
calls of `--batch` articles (default 8, the workers' `MODEL_BATCH`), glibc's allocator is tuned as in a worker
(`pool.tune_malloc`; `--no-tune` leaves it, as in `scorer score` or `profile_stages.py`), and the two taggers
alternate call by call (which goes first alternates run by run). Checks first that the two give the same spans.
Prints µs per sentence per part (median of the runs) and the median of the paired ratios new / old.

    python bench/tagger_vs.py [--vs REV] [--runs 10] [--batch 8] [--no-tune]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import dev_texts, old_package

PARTS = ("tokens (batch_tokens)", "emissions", "viterbi", "source confidences", "drop unsure sources, tag_spans")


def _timed_spans(module, tagger, articles, totals: dict) -> None:
    """`spans_many` of the articles, each part's CPU seconds added to `totals`."""
    clock = [time.process_time()]

    def lap(part: str) -> None:
        now = time.process_time()
        totals[part] += now - clock[0]
        clock[0] = now

    tokens = module.batch_tokens(articles)
    lap(PARTS[0])
    emissions = tagger.emissions(tokens)
    lap(PARTS[1])
    tags = tagger.viterbi(emissions, tokens.lengths)
    lap(PARTS[2])
    found = tagger.source_confidence(emissions, tokens.lengths, tags)
    lap(PARTS[3])
    module.tag_spans(tokens, module.drop_unsure_sources(tags, *found, tagger.source_threshold, tokens.lengths))
    lap(PARTS[4])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vs", default="HEAD", help="the old revision (default HEAD)")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=8, help="articles per tagger call (default 8, as the workers)")
    ap.add_argument("--no-tune", action="store_true", help="leave glibc's allocator as it is")
    args = ap.parse_args()
    if not args.no_tune:
        from scorer.pool import tune_malloc

        tune_malloc()
    with tempfile.TemporaryDirectory() as tmp:
        old_package(args.vs, Path(tmp))
        sys.path.insert(0, tmp)
        import scorer_old.attribution.tagger as old_tagger
        from scorer_old.model.store import load_bundle as old_load

        import scorer.attribution.tagger as new_tagger
        from scorer.model.store import load_bundle as new_load
        from scorer.text.segment import split_article

        sides = {"old": (old_tagger, old_load()["spans"]), "new": (new_tagger, new_load()["spans"])}
        articles = [(text, split_article(text)[0]) for text in dev_texts()]
        calls = [articles[i:i + args.batch] for i in range(0, len(articles), args.batch)]
        for call in calls:  # (and the word caches filled, as in a long run)
            if sides["old"][1].spans_many(call) != sides["new"][1].spans_many(call):
                sys.exit("the two revisions' spans differ")
        n = sum(len(sentences) for _, sentences in articles)
        runs: dict[str, list[dict]] = {"old": [], "new": []}
        for run in range(args.runs):
            totals = {name: dict.fromkeys(PARTS, 0.0) for name in sides}
            for call in calls:
                for name in ("old", "new") if run % 2 else ("new", "old"):
                    _timed_spans(*sides[name], call, totals[name])
            for name in sides:
                runs[name].append({part: 1e6 * s / n for part, s in totals[name].items()})
    out = {"sentences": n, "runs": args.runs, "old": args.vs, "batch": args.batch, "tuned_malloc": not args.no_tune,
           "kernels": new_tagger.kernels.ACTIVE}
    for name in sides:
        for r in runs[name]:
            r["total"] = sum(r.values())
    for part in (*PARTS, "total"):
        old, new = [r[part] for r in runs["old"]], [r[part] for r in runs["new"]]
        out[part] = {"old_us": round(statistics.median(old), 2), "new_us": round(statistics.median(new), 2),
                     "median_ratio": round(statistics.median(b / a for a, b in zip(old, new)), 3)}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
