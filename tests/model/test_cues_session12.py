"""Session 12's cue features (issue #21) give exactly what the code they replaced gave: `cues.cue_matrix_python`
computes the features a column at a time over all the texts (the words of all of them looked up together, the
word-list counts per text with numpy) instead of one `cue_vector` call per sentence. Compared bit for bit with the
replaced code, frozen here as it was at f0b630d, on the sentences of the `polnear_texts` articles (each article's
sentences as one call, as `inputs.article_inputs` makes it) and on fuzzed lists of strings."""
from __future__ import annotations

import math
from functools import reduce
from itertools import islice
from operator import or_

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.attribution.lexicon import (ANONYMITY_PHRASES, ANONYMOUS_HEADS, CARRY_VERBS, HEDGES, INTENSIFIERS,
                                        LOADED_WORDS, OUTLETS, REPORTING_PHRASES, REPORTING_VERBS)
from scorer.model import cues as c

# --------------------------------------------------------------------------------------------------------------------
# the replaced code (f0b630d), frozen; the word tables, patterns and phrase_groups it reads are unchanged

_CARRY_BITS = c._CARRY_BIT | c._PRONOUN_BIT


def ref_cue_vector(text: str) -> list[float]:
    if not text:
        return [0.0] * len(c.CUE_FEATURES)
    words = c._WORD.findall(text)
    low = text.lower()
    low_words = " ".join(words).lower().split(" ") if words else []
    bits = list(map(c._LOWER_BITS.get, low_words))
    hits = list(filter(None, bits))
    present = reduce(or_, hits, 0)
    verbs = [i for i, b in enumerate(bits) if b and b & c._VERB_BIT and words[i][0].islower()] \
        if present & c._VERB_BIT else []
    name_near = 0.0
    for i in verbs:
        window = words[max(0, i - 4):i] + words[i + 1:i + 4]
        if any(w[0].isupper() and w not in ("I", "The", "A", "But", "And") for w in window):
            name_near = 1.0
            break
    names = sum(1 for w in islice(words, 1, None) if w[0] < "a")
    if names and not c._FIRST_CAPITALISED.isdisjoint(words):
        names -= sum(w in c._FIRST_CAPITALISED for w in words[1:])
    closing = "”" in text or '"' in text
    quotes = len(c._QUOTE_CHARS.findall(text)) if closing or "“" in text else 0
    quote_then = float(closing and ("―" in text or "—" in text or "–" in text)
                       and bool(c._DASH_ATTRIBUTION.search(text)))
    if not quote_then and (closing or "’" in text):
        quote_then = float(ref_said_after_closing(text))
    opener = text.find("“") if "“" in text else text.find('"')
    then_quote = float(opener > 0 and any(w.lower() in REPORTING_VERBS for w in c._WORD.findall(text, 0, opener)[:7]))
    carry = float(present & _CARRY_BITS == _CARRY_BITS and any(
        a and b and a & c._PRONOUN_BIT and b & c._CARRY_BIT for a, b in zip(bits, bits[1:])))
    found = c.phrase_groups(low)
    hedges = (sum(1 for b in hits if b & c._HEDGE_BIT) if present & c._HEDGE_BIT else 0) + ("hedge" in found)
    digits = ref_has_digit(text)
    numbers = (len(c._DIGITS.findall(text)) if digits else 0) \
        + (sum(1 for b in hits if b & c._NUMBER_BIT) if present & c._NUMBER_BIT else 0)
    dated = bool(present & c._DATE_BIT) or (digits and bool(c._YEAR.search(text))) \
        or ("May " in text and bool(c._DATE_MAY.search(text)))
    loaded = sum(1 for b in hits if b & c._LOADED_BIT) if present & c._LOADED_BIT else 0
    intensifiers = sum(1 for b in hits if b & c._INTENSIFIER_BIT) if present & c._INTENSIFIER_BIT else 0
    return [
        float(bool(verbs)), float("report" in found or "denial" in found), float("according to" in low),
        min(quotes, 4) / 4.0, float(text[:1] in "“\"‘'"), quote_then, then_quote, carry, name_near,
        min(names, 5) / 5.0, float("anon" in found),
        float(bool(present & c._ANONYMOUS_BIT) and any(b and b & c._ANONYMOUS_BIT for b in bits[:12])),
        float("outlet" in found), min(hedges, 3) / 3.0, min(loaded, 3) / 3.0,
        min(numbers, 4) / 4.0, float(dated), float("?" in text), float("!" in text),
        float(not c._FIRST.isdisjoint(words)), float(not c._SECOND.isdisjoint(words)),
        float(bool(present & c._MODAL_BIT) or (("need" in low or "ha" in low) and " to" in low
                                                and bool(c._MODAL_PHRASE.search(low)))),
        min(intensifiers, 3) / 3.0,
        float("denial" in found), math.log1p(len(low_words)) / 5.0,
    ]


