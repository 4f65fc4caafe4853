"""CPU µs per sentence of the cue features, the attribution heads (and their n-gram ids) and the claim head, each
stage's calls of a second pass over the 84 PolNeAR dev texts recorded and replayed alone (median of REPS replays),
plus the CPU seconds of the whole pipeline's first pass: the stages of tests/kernels/test_cuek.py's kernels, timed
without the rest of the pipeline around them. Run it in two checkouts alternately and compare (session 14).

    SCORER_KERNELS=1 python bench/heads_replay.py [REPS]
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import dev_texts, single_thread_env  # noqa: E402

os.environ.update(single_thread_env())

import scorer.model.claims as claims_mod  # noqa: E402
import scorer.model.heads as heads_mod  # noqa: E402
import scorer.model.inputs as inputs_mod  # noqa: E402
from scorer.pipeline import Scorer  # noqa: E402


def main() -> None:
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    recorded: dict[str, list] = {"cue": [], "heads": [], "claim": []}
    cue_matrix = inputs_mod.cue_matrix
    head_probabilities = heads_mod.CompiledAttributionModel.head_probabilities
    predict = claims_mod.CompiledClaimModel.predict

    def record_cues(texts):
        recorded["cue"].append(list(texts))
        return cue_matrix(texts)

    def record_heads(self, frame):
        recorded["heads"].append((self, frame))
        return head_probabilities(self, frame)

    def record_claims(self, *args):
        recorded["claim"].append((self, args))
        return predict(self, *args)

    inputs_mod.cue_matrix = record_cues
    heads_mod.CompiledAttributionModel.head_probabilities = record_heads
    claims_mod.CompiledClaimModel.predict = record_claims
    scorer, texts = Scorer(), dev_texts()
    start = time.process_time()
    list(scorer.score_many(texts))
    first = time.process_time() - start
    for calls in recorded.values():
        calls.clear()
    list(scorer.score_many(texts))
    n = sum(len(frame) for _, frame in recorded["heads"])

    def timed(fn) -> float:
        times = []
        for _ in range(reps):
            start = time.process_time()
            fn()
            times.append(time.process_time() - start)
        return 1e6 * sorted(times)[reps // 2] / n

    stages = {
        "cue features": timed(lambda: [cue_matrix(t) for t in recorded["cue"]]),
        "attribution heads": timed(lambda: [head_probabilities(m, f) for m, f in recorded["heads"]]),
        "n-gram ids": timed(lambda: [m.tokens.ids(heads_mod._column(f, "text")) for m, f in recorded["heads"]]),
        "claim head": timed(lambda: [predict(m, *a) for m, a in recorded["claim"]]),
    }
    total = stages["cue features"] + stages["attribution heads"] + stages["claim head"]
    print(f"{n} sentences; first pass {first:.3f} s CPU; µs per sentence: "
          + ", ".join(f"{k} {v:.2f}" for k, v in stages.items()) + f"; cue + heads + claim {total:.2f}")


if __name__ == "__main__":
    main()
