"""Session 11 speed-ups of `_finish` (issue #21) give exactly what the code they replaced gave: corroboration counted
once per article (`support.corroboration_and_overlap`, `support._corroborate_python`) and the headline overlap the
summary reads, on the PolNeAR dev texts and a third of train's and on fuzzed input. The replaced code (main 4e79796)
is kept here, frozen, as the reference."""
from __future__ import annotations

import random
import re
import sys
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.labels import LABELS
from scorer.model import support
from scorer.text import kernels

from english_reference import ref_looks_english  # tests/model/english_reference.py

# ---------------------------------------------------------------------------------------------------------------
# the reference (4e79796)

_REF_CONTENT = re.compile(r"[A-Za-z][a-z]{3,}|[A-Z][A-Za-z]+|\d[\d,.]*")
_REF_STOP = frozenset("that this with from have been were they their there would could about said says told also "
                      "which when what will into more than after before over said".split())


def ref_content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in map(str.lower, _REF_CONTENT.findall(text)) if w not in _REF_STOP)


def ref_corroborate(words: list, labels: list[str], min_shared: int = 3) -> list[int | None]:
    index: dict[str, list[int]] = {}
    for i, ws in enumerate(words):
        for w in ws:
            postings = index.get(w)
            if postings is None:
                index[w] = [i]
            else:
                postings.append(i)
    shared = {}
    for w, postings in index.items():
        if 1 < len(postings) <= 50:
            others = [j for j in postings if labels[j] != "editorial_opinion"]
            if others:
                shared[w] = others
    out: list[int | None] = []
    for i, ws in enumerate(words):
        label = labels[i]
        candidates = [j for postings in map(shared.get, ws) if postings for j in postings if labels[j] != label]
        if not candidates or len(candidates) < min_shared:
            out.append(None)
            continue
        counts = Counter(candidates)
        top = max(counts.values())
        out.append(max((j for j, c in counts.items() if c == top), key=lambda j: (-abs(j - i), -j))
                   if top >= min_shared else None)
    return out


def ref_corroboration_and_overlap(texts, labels, headline, min_shared=3):
    """What 4e79796 computed: `corroboration(texts, labels)` and, in the summary, `len(head & content_words(r))`."""
    words = [ref_content_words(t) for t in texts]
    overlap = None if headline is None else [len(words[headline] & ws) for ws in words]
    return ref_corroborate(words, labels, min_shared), overlap


# every code point of the planes that have any assigned character (planes 4-13 have none: they behave as plane 3's
# unassigned ones do, and skipping them keeps these checks to a few seconds)
_ASSIGNED_PLANES = [chr(c) for c in (*range(0x40000), *range(0xE0000, sys.maxunicode + 1))]


def _labellings(n: int, rng: random.Random) -> list[list[str]]:
    """Random, mostly one type, two types alternating (many candidates per sentence), all the writer's opinion."""
    return [[rng.choice(LABELS) for _ in range(n)], [rng.choices(LABELS, weights=(10, 1, 1, 1))[0] for _ in range(n)],
            [LABELS[(i % 2) * 2] for i in range(n)], ["editorial_opinion"] * n]


# ---------------------------------------------------------------------------------------------------------------
# corroboration and the headline overlap

