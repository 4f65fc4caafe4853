"""The kernels of the section "fink (session 13)" (`_scorer_kernels.pyx`) give what their pure-Python twins give:
`corroboration_overlap` (support._corroboration_by_sentence with the pure-Python content words, and the pure
article-wide path of support.corroboration_and_overlap), on the PolNeAR texts and on fuzzed sentences; and its
arguments are checked. Skipped when the kernels are not built, except when SCORER_REQUIRE_KERNELS=1."""
from __future__ import annotations

import random

import pytest

from scorer.labels import LABELS
from scorer.model import support
from scorer.text import kernels

from compiled_kernels import compiled_module  # tests/kernels/compiled_kernels.py

K = compiled_module()

OPINION = "editorial_opinion"


def twin(texts, labels, headline, min_shared=3, stop=support._STOP):
    """support._corroboration_by_sentence with the pure-Python content words (whatever path is active)."""
    words = [frozenset(w for w in map(str.lower, support._CONTENT.findall(t)) if w not in stop) for t in texts]
    overlap = None if headline is None else [len(words[headline] & ws) for ws in words]
    return support._corroborate_python(words, labels, min_shared), overlap


def compiled(texts, labels, headline, min_shared=3, stop=support._STOP):
    return kernels.corroboration_overlap(texts, labels, headline, min_shared, OPINION, stop)


@pytest.fixture(autouse=True)
def _module(monkeypatch):
    monkeypatch.setattr(kernels, "compiled", K)


def _labellings(n: int, rng: random.Random) -> list[list[str]]:
    return [[rng.choice(LABELS) for _ in range(n)], [LABELS[(i % 2) * 2] for i in range(n)]]


def test_corroboration_overlap_same_on_polnear(polnear_sentences, monkeypatch):
    rng = random.Random(13)
    found = shared = 0
    for sents in polnear_sentences[::2]:
        for labels in _labellings(len(sents), rng):
            for headline in {None, 0, len(sents) - 1, rng.randrange(len(sents))}:
                for min_shared in (3, 1):
                    new = compiled(sents, labels, headline, min_shared)
                    assert new == twin(sents, labels, headline, min_shared)
                    found += sum(c is not None for c in new[0])
                    shared += sum(new[1] or [])
            # and the pure path as the pipeline runs it without kernels (the article as a whole)
            monkeypatch.setattr(kernels, "ACTIVE", False)
            assert support.corroboration_and_overlap(sents, labels, 0) == compiled(sents, labels, 0)
            monkeypatch.setattr(kernels, "ACTIVE", True)
            assert support.corroboration_and_overlap(sents, labels, 0) == compiled(sents, labels, 0)
    assert found > 1_000 and shared > 10_000  # the corpus exercises the choice and the counts


_PIECES = ["That", "that", "THAT", "tHat", "said", "Said", "Trump", "trump", "TRUMP", "Abcd", "abcd", "ABCD", "Ab",
           "ab",
           "A", "x", "Éclair", "éclair", "naïve", "Straße", "İstanbul", "ſtate", "Kelvin", "\u212aelvin", "1", "12,5",
           "1.000.", "3,", ",4", "٣٤", "١,٢", "٣x", "𝟙𝟚", "½", "²", "_", "\u0301", "Abc\u0301d", "’s", "“Quote”", "\0",
           "\ud800", "\udfff", "\U0001F600", "\n", " ", "\t", "\u00a0", "\u2028", ".", "-", "Mr.", "U.S.", "COVID-19",
           "Wednesday", "billion", "\x85", "ǅungla", "Ǆ", "ﬁnal"]


def _fuzzed(rng: random.Random) -> list[str]:
    n = rng.randrange(0, 9)
    out = []
    for _ in range(n):
        k = rng.choice((0, 1, 3, 8, 30))
        out.append("".join(rng.choice(_PIECES) + rng.choice(("", " ", " ", ", ", ".", "\n")) for _ in range(k)))
    return out


