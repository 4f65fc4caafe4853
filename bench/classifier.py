"""The attribution classifier alone: predict_proba on model inputs already built (sentences/s).

    python bench/classifier.py
"""
from common import dev_texts, table, timed


def main() -> None:
    from scorer import Scorer
    from scorer.model.inputs import ModelInputs, article_inputs
    from scorer.text.segment import split_article

    scorer = Scorer()
    frames = []
    for text in dev_texts():
        sentences, _ = split_article(text)
        frames.append(article_inputs(text, sentences, scorer.attribution.cues))
    inputs = ModelInputs.concat(frames * 10)
    t, _ = timed(lambda: scorer.attribution.predict_proba(inputs), 3)
    print(table(["measure", "value"], [["sentences", len(inputs)], ["seconds (median of 3)", f"{t:.2f}"],
                                        ["sentences/s", f"{len(inputs) / t:,.0f}"]]))


if __name__ == "__main__":
    main()
