"""The faster model inputs of session 11 (issue #21) give exactly what the code they replaced gave: the cue features
(`cue_vector`: one look-up of each word in `cues._LOWER_BITS` instead of a set and ten set intersections, capitals
counted without a regex) and `tagger.sentence_attribution` (its imports done once), on every sentence of the PolNeAR
dev set and a third of train (the `polnear_texts` fixture) and on fuzzed strings. The replaced code is frozen here
as it was at 4e79796."""
from __future__ import annotations

import math
import re
from operator import itemgetter

from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.attribution import tagger as T
from scorer.attribution.lexicon import (ANONYMOUS_HEADS, CARRY_VERBS, HEDGES, INTENSIFIERS, LOADED_WORDS,
                                        REPORTING_VERBS)
from scorer.model import cues as c
from scorer.text.segment import split_article

# --------------------------------------------------------------------------------------------------------------------
# the replaced code, frozen


_CAPITAL = re.compile("[A-Z]")
_ANY_DIGIT = re.compile(r"\d")


def _count(words: list[str], uniq: set[str], lexicon: frozenset[str]) -> int:
    return 0 if uniq.isdisjoint(lexicon) else sum(w in lexicon for w in words)


def _has_digit(text: str) -> bool:
    if text.isascii():
        return any(d in text for d in "0123456789")
    return _ANY_DIGIT.search(text) is not None


def session10_cue_vector(text: str) -> list[float]:
    """cue_vector as it was at 4e79796 (session 10), but for names."""
    if not text:
        return [0.0] * len(c.CUE_FEATURES)
    words = c._WORD.findall(text)
    low = text.lower()
    # the words lower-cased in one go: they hold no space, and lower-casing their characters ([A-Za-z'’-]) keeps
    # them one character each
    low_words = " ".join(words).lower().split(" ") if words else []
    uniq = set(low_words)
    # a capitalised "States" or "Statement" is not a reporting verb
    verbs = [i for i, w in enumerate(low_words) if w in c.REPORTING_VERBS and words[i][0].islower()] \
        if not uniq.isdisjoint(c.REPORTING_VERBS) else []
    name_near = 0.0
    for i in verbs:
        window = words[max(0, i - 4):i] + words[i + 1:i + 4]
        if any(w[0].isupper() and w not in ("I", "The", "A", "But", "And") for w in window):
            name_near = 1.0
            break
    names = len(_CAPITAL.findall("".join(map(itemgetter(0), words)), 1))  # every word starts with [A-Za-z]
    if names and not c._FIRST_CAPITALISED.isdisjoint(words):
        names -= sum(w in c._FIRST_CAPITALISED for w in words[1:])  # "I", "We", "Our", "My" are not names
    # each regex below runs only when a cheap exact check says it can match (most sentences have no quote, dash,
    # digit or "May ")
    closing = "”" in text or '"' in text
    quotes = len(c._QUOTE_CHARS.findall(text)) if closing or "“" in text else 0
    # '“...” ― Name', an epigraph-style attribution
    quote_then = float(closing and ("―" in text or "—" in text or "–" in text)
                       and bool(c._DASH_ATTRIBUTION.search(text)))
    if not quote_then and (closing or "’" in text):
        quote_then = float(c._said_after_closing(text))
    opener = text.find("“") if "“" in text else text.find('"')
    then_quote = float(opener > 0 and any(w.lower() in c.REPORTING_VERBS for w in c._WORD.findall(text, 0, opener)[:7]))
    carry = float(not uniq.isdisjoint(c.CARRY_VERBS) and not uniq.isdisjoint(c._CARRY_PRONOUNS) and any(
        a in c._CARRY_PRONOUNS and b in c.CARRY_VERBS for a, b in zip(low_words, low_words[1:])))
    found = c.phrase_groups(low)  # one scan for all phrase lists
    hedges = _count(low_words, uniq, c._SINGLE_HEDGES) + ("hedge" in found)
    digits = _has_digit(text)
    numbers = (len(c._DIGITS.findall(text)) if digits else 0) + _count(low_words, uniq, c._NUMBER_WORDS)
    dated = not uniq.isdisjoint(c._DATE_WORDS) or (digits and bool(c._YEAR.search(text))) \
        or ("May " in text and bool(c._DATE_MAY.search(text)))
    return [
        float(bool(verbs)), float("report" in found or "denial" in found), float("according to" in low),
        min(quotes, 4) / 4.0, float(text[:1] in "“\"‘'"), quote_then, then_quote, carry, name_near,
        min(names, 5) / 5.0, float("anon" in found),
        float(not c.ANONYMOUS_HEADS.isdisjoint(low_words[:12])), float("outlet" in found),
        min(hedges, 3) / 3.0, min(_count(low_words, uniq, c.LOADED_WORDS), 3) / 3.0,
        min(numbers, 4) / 4.0, float(dated), float("?" in text), float("!" in text),
        float(not c._FIRST.isdisjoint(words)), float(not c._SECOND.isdisjoint(words)),
        float(not uniq.isdisjoint(c._MODALS) or (("need" in low or "ha" in low) and " to" in low
                                                and bool(c._MODAL_PHRASE.search(low)))),
        min(_count(low_words, uniq, c.INTENSIFIERS), 3) / 3.0,
        float("denial" in found), math.log1p(len(low_words)) / 5.0,
    ]