def test_corroboration_overlap_same_on_fuzzed_sentences():
    rng = random.Random(2113)
    for _ in range(1500):
        sents = _fuzzed(rng)
        labels = [rng.choice(LABELS) for _ in sents]
        headline = rng.choice([None] + list(range(len(sents))))
        min_shared = rng.choice((0, 1, 2, 3))
        assert compiled(sents, labels, headline, min_shared) == twin(sents, labels, headline, min_shared)


def test_corroboration_overlap_long_and_many_sentences():
    rng = random.Random(7)
    words = [f"Word{c}" for c in "abcdefghijklmnopqrstuvwxyz"] + [str(k) for k in range(40)]
    sents = [" ".join(rng.choice(words) for _ in range(rng.randrange(1, 40))) for _ in range(700)]
    sents.append(" ".join(f"Term{k:06d}" for k in range(30_000)))  # a table that grows many times
    sents.append("")
    labels = [rng.choice(LABELS) for _ in sents]
    assert compiled(sents, labels, 3) == twin(sents, labels, 3)
    assert compiled(sents, labels, len(sents) - 2) == twin(sents, labels, len(sents) - 2)


def test_corroboration_overlap_odd_stop_sets():
    """Stop words are compared as they are (one with a capital letter stops no word), whatever else the set holds."""
    sents = ["That Trump said that THAT trump", "trump that said Trump, 12", "12 naïve Éclair said that"]
    labels = ["named_source", "outlet_claim", "named_source"]
    for stop in (frozenset(), frozenset({"That", "trump", "", "12"}), frozenset({1, None, "said", ("that",)}),
                 support._STOP | {"naïve", "éclair", "trump"}):
        for min_shared in (0, 1, 2):
            assert compiled(sents, labels, 0, min_shared, stop) == twin(sents, labels, 0, min_shared, stop)


def test_corroboration_overlap_arguments_checked():
    sents = ["Trump said this", "Trump said that"]
    labels = ["named_source", "outlet_claim"]
    assert compiled(sents, labels, -1) == twin(sents, labels, -1)  # (as words[-1])
    for bad in (2, -3, 99):
        with pytest.raises(IndexError):
            compiled(sents, labels, bad)
        with pytest.raises(IndexError):
            twin(sents, labels, bad)
    with pytest.raises(IndexError):
        K.corroboration_overlap(sents, labels, 2, 3, OPINION, support._STOP)
    with pytest.raises(IndexError):
        K.corroboration_overlap(sents, labels, -2, 3, OPINION, support._STOP)
    with pytest.raises(IndexError):
        compiled(sents, labels[:1], None)
    with pytest.raises(TypeError):
        compiled(["Trump said", b"Trump said"], labels, None)
    with pytest.raises(TypeError):
        K.corroboration_overlap(tuple(sents), labels, 0, 3, OPINION, support._STOP)
    assert compiled([], [], None) == ([], None)


def compiled_specific(text: str):
    return K.specific_words(text, support._NUMBER_WORDS, support._DATE_WORDS, support.RELATIVE_DATES)


def test_specific_words_patterns_read():
    """The kernel reads the words of cues.NUMBER_RE and cues.DATE_RE (a pattern of another form turns it off)."""
    assert "one" in support._NUMBER_WORDS and "sept" in support._DATE_WORDS and "today" in support._DATE_WORDS
    assert support._specific_words is support._specific_words_compiled or not kernels.ACTIVE
    import re
    assert support._alternatives(re.compile(r"\b(a|b)\b"), r"\b(", r")\b") is None  # not case-insensitive
    assert support._alternatives(re.compile(r"\b(a|b.)\b", re.I), r"\b(", r")\b") is None


def test_specific_words_same_on_polnear(polnear_sentences):
    checked = found = 0
    for sents in polnear_sentences:
        for text in sents:
            new = compiled_specific(text)
            if new is None:
                assert not all(ch.isascii() or not (ch.isalnum() or ch == "_") for ch in text)
                continue
            assert new == support.specific_words(text), text
            checked += 1
            found += bool(new)
    assert checked > 6_000 and found > 1_500


