"""Session 16 (puretag, issue #21): segmentation's repairs in pure Python, faster with the same spans. `_repair` is
held to main's (e3b38cc) loop, frozen below, on PolNeAR blocks with nupunkt's spans and random cuts and on fuzzed
blocks heavy in what the repairs look at (closing marks first, pieces without letters or digits, abbreviations,
titles, quotations); `open_quote_count` with bounds to the count of the slice; `split_sentences` makes `Sentence`s."""
from __future__ import annotations

import random
from itertools import pairwise

from scorer.text import segment
from scorer.text.quotes import open_quote_count


def _repair_main(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`segment._repair` as it was at e3b38cc (frozen)."""
    spans = [piece for start, end in spans for piece in segment._split_final_abbreviations(text, start, end)]
    if len(spans) == 1:
        return spans
    fixed: list[list[int]] = []
    for start, end in spans:
        if fixed:
            prev = fixed[-1]
            while start < end and text[start] in segment._LEADING_CLOSERS \
                    and open_quote_count(text[prev[0]:prev[1]]) > 0 and text[start] != "“":
                prev[1] = start + 1
                start += 1
                start, end = segment._strip_span(text, start, end)
            if start >= end:
                continue
            first = text[start]
            if (first.islower() or first in ",;:—–)@" or not any(c.isalnum() for c in text[start:end])
                    or (text.endswith(segment._TITLE_ENDINGS, prev[0], prev[1])
                        and segment._TITLE_END.search(text[prev[0]:prev[1]]))):
                prev[1] = end
                continue
        fixed.append([start, end])
    merged: list[list[int]] = []
    i = 0
    while i < len(fixed):
        start, end = fixed[i]
        j = i
        if open_quote_count(text[start:end]) > 0:
            k = i + 1
            while k < len(fixed) and k - i < segment._MAX_QUOTE_MERGE:
                piece = text[fixed[k][0]:fixed[k][1]]
                if any(c in piece for c in segment.CLOSING_QUOTES + '"'):
                    if segment._QUOTE_CONTINUES.search(piece):
                        j = k
                    break
                k += 1
        merged.append([start, fixed[j][1]])
        i = j + 1
    return [(s, e) for s, e in merged]


_ATOMS = ["He said. ", "“We stay. ", "This is home,” she said. ", "” ", "’ ", "» ", ") ", "] ", '" ', "' ", "“",
          "”", '"', "— ", "– ", "... ", "… ", "?! ", "!! ", "2020. ", "3.5 ", "Acme Inc. The ", "Inc. ",
          "U.S. Officials ", "a.m. Police ", "Mr. ", "Sen. ", "Gov.\n", "Dr. Smith ", "etc. ", "St. ",
          "Jr. Smiths went ", "x ", "é ", "İ ", "٣ ", "\u0301", "  ", "\n", "\u00a0", ", ", "; ", ": ", "@ ",
          "why now? he asked. ", "¿Qué? ", "😀 ", "ΣΑΣ. ", "\ud800 "]


def _fuzzed(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_ATOMS) for _ in range(rng.randint(1, 12))) for _ in range(n)]


def _cuts(block: str, rng: random.Random) -> list[tuple[int, int]]:
    cuts = sorted({0, len(block), *rng.sample(range(len(block) + 1), min(4, len(block)))})
    return [(a, b) for a, b in pairwise(cuts) if b > a]


def test_repair_same_as_main(polnear_texts):
    blocks = [block for text in polnear_texts[::5] for block in text.split("\n") if block.strip()] + _fuzzed(16, 2500)
    rng = random.Random(16)
    multi = 0
    for block in blocks:
        spans = [(s, e) for s, e in (segment._strip_span(block, *se) for se in segment._punkt_spans(block)) if e > s]
        multi += len(spans) > 1
        assert segment._repair(block, spans) == _repair_main(block, spans), repr(block)
        some = _cuts(block, rng)
        assert segment._repair(block, some) == _repair_main(block, some), repr(block)
        assert segment._sentence_spans(block, some) == _repair_main(
            block, [(s, e) for s, e in (segment._strip_span(block, *se) for se in some) if e > s]), repr(block)
    assert multi > 300


def test_open_quote_count_with_bounds_is_the_slices():
    rng = random.Random(21)
    for _ in range(3000):
        text = "".join(rng.choice('“”"x ’') for _ in range(rng.randint(0, 12)))
        a, b = rng.randint(-3, len(text) + 2), rng.randint(-3, len(text) + 2)
        assert open_quote_count(text, a, b) == open_quote_count(text[a:b])
        assert open_quote_count(text, a) == open_quote_count(text[a:])
        assert open_quote_count(text) == open_quote_count(text, 0, len(text))


def test_split_sentences_makes_sentences():
    out = segment.split_sentences("He left. She stayed.\n\n“Go,” he said.")
    assert [type(s) for s in out] == [segment.Sentence] * 3
    assert [s.text for s in out] == ["He left.", "She stayed.", "“Go,” he said."]
    assert out[1] == segment.Sentence(9, 20, "She stayed.") and out[1].start == 9 and out[1].end == 20
