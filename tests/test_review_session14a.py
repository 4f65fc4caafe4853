"""Review of session 14's faster sources resolver and claim features (review14a): faults found, each with its test.

1. `run_in_text` and `capitalised_in_running_text` (str.find loops replacing look-behind regexes) restarted the search
   one character after each occurrence that was not a match: a word that overlaps itself ("Sasas...s" opening a
   sentence, "sasasa..." in the body; "SaSa..." in a title-case headline) cost its length per occurrence, the square of
   the input where the regexes cost its length (8.3 s against 0.7 s on dc1f77a for one 1 MB article)."""
from __future__ import annotations

import gc
import random
import re
import tracemalloc

from scorer.attribution import sources
from scorer.attribution.sources import (_JOURNALIST_NAMED, _OUTLET_PERSON, _RUN, SourceResolver,
                                        capitalised_in_running_text, journalist_named, outlet_persons, run_in_text)
from scorer.model.claims import source_tokens, source_tokens_many


class CountingStr(str):
    """A str that counts the calls of its `find` (the loops' cost, measured without a clock)."""

    finds = 0

    def find(self, *args):
        CountingStr.finds += 1
        return str.find(self, *args)


def _finds(fn, text: str, *args) -> tuple[bool, int]:
    CountingStr.finds = 0
    answer = fn(CountingStr(text), *args)
    return answer, CountingStr.finds


def test_run_in_text_overlapping_occurrences_linear():
    word = "sa" * 200 + "s"
    text = " x" + "sa" * 20000 + " " + word + " ."  # 20000 occurrences overlap; the one run is at the end
    answer, finds = _finds(run_in_text, text, word)
    assert answer is True and answer == (word in _RUN.findall(text))
    assert finds <= len(text) // len(word) + 2  # one find per non-overlapping stretch, not one per occurrence
    answer, finds = _finds(run_in_text, text[:-len(word) - 3] + ".", word)
    assert answer is False and finds <= len(text) // len(word) + 2


def test_capitalised_in_running_text_overlapping_occurrences_linear():
    word = "Sa" * 200
    text = "x " + "Sa" * 20000 + ", " + word + " end"
    answer, finds = _finds(capitalised_in_running_text, text, word, 0)
    assert answer is True and finds <= len(text) // len(word) + 2
    answer, finds = _finds(capitalised_in_running_text, "x " + "Sa" * 20000 + "x", word, 0)
    assert answer is False and finds <= len(text) // len(word) + 2


def test_skipping_loops_exact_on_small_alphabets():
    """The skip never passes a match: the loops against the regexes they replace, on strings of the few characters
    that make occurrences overlap and matches start anywhere."""
    rng = random.Random(1414)
    for _ in range(4000):
        text = "".join(rng.choice("sa S,.\n\t") for _ in range(rng.randrange(0, 30)))
        word = "".join(rng.choice("saS ,") for _ in range(rng.randrange(1, 5)))
        runs = _RUN.findall(text)
        if not re.search(r"[\s,.;:!?]", word):  # (run_in_text's words: the resolver asks for no other)
            assert run_in_text(text, word) == (word in runs), (text, word)
        pos = rng.randrange(-1, 5)
        expected = re.compile(r"(?<=[\w,] )" + re.escape(word) + r"\b").search(text, pos) is not None
        assert capitalised_in_running_text(text, word, pos) == expected, (text, word, pos)


# 2. `outlet_persons` and `journalist_named` (the article-wide journalist scans tried only where a match can start)
#    collected every candidate start in a set before trying them in order: ~80 bytes per character of an article of
#    apostrophes before capitalised names ("X's Ab Cd " repeated; 793 MB peak RSS against 69 MB on dc1f77a for 9 MB of
#    "CNN's Jake Tapper "), ~60 per character of "host host ...". Now the starts are made in order and none kept.

def _peak(fn, text: str) -> tuple[list, int]:
    fn("CNN's Jake Tapper and host Sean Hannity")  # (the patterns compiled before the measure)
    tracemalloc.start()
    try:
        out = fn(text)
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_journalist_scans_keep_no_set_of_starts():
    for fn, pattern, text in ((outlet_persons, _OUTLET_PERSON, "X's Ab Cd " * 1500),
                              (outlet_persons, _OUTLET_PERSON, "Ab " + "Fox-News-" * 30 + "News’s Jake Tapper x"),
                              (journalist_named, _JOURNALIST_NAMED, "host " * 5000),
                              (journalist_named, _JOURNALIST_NAMED, "Host Sean Hannity, editor Ab Cd " * 500)):
        out, peak = _peak(fn, text)
        assert [m.span() for m in out] == [m.span() for m in pattern.finditer(text)]
        assert peak < 2 * len(text) + 200 * len(out) + 32_000, (fn.__name__, len(text), peak)


# 3. The caches session 14 added (`_head`, `_plural_capital`, `_pronoun_key`, `_word_pattern`, `_question_cue` in
#    the resolver, `_SOURCE_PARTS` and `_CUE_PARTS` of `source_tokens_many`) are bounded in entries, not in bytes: they
#    kept each phrase of a hostile article however long (a source or cue of megabytes), thousands of them after their
#    articles were done. Now a phrase of over 256 characters is worked out again instead of kept (as the tagger's
#    word caches do with _KEPT_LONGEST).

def test_long_phrases_not_kept_by_the_caches():
    def one(k: int) -> None:
        phrase = "Sa" + "sa" * 2500 + "s" + "xyz"[k % 3] * (k + 1) + "s"  # a capitalised plural, 5 kB
        cue = "asked " + "q" * 5000 + str(k)
        text = phrase + " " + cue + " why. Then " + phrase.lower() + " left."
        resolver = SourceResolver(text)
        resolver.resolve(0, phrase, cue_text=cue)
        resolver.resolve(len(text) - 6, "he", cue_text=cue)
        row = ([phrase], [None], [cue], ["named_source"], ["name"])
        assert source_tokens_many(*row) == [source_tokens(*(column[0] for column in row))]

    one(-1)  # (the patterns compiled and the caches of short strings filled before the measure)
    gc.collect()
    tracemalloc.start()
    try:
        for k in range(20):
            one(k)
        sources.phrase_rule.cache_clear()  # (the phrase cache from before session 14 keeps the phrases it is given)
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert kept < 60_000, kept  # 20 phrases and cues of 5 kB: ~0.8 MB when the caches kept them