def test_corroboration_and_overlap_same_on_polnear(polnear_sentences):
    rng = random.Random(11)
    found = 0
    for sents in polnear_sentences:
        # each labelling with one of the settings, in turn (all sixteen pairs cost ~4 s more and found no more)
        settings_ = ((3, 0), (1, None), (0, len(sents) - 1), (6, len(sents) // 2))
        shift = rng.randrange(4)
        for i, labels in enumerate(_labellings(len(sents), rng)):
            min_shared, headline = settings_[(i + shift) % 4]
            new = support.corroboration_and_overlap(sents, labels, headline, min_shared)
            assert new == ref_corroboration_and_overlap(sents, labels, headline, min_shared)
            found += sum(c is not None for c in new[0])
        words = [ref_content_words(s) for s in sents]
        labels = _labellings(len(sents), rng)[1]
        assert support._corroborate_python(words, labels) == ref_corroborate(words, labels)
    assert found > 5_000  # the corpus exercises the choice, not only "None"


def test_long_article_takes_the_loop_with_the_same_result(polnear_sentences):
    """More than _DENSE_LIMIT sentences: the inverted-index path, the same result."""
    sents = [s for article in polnear_sentences[:40] for s in article][:support._DENSE_LIMIT + 50]
    labels = _labellings(len(sents), random.Random(3))[0]
    assert support.corroboration_and_overlap(sents, labels, 0) == ref_corroboration_and_overlap(sents, labels, 0)
    words = [ref_content_words(s) for s in sents]
    assert support._corroborate_python(words, labels) == ref_corroborate(words, labels)


def test_every_code_point_in_content_words():
    """Every code point after a digit, inside and after ASCII words, alone, one sentence per block: the whole-article
    findall and lower-casing give each sentence's words (NUL included: that article takes the per-sentence path)."""
    chars = _ASSIGNED_PLANES
    for joiner in ("1", "Abcd", "AB", "12,3.", " "):
        texts = [joiner.join(chars[start:start + 4096]) + " Trump" for start in range(0, len(chars), 4096)]
        labels = [LABELS[i % 4] for i in range(len(texts))]
        for part in (texts[:1], texts[1:]):  # (the first block holds NUL)
            assert support.corroboration_and_overlap(part, labels[:len(part)], 0, 1) == \
                ref_corroboration_and_overlap(part, labels[:len(part)], 0, 1), joiner


_VOCAB = ["Trump", "TRUMP", "Russia", "Moscow", "officials", "bounties", "2020", "12,000", "Taliban", "said", "that",
          "That", "intel", "Report", "REPORT", "report", "troops", "ab", "Über", "x", "٣", "１２", "\0", "\n", "İ", "ſ",
          "\u212a", "Σ", ",", "."]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.one_of(st.sampled_from(_VOCAB), st.text(max_size=3)), max_size=8).map(" ".join),
                max_size=70),
       st.lists(st.sampled_from(LABELS), min_size=70, max_size=70), st.integers(-1, 5), st.integers(-1, 70))
def test_corroboration_and_overlap_same_on_fuzzed_sentences(texts, labels, min_shared, headline):
    """Small vocabularies (words shared by many sentences, some by more than 50: ties are frequent), odd characters."""
    labels = labels[:len(texts)]
    headline = headline if 0 <= headline < len(texts) else None
    assert support.corroboration_and_overlap(texts, labels, headline, min_shared) == \
        ref_corroboration_and_overlap(texts, labels, headline, min_shared)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a", "b", "c", "d", 7]), max_size=6), max_size=60),
       st.lists(st.sampled_from(list(LABELS) + ["other"]), min_size=60, max_size=60), st.integers(-1, 4))
def test_corroborate_same_on_word_lists_with_repeats(words, labels, min_shared):
    """Any iterables of words (a word listed twice counts twice in both) and labels outside the four."""
    labels = labels[:len(words)]
    assert support._corroborate_python(words, labels, min_shared) == ref_corroborate(words, labels, min_shared)


def test_too_few_labels_raise_like_the_reference():
    texts = ["Alpha Beta Gamma"] * 3
    for labels in ([], ["named_source"]):
        with pytest.raises(IndexError):
            ref_corroborate([ref_content_words(t) for t in texts], labels)
        with pytest.raises(IndexError):
            support._corroborate_python([ref_content_words(t) for t in texts], labels)
        with pytest.raises(IndexError):
            support.corroboration_and_overlap(texts, labels, None)
    assert support.corroboration_and_overlap([], [], None) == ([], None)


def test_pipeline_path_follows_the_switch():
    """The whole-article path is the pure-Python one; with the kernels the sentences' words come from the kernel."""
    assert (support._corroborate is support._corroborate_compiled) == kernels.ACTIVE


# ---------------------------------------------------------------------------------------------------------------
# the sentence rows (pipeline.sentence_rows): reference = the loop of 4e79796's Scorer._finish

def _ref_value(v):
    return None if v is None or (isinstance(v, float) and v != v) else v


def _ref_source_for(rec, label):
    source, cue, inherited = _ref_value(rec["source"]), _ref_value(rec["cue"]), _ref_value(rec["inherited_source"])
    if label == "editorial_opinion":
        return None, None, None
    if label == "outlet_claim" and rec["src_type"] != "outlet_claim":
        return None, None, None
    if source is None and inherited:
        return inherited, None, None
    return source, cue, _ref_value(rec["src_refers_to"])