_SPECIFIC_PIECES = ["one", "One", "ONE", "oNe", "one of", "one another", "One Of", "one-of", "ones", "someone", "one's",
                    "one’s", "one,", "one.", "one\u00a0of", "one\tof", "one\n", "two", "Ten", "tens", "hundred",
                    "billion", "billions", "1", "12", "1,000", "1.5", "3,", "4.", ",5", "1,2,3.", "5_", "_5", "5a",
                    "a5", "1999", "2020", "19999", "2020s", "1899", "20", "19", "May", "may", "March", "marching",
                    "Jan",
                    "Janu", "January", "sept", "Sept.", "September", "septa", "dec", "Decembers", "today", "Today",
                    "TODAY", "todays", "yesterday", "tonight", "Monday", "mondays", "monday", "’", "“", "—", "-", "'",
                    "é", "ß", "\u212a", "ſ", "İ", "٣", "½", "\u0301", "\U0001F600", "\ud800", " ", "  ", "\n", ".",
                    ",", "(", ")", "of", "another", "Of", "ANOTHER", "anothers", "x", "\x85", "\u2028"]


def test_specific_words_same_on_fuzzed_strings():
    rng = random.Random(1321)
    checked = found = 0
    for _ in range(6000):
        k = rng.choice((1, 2, 4, 8, 20))
        text = "".join(rng.choice(_SPECIFIC_PIECES) + rng.choice(("", " ", " ", "-", ", ")) for _ in range(k))
        new = compiled_specific(text)
        if new is not None:
            assert new == support.specific_words(text), text
            checked += 1
            found += len(new)
    assert checked > 2_000 and found > 3_000
    assert compiled_specific("") == [] == support.specific_words("")
    long = "In 1999 one of two, 3,000 people; " * 5000
    assert compiled_specific(long) == support.specific_words(long)


def test_specific_words_every_code_point():
    """Every seventh code point (and every ASCII one) beside numbers and dates: the kernel gives the twin's words, or
    None when it is a word character outside ASCII."""
    import sys

    for c in [*range(128), *range(128, sys.maxunicode + 1, 7)]:
        ch = chr(c)
        text = f"{ch}one{ch}one {ch}1{ch} 1999{ch}Monday{ch}today{ch} of 2{ch}5 Ten{ch}"
        new = compiled_specific(text)
        if ch.isascii() or not (ch.isalnum() or ch == "_"):
            assert new == support.specific_words(text), hex(c)
        else:
            assert new is None, hex(c)


def test_specific_words_arguments_checked():
    with pytest.raises(TypeError):
        K.specific_words(None, support._NUMBER_WORDS, support._DATE_WORDS, support.RELATIVE_DATES)
    with pytest.raises(TypeError):
        K.specific_words("one", list(support._NUMBER_WORDS), support._DATE_WORDS, support.RELATIVE_DATES)
    with pytest.raises(TypeError):
        K.specific_words("one", support._NUMBER_WORDS, support._DATE_WORDS, set(support.RELATIVE_DATES))


# ---------------------------------------------------------------------------------------------------------------
# reasons: the table of reasons (support._REASONS) against the chain of tests it replaced, in both paths