def session10_sentence_attribution(article_text: str, sent, spans):
    """tagger.sentence_attribution as it was at 4e79796 (its imports in its body)."""
    from scorer.attribution.sources import classify_phrase
    from scorer.attribution.spans import NO_ATTRIBUTION, Attribution

    sources, cues, contents = spans["SOURCE"], spans["CUE"], spans["CONTENT"]
    content = (contents[0][0], contents[-1][1]) if contents else None
    if not sources and not cues:
        return NO_ATTRIBUTION, content
    base = sent.start
    if sources:
        s0, s1 = sources[0]
        cue = min(cues, key=lambda c: max(c[0] - s1, s0 - c[1], 0)) if cues else None
    else:
        s0 = s1 = None
        cue = cues[0]
    via = None
    if len(sources) > 1:
        last = article_text[sources[-1][0]:sources[-1][1]]
        if classify_phrase(last).label == "outlet_claim" \
                and classify_phrase(article_text[s0:s1]).label != "outlet_claim":
            via = last
    return Attribution(
        None if s0 is None else article_text[s0:s1], None if s0 is None else s0 - base,
        None if s0 is None else s1 - base, None if cue is None else article_text[cue[0]:cue[1]],
        None if cue is None else cue[0] - base, None if cue is None else cue[1] - base, via), content


# --------------------------------------------------------------------------------------------------------------------


def test_cue_vector_same_on_polnear(polnear_sentences):
    sentences = [s for article in polnear_sentences for s in article]
    assert len(sentences) > 7_000
    rows = c.cue_matrix_python(sentences).tolist()  # cue_vector of each sentence, in one call
    assert rows == [session10_cue_vector(s) for s in sentences]
    # the corpus exercises every word list the look-up table holds
    for k in (0, 7, 8, 11, 13, 14, 15, 16, 21, 22):  # verbs, carry, name near, anonymous head, hedges, loaded ...
        assert any(r[k] for r in rows), c.CUE_FEATURES[k]


def test_sentence_attribution_same_on_polnear(polnear_texts):
    from scorer.model.store import load_bundle

    tagger = load_bundle()["spans"]
    articles = [(text, split_article(text)[0]) for text in polnear_texts]
    found = 0
    for at in range(0, len(articles), 32):
        batch = articles[at:at + 32]
        for (text, sentences), spans in zip(batch, tagger.spans_many(batch)):
            for sent, s in zip(sentences, spans):
                new = T.sentence_attribution(text, sent, s)
                assert new == session10_sentence_attribution(text, sent, s)
                found += new[0].via is not None
    assert found  # the rare path through classify_phrase is exercised


_WORDS = sorted(REPORTING_VERBS)[:40] + sorted(CARRY_VERBS) + ["he", "she", "they", "it", "He", "It"] \
    + [h for h in HEDGES if " " not in h] + sorted(LOADED_WORDS)[:20] + sorted(INTENSIFIERS) \
    + sorted(ANONYMOUS_HEADS)[:20] \
    + "one two ten million Monday june yesterday 1999 2020 should must ought need to has have May I We Our My " \
      "you Your The A But And Said States said, “ ” \" ’ ' — ― – , ? ! . \n".split(" ") \
    + ["İ", "\u212a", "é", "中文", "٣"]
_fuzz = st.lists(st.one_of(st.sampled_from(_WORDS), st.sampled_from([w.upper() for w in _WORDS]),
                           st.sampled_from([" ", " ", "  ", "-", "’"]), st.text(max_size=3)),
                 max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(_fuzz)
def test_cue_vector_same_on_fuzzed_strings(text):
    assert c.cue_vector(text) == session10_cue_vector(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS + [" "]), max_size=40).map(" ".join))
def test_cue_vector_same_on_fuzzed_word_runs(text):
    assert c.cue_vector(text) == session10_cue_vector(text)
