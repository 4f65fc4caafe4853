"""The summary's speed-ups (issue #21, session 11: the merge index only for the lengths of keys, the first-person
pre-search, the weights and the weak test inline, the index of rows only when asked, the headline overlap handed
in) give exactly what main 4e79796 gave (tests/report/summary_4e79796.py, frozen), on the rows of the PolNeAR dev
articles as scored and on fuzzed rows."""
from __future__ import annotations

import math
import random

import pytest
import summary_4e79796 as ref  # tests/report/summary_4e79796.py
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.labels import LABELS
from scorer.model.support import content_words
from scorer.report import summary


def _overlap(rows, headline):
    if headline is None:
        return None
    head = content_words(rows[headline]["text"])
    return [len(head & content_words(r["text"])) for r in rows]


@pytest.fixture(scope="module")
def scored_rows(polnear_texts):
    """(rows, headline index) of the first 120 corpus texts as scored."""
    from scorer.pipeline import cached_scorer

    out = []
    for report in cached_scorer().score_many(polnear_texts[:120]):
        head = next((r["index"] for r in report.sentences_list if r["is_headline"]), None)
        out.append((report.sentences_list, head))
    return out


def test_summary_same_on_polnear(scored_rows):
    rng = random.Random(7)
    flagged = 0
    for rows, head in scored_rows:
        for variant in (rows, [dict(r, attribution_type=rng.choice(LABELS)) for r in rows],
                        [dict(r, support=rng.choice([0.1, 0.6, 0.9, float("nan")])) for r in rows]):
            for headline in {head, None, 0}:
                new = summary.summarise(variant, headline, _overlap(variant, headline))
                assert new == ref.summarise(variant, headline) or _nan_equal(new, ref.summarise(variant, headline))
                assert summary.summarise(variant, headline) == new or _nan_equal(summary.summarise(variant, headline),
                                                                                  new)
                flagged += len(new["flags"])
    assert flagged > 100  # the corpus raises flags, not only none


def _nan_equal(a, b) -> bool:
    """Equal, a NaN equal to a NaN (a NaN support makes a NaN score)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_nan_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_nan_equal(x, y) for x, y in zip(a, b))
    return a == b


_NAMES = ["Trump", "Donald Trump", "President Donald Trump", "the former president", "US intelligence",
          "US intelligence agencies", "officials", "Reuters", "The New York Times", "CNN", "the BBC", "Liam Fox",
          "Fox News", "he", "they", "trump's", "the a an", "White House officials", "senior White House officials",
          "intelligence"]
_TEXTS = ["I think it is wrong.", "My view: “no”.", "me", "Jane Doe, a former adviser, is a senior fellow at X.",
          "Reuters reported that Russia paid.", "It may rain.", "Russia paid Taliban bounties, officials said.",
          "The writer is a professor.", "Officials said Russia paid bounties to Taliban militants.", "Im", "I’m here"]
_ROW = st.fixed_dictionaries({
    "attribution_type": st.sampled_from(LABELS), "source": st.one_of(st.none(), st.sampled_from(_NAMES)),
    "support": st.sampled_from([0.0, 0.1, 0.1667, 0.4999, 0.5, 0.7, 0.8333, 1.0]),
    "text": st.sampled_from(_TEXTS), "cue": st.one_of(st.none(), st.sampled_from(["reported", "said", "denied"])),
    "via": st.one_of(st.none(), st.sampled_from(["CNN", "Reuters", "the BBC", "officials"])),
    "corroborated_by": st.one_of(st.none(), st.integers(0, 11))})


@settings(max_examples=400, deadline=None)
@given(st.lists(_ROW, min_size=1, max_size=12), st.integers(-1, 11))
def test_summary_same_on_fuzzed_rows(rows, headline):
    rows = [dict(r, index=i, corroborated_by=r["corroborated_by"] if r["corroborated_by"] is None
                 or r["corroborated_by"] < len(rows) else None) for i, r in enumerate(rows)]
    headline = headline if 0 <= headline < len(rows) else None
    expected = ref.summarise(rows, headline)
    assert summary.summarise(rows, headline) == expected
    assert summary.summarise(rows, headline, _overlap(rows, headline)) == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_NAMES + ["a b c d e f", "c d e f", "d e f", "b c", "x y", "y"]), max_size=15))
def test_merge_sources_same_on_fuzzed_names(names):
    rows = [{"index": i, "source": n, "attribution_type": LABELS[i % 3]} for i, n in enumerate(names)]
    assert summary.merge_sources(rows) == ref.merge_sources(rows)