def ref_describe(feature: str, effect: float, text: str, corroborated_by, label: str):
    """support._describe before the table (session 12), with the twin's specific words."""
    if feature == "hedges" and effect < 0:
        found = support.hedge_words(text, 3)
        return "hedged: " + support._quote(found) if found else None
    if feature == "loaded_words":
        return "loaded: " + support._quote([w for w in __import__("re").findall(r"[a-z-]+", text.lower())
                                            if w in support.LOADED_WORDS][:3])
    if feature in ("numbers", "dates") and effect > 0:
        found = support.specific_words(text)
        return "specific: " + support._quote(found) if found else None
    if feature in ("quote_marks", "quote_then_attribution", "attribution_then_quote") and effect > 0:
        return "direct quote"
    if feature == "denial":
        return "denial or no comment from the party concerned: " + support._quote(
            [m.group() for m in support.DENIAL_RE.finditer(text)])
    if feature == "anonymity_phrase" or (feature == "p_anonymous_intelligence" and effect < 0):
        return "anonymous source"
    if feature == "p_named_source" and effect > 0:
        return "named source on the record"
    if feature == "p_editorial_opinion" and effect < 0:
        return "the writer's own judgement, no source"
    if feature == "p_outlet_claim" and label == "outlet_claim":
        return "no source named (the outlet's own statement)" if effect < 0 else "plain factual narration"
    if feature == "corroborated" and effect > 0 and corroborated_by is not None:
        return f"corroborated by sentence {corroborated_by}"
    if feature in ("question",) and effect < 0:
        return "rhetorical question"
    if feature in ("modal", "intensifiers", "first_person") and effect < 0:
        return {"modal": "advice or obligation ('should', 'must')", "intensifiers": "emphatic wording",
                "first_person": "first-person voice"}[feature]
    if feature == "names" and effect > 0:
        return "names people or bodies"
    return None


_REASON_TEXTS = ["", "Officials may have denied the reckless claim on Monday, 2019, with 3,000 troops.",
                 "“It might be one of them,” she said, perhaps.", "Nothing here", "One said no comment in 1999 today.",
                 "Naïve Ünïcode téxt may say 12 things on Tuesday", "May 5: the military might"]


def test_describe_same_as_the_chain_of_tests():
    for feature in support.SUPPORT_FEATURES:
        for effect in (-1.0, -0.03, -0.0, 0.0, 0.03, 2.0, float("nan"), float("inf"), -float("inf")):
            for label in LABELS:
                for corr in (None, 0, 4):
                    for text in _REASON_TEXTS:
                        assert support.describe(feature, effect, text, corr, label) == \
                            ref_describe(feature, effect, text, corr, label), (feature, effect, label, corr, text)


def ref_reasons(contrib, X_row, text, corr, label, limit):
    import numpy as np

    out = []
    for k in np.argsort(-np.abs(contrib)):
        feature = support.SUPPORT_FEATURES[k]
        present = X_row[k] > 0.5 if feature.startswith("p_") else X_row[k] > 0
        if not present or abs(contrib[k]) < 0.02:
            continue
        reason = ref_describe(feature, float(contrib[k]), text, corr, label)
        if reason and reason not in out:
            out.append(reason)
        if len(out) == limit:
            break
    return out


def test_reasons_many_same_as_row_by_row_on_random_matrices():
    """Random contributions (ties, NaN, zeros, tiny effects) and features; every limit, 0 and negative too."""
    import numpy as np

    rng = np.random.default_rng(5)
    n, f = 300, len(support.SUPPORT_FEATURES)
    contrib = rng.normal(0, 0.3, (n, f)) * (rng.random((n, f)) < 0.6)
    contrib[rng.random((n, f)) < 0.03] = float("nan")
    contrib[rng.random((n, f)) < 0.05] = 0.01
    contrib[:, 3] = np.round(contrib[:, 3], 1)  # ties
    X = rng.random((n, f)) * (rng.random((n, f)) < 0.7)
    pyrng = random.Random(3)
    texts = [pyrng.choice(_REASON_TEXTS) for _ in range(n)]
    corr = [pyrng.choice((None, 1, 7)) for _ in range(n)]
    labels = [pyrng.choice(LABELS) for _ in range(n)]
    shown = 0
    for limit in (3, 1, 5, 0, -1):
        got = support.reasons_many(contrib, X, texts, corr, labels, limit)
        assert got == [ref_reasons(contrib[i], X[i], texts[i], corr[i], labels[i], limit) for i in range(n)]
        shown += sum(map(len, got))
    assert shown > 1_000


# ---------------------------------------------------------------------------------------------------------------
# hedges: the compiled search of HEDGE_RE

def compiled_spans(text: str):
    return K.alternation_spans(text, support._HEDGE_WORDS)


def regex_spans(text: str):
    return [m.span() for m in support.HEDGE_RE.finditer(text)]


