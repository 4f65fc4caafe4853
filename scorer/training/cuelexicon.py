"""Learn the cue-word lexicon from PolNeAR's human-marked Cue spans (training split only).

A word joins the lexicon when annotators marked it as (part of) a cue often enough and in a large
enough share of its occurrences; adverbs are dropped because they modify cues rather than head them.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter

_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
# function words that sit inside marked cue spans ("also said", "has said") but never head a cue
_NOT_CUES = frozenset("also not has have had been being was were is are be would will could can did does do to that "
                      "the a an in on of for with as by it its their his her them they he she we i you again still "
                      "then now even just only".split())


def learn_cue_lexicon(documents, min_count: int = 5, min_share: float = 0.3) -> frozenset[str]:
    """`documents`: iterable of (article text, list of cue (start, end) spans). Returns lower-case cue words."""
    seen, marked = Counter(), Counter()
    for text, spans in documents:
        # a word is marked when some span has s <= start < e: among the spans starting at or before `start`, the
        # furthest end (running maximum over the spans sorted by start) is past it (testing every span for every
        # word made this quadratic in an article's spans)
        spans = sorted(spans)
        starts, reach, furthest = [s for s, _ in spans], [], None
        for _, e in spans:
            furthest = e if furthest is None or e > furthest else furthest
            reach.append(furthest)
        for m in _WORD.finditer(text):
            word = m.group().lower()
            seen[word] += 1
            i = bisect_right(starts, m.start())
            if i and reach[i - 1] > m.start():
                marked[word] += 1
    return frozenset(w for w, n in marked.items()
                     if n >= min_count and n / seen[w] >= min_share and not w.endswith("ly") and w != "according" and w not in _NOT_CUES)