def ref_said_after_closing(text: str) -> bool:
    for m in c._CLOSE_THEN.finditer(text):
        following = c._WORD.findall(text, m.end(), m.end() + 60)[:5]
        if any(w.lower() in REPORTING_VERBS for w in following):
            return True
    return False


def ref_has_digit(text: str) -> bool:
    if text.isascii():
        return any(map(text.__contains__, "0123456789"))
    return c._ANY_DIGIT.search(text) is not None


def ref_cue_matrix(texts: list[str]) -> np.ndarray:
    return np.array([ref_cue_vector(t) for t in texts], dtype=np.float64).reshape(len(texts), len(c.CUE_FEATURES))


def assert_same(texts: list[str]) -> None:
    new, ref = c.cue_matrix_python(texts), ref_cue_matrix(texts)
    assert new.dtype == ref.dtype and new.shape == ref.shape
    bad = np.flatnonzero((new != ref).any(axis=1))
    assert len(bad) == 0, [(texts[k], [c.CUE_FEATURES[j] for j in np.flatnonzero(new[k] != ref[k])])
                           for k in bad[:5]]


# --------------------------------------------------------------------------------------------------------------------


def test_cue_matrix_same_on_polnear(polnear_sentences):
    assert sum(map(len, polnear_sentences)) > 7_000
    for article in polnear_sentences:
        assert_same(article)
    # every feature is exercised (non-zero on some sentence)
    rows = c.cue_matrix_python([s for article in polnear_sentences[:120] for s in article])
    assert (rows != 0).any(axis=0).all()


def test_cue_matrix_edge_cases():
    assert c.cue_matrix_python([]).shape == (0, len(c.CUE_FEATURES))
    assert_same([""])
    assert_same(["", "He said", "", "“Quote,” she said.", ""])
    assert_same([None, "He said", None])  # a None text is an empty sentence
    assert c.cue_vector("") == [0.0] * len(c.CUE_FEATURES)
    assert c.cue_vector("Officials said “no”") == ref_cue_vector("Officials said “no”")


_WORDS = sorted({*REPORTING_VERBS, *CARRY_VERBS, *c._CARRY_PRONOUNS, *c._SINGLE_HEDGES, *c._NUMBER_WORDS,
                 *c._DATE_WORDS, *LOADED_WORDS, *INTENSIFIERS, *c._MODALS, *ANONYMOUS_HEADS, *c._FIRST,
                 *c._SECOND, "The", "A", "But", "And", "States", "Said", "May", "need", "has", "have", "ha"})
_PIECES = sorted({*ANONYMITY_PHRASES, *REPORTING_PHRASES, *OUTLETS, *HEDGES, *c._DENIALS, "according to", "May 5",
                  "need to", "has to", "have to", "needs to", "1999", "2020", "12,000", "٣", "１", "“", "”", '"', "’",
                  "'", "‘", "—", "–", "―", ", ", "? ", "! ", ",” ", '," ', "-", "_", "x", "É", "ß", "İ", "\u212a",
                  "中文", "\n", " ", "  "})
_text = st.lists(st.one_of(st.sampled_from(_WORDS), st.sampled_from([w.capitalize() for w in _WORDS]),
                           st.sampled_from(_PIECES), st.sampled_from([" ", " ", ", "]), st.text(max_size=3)),
                 max_size=30).map("".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(_text, max_size=8))
def test_cue_matrix_same_on_fuzzed_texts(texts):
    assert_same(texts)


def test_phrase_groups_many_same_as_each_text(polnear_sentences):
    lows = [s.lower() for article in polnear_sentences[:80] for s in article]
    assert c.phrase_groups_many(lows) == [c.phrase_groups(low) for low in lows]
    assert sum(map(bool, c.phrase_groups_many(lows))) > 100
    assert c.phrase_groups_many([]) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(_text.map(str.lower), max_size=8))
def test_phrase_groups_many_same_on_fuzzed_texts(lows):
    # phrases at the ends of neighbouring texts, texts with line breaks of their own, empty texts
    assert c.phrase_groups_many(lows) == [c.phrase_groups(low) for low in lows]
