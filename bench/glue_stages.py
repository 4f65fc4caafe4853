"""µs per sentence of the three stages session 15's glue work touched, in the checkout whose `scorer` is imported:
`article_inputs` of each of the 84 PolNeAR dev articles (their sentences and span-tagger spans made beforehand),
`Scorer._finish_many` of each model batch of 32 (prepared beforehand) and `find_furniture` of each text; median of
RUNS runs, the cyclic garbage collector paused while a stage is timed (its pauses land on whichever stage allocates
and made single stages' figures swing by 20%). Run it from two checkouts in turn and compare (each process imports
one build of the kernels):

    (cd ../main && PYTHONPATH=. python ../wt-glue/bench/glue_stages.py 7); PYTHONPATH=. python bench/glue_stages.py 7
"""
from __future__ import annotations

import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import dev_texts, single_thread_env  # noqa: E402

os.environ.update(single_thread_env())  # (before numpy is imported)

from scorer import pipeline  # noqa: E402
from scorer.model import inputs  # noqa: E402
from scorer.text import kernels  # noqa: E402
from scorer.text import segment as seg  # noqa: E402


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    texts = dev_texts()
    scorer = pipeline.Scorer()
    list(scorer.score_many(texts * 2))  # warm-up: caches, the n-gram coders
    articles, batches = [], []
    for at in range(0, len(texts), 32):
        batch = [pipeline.Article(t, None, f"<text {at + k}>") for k, t in enumerate(texts[at:at + 32])]
        segmented = [scorer._segment(a) for a in batch]
        spans = scorer.spans.spans_many([(a.text, s) for a, s, _ in segmented])
        articles += [(a.text, s, sp) for (a, s, _), sp in zip(segmented, spans)]
        ready = scorer._prepare_many(batch)
        batches.append((ready, scorer._claim_outputs(ready)))
    cues = scorer.attribution.cues
    n = sum(len(s) for _, s, _ in articles)

    def model_inputs():
        for text, sentences, spans in articles:
            inputs.article_inputs(text, sentences, cues, spans=spans)

    def finish():
        for ready, claims in batches:
            scorer._finish_many(ready, claims)

    def furniture():
        for text in texts:
            seg.find_furniture(text)

    stages = {"inputs": model_inputs, "finish": finish, "furniture": furniture}
    times: dict[str, list[float]] = {name: [] for name in stages}
    for _ in range(runs):
        for name, fn in stages.items():
            gc.collect()
            gc.disable()
            start = time.process_time()
            fn()
            times[name].append(1e6 * (time.process_time() - start) / n)
            gc.enable()
    print(json.dumps({"file": pipeline.__file__, "kernels": kernels.STATUS, "sentences": n,
                      **{name: round(statistics.median(t), 3) for name, t in times.items()}}))


if __name__ == "__main__":
    main()