def _ref_spans_for(rec, phrase, cue, label):
    def span(start, end):
        start, end = _ref_value(start), _ref_value(end)
        return None if start is None or end is None else [int(start), int(end)]

    attributed = label != "editorial_opinion" and (phrase is not None or cue is not None or (
        label != "outlet_claim" and _ref_value(rec["inherited_source"])))
    return {"source_span": span(rec["source_start"], rec["source_end"]) if phrase is not None else None,
            "cue_span": span(rec["cue_start"], rec["cue_end"]) if cue is not None else None,
            "content_span": span(rec["content_start"], rec["content_end"]) if attributed else None}


def ref_rows(sentences, kept, labels, prob_rows, inputs, support_list, grade_list, reasons, corr, head):
    rows = []
    records = inputs.records(["source", "cue", "inherited_source", "src_method", "src_type", "src_refers_to",
                              "via", "source_start", "source_end", "cue_start", "cue_end", "content_start",
                              "content_end"])
    for i, sent in enumerate(sentences):
        rec = records[kept[i]]
        label = labels[i]
        phrase, cue, refers = _ref_source_for(rec, label)
        rows.append({
            "index": i, "start": sent.start, "end": sent.end, "text": sent.text,
            "attribution_type": label,
            "probabilities": {lab: round(q, 4) for lab, q in zip(LABELS, prob_rows[i])},
            "source": refers or phrase, "cue": cue, "source_phrase": phrase, "via": _ref_value(rec["via"]),
            **_ref_spans_for(rec, phrase, cue, label),
            "support": round(support_list[i], 4), "support_grade": grade_list[i],
            "reasons": reasons[i],
            "corroborated_by": corr[i], "is_headline": i == head,
        })
    return rows


def _same_rows(a: list[dict], b: list[dict]) -> bool:
    """Equal, with the same key order and the same types (an int is not a float, NaN never reaches a row)."""
    return [list(r.items()) for r in a] == [list(r.items()) for r in b] and \
        [[type(v) for v in r.values()] for r in a] == [[type(v) for v in r.values()] for r in b]


def _check_rows(sentences, inputs, rng):
    from scorer.pipeline import sentence_rows

    n = len(sentences)
    kept = sorted(rng.sample(range(len(inputs)), n))
    probs = [[rng.random() for _ in LABELS] for _ in range(n)]
    support_list = [rng.random() for _ in range(n)]
    grades = [rng.randrange(4) for _ in range(n)]
    reasons = [["r"] * rng.randrange(3) for _ in range(n)]
    corr = [rng.choice([None, 0, 1]) for _ in range(n)]
    for labels in [[lab] * n for lab in LABELS] + [[rng.choice(LABELS) for _ in range(n)]]:
        for head in (None, 0):
            args = (sentences, kept, labels, probs, inputs, support_list, grades, reasons, corr, head)
            # (sentence_rows takes the probabilities and support rounded as reported since session 12)
            as_reported = (sentences, kept, labels, [[round(q, 4) for q in row] for row in probs], inputs,
                           [round(v, 4) for v in support_list], grades, reasons, corr, head)
            assert _same_rows(sentence_rows(*as_reported), ref_rows(*args))


@pytest.fixture(scope="module")
def dev_inputs(polnear_texts):
    """(sentences, model inputs) of the first 40 corpus texts, as the pipeline prepares them."""
    from scorer.pipeline import Article, cached_scorer

    prepared = cached_scorer()._prepare_many([Article(t) for t in polnear_texts[:40]])
    return [(p.sentences, p.inputs) for p in prepared]


def test_sentence_rows_same_on_polnear(dev_inputs):
    """Every sentence typed as each of the four types in turn: every branch of the source and span choice."""
    rng = random.Random(5)
    attributed = 0
    for sentences, inputs in dev_inputs:
        _check_rows(sentences, inputs, rng)
        attributed += sum(v is not None for v in inputs["inherited_source"]) + sum(
            v is not None for v in inputs["source"])
    assert attributed > 200  # the corpus has sources and carried-over sources


_TEXT_CELL = st.one_of(st.none(), st.just(float("nan")), st.sampled_from(["", "they", "Reuters", "outlet_claim"]))
_OFFSET_CELL = st.one_of(st.none(), st.just(float("nan")), st.integers(0, 500),
                         st.integers(0, 500).map(float))
_OFFSETS = {"source_start", "source_end", "cue_start", "cue_end", "content_start", "content_end"}


@settings(max_examples=120, deadline=None)
@given(st.integers(1, 6).flatmap(lambda n: st.tuples(st.just(n), st.lists(st.tuples(
    st.lists(_TEXT_CELL, min_size=16, max_size=16), st.lists(_OFFSET_CELL, min_size=16, max_size=16)),
    min_size=n, max_size=n))), st.integers(0, 99))