def test_hedge_words_read_from_the_lexicon():
    assert support._HEDGE_WORDS and "it is understood" in support._HEDGE_WORDS
    assert support.hedge_words is support._hedge_words_compiled or not kernels.ACTIVE


def test_hedges_same_on_polnear(polnear_sentences):
    checked = found = 0
    for sents in polnear_sentences:
        for text in sents:
            spans = compiled_spans(text)
            if spans is None:
                assert not all(ch.isascii() or not (ch.isalnum() or ch == "_") for ch in text)
                continue
            assert spans == regex_spans(text), text
            for limit in (None, 1, 3):
                assert support._hedge_words_compiled(text, limit) == support._hedge_words_python(text, limit)
            checked += 1
            found += len(spans)
    assert checked > 6_000 and found > 500


_HEDGE_PIECES = ["may", "May", "MAY", "mAy", "might", "Might", "might of", "military might", "their might", "might,",
                 "May said", "May 5", "May be", "May.", "maybe", "dismay", "could", "Could", "couldn't", "reportedly",
                 "believed to", "believed  to", "Believed To", "believed\nto", "believed tol", "thought to", "said to",
                 "is expected", "are expected", "it is understood", "It Is Understood", "it is", "alleged",
                 "allegedly", "alleged_", "_may", "may_", "5may", "may5", "likely", "unlikely", "’", "“", "—", "-",
                 "'", "é", "ß", "\u212a", "ſ", "İ", "ı", "٣", "½", "\u0301", "\U0001F600", "\ud800", " ", "\n", ".",
                 ",", "(", ")", "the", "a", "of", "x", "\x85", "\u2028", "\u00a0"]


def test_hedges_same_on_fuzzed_strings():
    rng = random.Random(1322)
    checked = found = 0
    for _ in range(6000):
        k = rng.choice((1, 2, 4, 8, 20))
        text = "".join(rng.choice(_HEDGE_PIECES) + rng.choice(("", " ", " ", "-", ", ")) for _ in range(k))
        spans = compiled_spans(text)
        if spans is None:
            assert not all(ch.isascii() or not (ch.isalnum() or ch == "_") for ch in text)
            continue
        assert spans == regex_spans(text), text
        for limit in (None, 1, 3):
            assert support._hedge_words_compiled(text, limit) == support._hedge_words_python(text, limit), text
        checked += 1
        found += len(spans)
    assert checked > 2_000 and found > 3_000
    assert compiled_spans("") == [] and compiled_spans("may " * 50_000) == regex_spans("may " * 50_000)


def test_hedges_every_code_point():
    """Every ASCII and every seventh other code point around hedges: the regex's spans, or None for a word character
    outside ASCII."""
    import sys

    for c in [*range(128), *range(128, sys.maxunicode + 1, 7)]:
        ch = chr(c)
        text = f"{ch}may{ch}May be{ch} might{ch}believed to{ch}it is understood{ch}likely"
        spans = compiled_spans(text)
        if ch.isascii() or not (ch.isalnum() or ch == "_"):
            assert spans == regex_spans(text), hex(c)
        else:
            assert spans is None, hex(c)


def test_alternation_spans_arguments_checked():
    with pytest.raises(TypeError):
        K.alternation_spans(None, support._HEDGE_WORDS)
    with pytest.raises(TypeError):
        K.alternation_spans("may", list(support._HEDGE_WORDS))
    assert K.alternation_spans("may", ()) == []


def test_corroboration_overlap_words_in_50_and_51_sentences():
    """A word counts between sentences when 2-50 sentences hold it: the edges."""
    for n in (2, 49, 50, 51):
        sents = [f"Alpha Bravo Charlie number {k}" for k in range(n)] + ["Alpha Bravo Charlie alone"]
        labels = [LABELS[k % 2] for k in range(n + 1)]
        new = compiled(sents, labels, 0)
        assert new == twin(sents, labels, 0)
        assert (new[0][0] is not None) == (n + 1 <= 50)
