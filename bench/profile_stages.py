"""Per-stage time of the scoring pipeline on the 84 PolNeAR dev articles, calling the library's own steps
in Scorer.score's order, so the next bottleneck is visible.

    python bench/profile_stages.py
"""
import time

import numpy as np

from common import dev_texts, table


def main() -> None:
    from scorer import LABELS, Scorer
    from scorer.context import article_frame
    from scorer.furniture import find_furniture
    from scorer.segment import split_article
    from scorer.support import corroboration, support_features
    from scorer.textio import decode_bytes

    scorer = Scorer()
    raw = [t.encode("utf-8") for t in dev_texts()]
    stages = dict.fromkeys(["decode", "furniture", "segment", "model inputs", "classify", "support", "report"], 0.0)
    n = 0
    for data in raw:
        t0 = time.perf_counter()
        text = decode_bytes(data)
        t1 = time.perf_counter()
        find_furniture(text)
        t2 = time.perf_counter()
        sentences, _ = split_article(text)  # includes furniture again: subtracted below
        t3 = time.perf_counter()
        frame = article_frame(text, sentences, scorer.attribution.cues)
        t4 = time.perf_counter()
        probs = scorer.attribution.predict_proba(frame)
        t5 = time.perf_counter()
        labels = [LABELS[i] for i in probs.argmax(axis=1)]
        texts = [s.text for s in sentences]
        corr = corroboration(texts, labels)
        X = support_features(texts, probs, corr, np.vstack(frame["cue_vec"].to_numpy()))
        scorer.support.predict(X)
        scorer.support.contributions(X)
        t6 = time.perf_counter()
        report = scorer._finish({"text": text, "article_id": None, "include_text": False, "sentences": sentences,
                                 "skipped": [], "frame": frame}, probs)
        report.to_dict()
        t7 = time.perf_counter()
        for key, dt in zip(stages, (t1 - t0, t2 - t1, (t3 - t2) - (t2 - t1), t4 - t3, t5 - t4, t6 - t5, t7 - t6)):
            stages[key] += dt
        n += len(sentences)
    total = sum(stages.values())
    rows = [[k, f"{v:.3f}", f"{1e6 * v / n:,.0f}", f"{100 * v / total:.0f}%"] for k, v in stages.items()]
    print(f"{n} sentences in {len(raw)} articles; 'report' = Scorer._finish (support again + sources + summary + rows)"
          " + to_dict")
    print(table(["stage", "seconds", "µs per sentence", "share"], rows))


if __name__ == "__main__":
    main()
