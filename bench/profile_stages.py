"""Per-stage time of the scoring pipeline on the 84 PolNeAR dev articles, calling the library's own steps
in Scorer.score's order, so the next bottleneck is visible.

    python bench/profile_stages.py
"""
import time

from common import dev_texts, table


def main() -> None:
    from scorer import LABELS, Scorer
    from scorer.model.claims import decide
    from scorer.model.inputs import ModelInputs, article_inputs
    from scorer.model.support import corroboration, support_features
    from scorer.pipeline import Article, PreparedArticle
    from scorer.text.files import decode_bytes
    from scorer.text.furniture import find_furniture
    from scorer.text.segment import split_article

    scorer = Scorer()
    raw = [t.encode("utf-8") for t in dev_texts()]
    scorer.score(dev_texts()[0])  # warm-up: lazy imports and caches are not charged to the first article
    frames = []
    stages = dict.fromkeys(["decode", "furniture", "segment", "model inputs", "classify", "support", "report"], 0.0)
    n = 0
    for data in raw:
        t0 = time.perf_counter()
        text = decode_bytes(data)
        t1 = time.perf_counter()
        find_furniture(text)
        t2 = time.perf_counter()
        sentences, skipped = split_article(text)  # includes furniture again: subtracted below
        t3 = time.perf_counter()
        frame = article_inputs(text, sentences, scorer.attribution.cues)
        prepared = PreparedArticle(Article(text), sentences, skipped, frame)
        t4 = time.perf_counter()
        claim_probs = scorer._claim_probabilities([prepared])[0]
        t5 = time.perf_counter()
        furniture, four = decide(claim_probs)
        probs = four[~furniture]
        labels = [LABELS[i] for i in probs.argmax(axis=1)]
        texts = [s.text for s, f in zip(sentences, furniture) if not f]
        corr = corroboration(texts, labels)
        X = support_features(texts, probs, corr, frame["cue_vec"][~furniture])
        scorer.support.predict(X)
        scorer.support.contributions(X)
        t6 = time.perf_counter()
        report = scorer._finish(prepared, claim_probs)
        report.to_dict()
        t7 = time.perf_counter()
        for key, dt in zip(stages, (t1 - t0, t2 - t1, (t3 - t2) - (t2 - t1), t4 - t3, t5 - t4, t6 - t5,
                                      (t7 - t6) - (t6 - t5))):
            stages[key] += dt
        n += len(sentences)
        frames.append(frame)
    total = sum(stages.values())
    rows = [[k, f"{v:.3f}", f"{1e6 * v / n:,.0f}", f"{100 * v / total:.0f}%"] for k, v in stages.items()]
    print(f"{n} sentences in {len(raw)} articles; 'classify' = the three heads and the claim head; 'report' ="
          " Scorer._finish + to_dict minus this article's support time (_finish repeats the support step;"
          " reasons_for stays in 'report')")
    print(table(["stage", "seconds", "µs per sentence", "share"], rows))
    # score_many/batch classify 32 articles per call: the same frames batched that way
    t0 = time.perf_counter()
    for i in range(0, len(frames), 32):
        scorer.attribution.predict_proba(ModelInputs.concat(frames[i:i + 32]))
    print(f"\nthe three heads with 32 articles per call (as score_many and batch do): "
          f"{1e6 * (time.perf_counter() - t0) / n:,.0f} µs per sentence")


if __name__ == "__main__":
    main()
