"""Review of session 14's faster sources resolver and claim features (review14a): faults found, each with its test.

1. `run_in_text` and `capitalised_in_running_text` (str.find loops replacing look-behind regexes) restarted the search
   one character after each occurrence that was not a match: a word that overlaps itself ("Sasas...s" opening a
   sentence, "sasasa..." in the body; "SaSa..." in a title-case headline) cost its length per occurrence, the square of
   the input where the regexes cost its length (8.3 s against 0.7 s on dc1f77a for one 1 MB article)."""
from __future__ import annotations

import random
import re

from scorer.attribution.sources import _RUN, capitalised_in_running_text, run_in_text


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
