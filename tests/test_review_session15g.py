"""Review of session 15's glue changes (review15g): faults found in them, each pinned by a test.

- The first-person rule of `_opinion_piece` (summary.py) held a list of every own sentence's end offset (one Python
  int each) beside the joined text, and read every match of every sentence: on an article of many quoted
  first-person sentences it took about 1.8x the memory of the rule at db44292 (tracemalloc peak) and ~7x its time.
  Now it searches on after each match's sentence, walking the sentences' ends (no list, one match per sentence).
"""
from __future__ import annotations

import tracemalloc

from scorer.report import summary


def _opinion_piece_db44292(body: list[dict], n_opinion: int) -> bool:
    """`_opinion_piece` as at db44292 (the reference)."""
    if not body:
        return False
    if n_opinion / len(body) >= summary.OPINION_PIECE_SHARE:
        return True
    own = [r["text"] for r in body if r["attribution_type"] in ("editorial_opinion", "outlet_claim")]
    if own and summary._FIRST_PERSON.search("\n".join(own)):
        speaking = 0
        for text in own:
            if not summary._QUOTE_MARK.search(text) and summary._FIRST_PERSON.search(text):
                speaking += 1
                if speaking >= summary.FIRST_PERSON_SENTENCES:
                    return True
    return any(summary._BIO_LINE.match(r["text"]) for r in body[-2:])


def _peak(function, *args) -> tuple[object, int]:
    tracemalloc.start()
    try:
        out = function(*args)
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_first_person_rule_memory_as_before():
    """Quoted first-person sentences (none counts, so the rule reads them all): no more memory than at db44292."""
    body = [{"index": i, "text": "I said “me”, my own.", "attribution_type": "outlet_claim"} for i in range(10000)]
    old, old_peak = _peak(_opinion_piece_db44292, body, 0)
    new, new_peak = _peak(summary._opinion_piece, body, 0)
    assert new == old is False
    assert new_peak <= 1.2 * old_peak, (new_peak, old_peak)


def test_support_many_memory_as_before():
    """`predict_and_contributions_many` of a batch of many articles held the contributions' per-article products and
    their concatenation beside the whole batch's scaled features (1.7x the per-article loop's tracemalloc peak on 50
    articles of 200 rows): now each article's product goes into one array of the contributions; the same bits."""
    import numpy as np

    from scorer.pipeline import cached_scorer

    model = cached_scorer().support
    bounds = list(range(0, 10001, 200))
    X = np.random.default_rng(7).random((bounds[-1], model.coef_.shape[1]))

    def alone():
        scored = [model.predict_and_contributions(X[bounds[a]:bounds[a + 1]]) for a in range(len(bounds) - 1)]
        return [np.concatenate(part) for part in zip(*scored)]

    old, old_peak = _peak(alone)
    new, new_peak = _peak(model.predict_and_contributions_many, X, bounds)
    assert [a.tobytes() for a in new] == [b.tobytes() for b in old]
    # (the batch-wide (n, 4) arrays of the cell-by-cell steps remain: about 1.23x here; the (n, features) ones no more)
    assert new_peak <= 1.3 * old_peak, (new_peak, old_peak)
