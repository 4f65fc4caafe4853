"""The attribution classifier alone: predict_proba on model inputs already built (sentences/s), and
the model file size and in-process load time.

    python bench/classifier.py
"""
import pandas as pd

from common import dev_texts, table, timed


def main() -> None:
    from scorer import Scorer
    from scorer.context import article_frame
    from scorer.segment import split_article

    scorer = Scorer()
    frames = []
    for text in dev_texts():
        sentences, _ = split_article(text)
        frames.append(article_frame(text, sentences, scorer.attribution.cues))
    frame = pd.concat(frames * 10, ignore_index=True)
    t, _ = timed(lambda: scorer.attribution.predict_proba(frame), 3)
    print(table(["measure", "value"], [["sentences", len(frame)], ["seconds (median of 3)", f"{t:.2f}"],
                                        ["sentences/s", f"{len(frame) / t:,.0f}"]]))


if __name__ == "__main__":
    main()