def test_sentence_rows_same_on_fuzzed_cells(case, seed):
    """Cells of every kind a column may hold: None, NaN (a pandas-made frame), text, offsets as int or float."""
    from scorer.model.inputs import FRAME_COLUMNS, ModelInputs
    from scorer.text.segment import Sentence

    n, cells = case
    columns = {name: [row[name in _OFFSETS][c] for row in cells] for c, name in enumerate(FRAME_COLUMNS)}
    columns["src_type"] = [v if v in ("outlet_claim", "named_source") else "none" for v in columns["src_type"]]
    sentences = [Sentence(i * 10, i * 10 + 5, f"s{i}") for i in range(n)]
    _check_rows(sentences, ModelInputs(columns), random.Random(seed))


# ---------------------------------------------------------------------------------------------------------------
# looks_english: the ASCII path on bytes (pure Python)

# (ref_looks_english: tests/model/english_reference.py; the pure_english fixture: tests/model/conftest.py)


def test_looks_english_same_on_polnear(polnear_texts, pure_english):
    for text in polnear_texts:
        for variant in (text, text[:300], text[:40], text.upper(), text.replace("the", "der"), text[::7]):
            assert pure_english(variant) == ref_looks_english(variant)
        sentences = text.split(". ")[:20]
        for sent in sentences:
            assert pure_english(sent) == ref_looks_english(sent)


def test_non_ascii_word_characters_are_the_alphanumeric_ones():
    """What the ASCII path's test reads: a non-ASCII character is a word character of the regex engine (`\\w`)
    exactly when str.isalnum() is true, for every code point."""
    word = re.compile(r"\w")
    assert [c for c in range(0x80, sys.maxunicode + 1) if bool(word.match(chr(c))) != chr(c).isalnum()] == []


def test_looks_english_same_on_blocks_of_code_points(pure_english):
    chars = _ASSIGNED_PLANES
    for start in range(0, len(chars), 512):
        for joiner in (" the ", "a", " "):
            text = joiner.join(chars[start:start + 512])
            assert pure_english(text) == ref_looks_english(text)
            assert pure_english(text.lower()) == ref_looks_english(text.lower())


_EN = ["the", "The", "THE", "and", "of", "Russia", "Moscow", "said", "über", "é", "ſ", "\u212a", "İ", "ı", "Σ", "“",
       "”", "’", "—", "1", "_", " ", "\n", "дом", "的", "Ⓐ", "\u0345", "\x00"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_EN), st.text(max_size=3)), max_size=80).map(" ".join))
def test_looks_english_same_on_fuzzed_strings(text):
    from scorer.text import language

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(language, "_english_counts", None)
        assert language.looks_english(text) == ref_looks_english(text)


# ---------------------------------------------------------------------------------------------------------------
# hedge_words with a limit: the first ones of all of them

def test_hedge_words_limit_is_a_prefix_on_polnear(polnear_sentences):
    hedged = 0
    for sents in polnear_sentences:
        for sent in sents:
            found = support.hedge_words(sent)
            hedged += bool(found)
            for limit in (1, 2, 3):
                assert support.hedge_words(sent, limit) == found[:limit]
    assert hedged > 500


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["may", "May", "might", "could", "reportedly", "the", "military", "of", "5", "said",
                                 ".", "“", "Might", "perhaps"]), max_size=20).map(" ".join), st.integers(1, 4))
def test_hedge_words_limit_is_a_prefix_on_fuzzed_strings(text, limit):
    assert support.hedge_words(text, limit) == support.hedge_words(text)[:limit]


def test_article_too_large_for_the_matrix_takes_the_sentence_path(polnear_sentences, monkeypatch):
    """Past _CELLS_LIMIT (sentences x distinct content words) no (sentence, word) matrix is made; the result is the same."""
    sents = polnear_sentences[0]
    labels = _labellings(len(sents), random.Random(9))[0]
    expected = ref_corroboration_and_overlap(sents, labels, 0)
    assert support.corroboration_and_overlap(sents, labels, 0) == expected
    made = []
    real_zeros = support.np.zeros
    monkeypatch.setattr(support, "_CELLS_LIMIT", 10)
    monkeypatch.setattr(support.np, "zeros", lambda *a, **k: made.append(a) or real_zeros(*a, **k))
    assert support.corroboration_and_overlap(sents, labels, 0) == expected
    assert made == []
