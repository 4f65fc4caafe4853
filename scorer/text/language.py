"""A cheap check that an article is English: the models were trained on English news only, so
other languages are still scored but flagged `non_english` (their labels are not reliable)."""
from __future__ import annotations

import re

from . import kernels

NON_ENGLISH_FLAG = "non_english: the text does not look like English, so its labels and scores are unreliable"

# the most frequent English function words; they make up about 40% of the words of English news
_FUNCTION_WORDS = frozenset("""
a about after all also an and any are as at be because been but by can could did do does for from had
has have he her him his how i if in into is it its just more most my no not of on one only or other our
out over said says she so some than that the their them then there these they this to up was we were
what when which who will with would you
""".split())
_WORD = re.compile(r"[^\W\d_]+")
_NON_ASCII_WORD_CHAR = re.compile(r"[^\W\x00-\x7f]")
_ASCII_WORD = re.compile(r"[A-Za-z]+")  # what _WORD finds in text without a _NON_ASCII_WORD_CHAR
_NOT_LATIN = re.compile("[^\u0000-\u024f]")
_NON_ASCII = re.compile("[^\x00-\x7f]")
# bytes: ASCII letters in lower case, every other byte a space (the words of `looks_english`'s ASCII path)
_ASCII_WORDS = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 else 32 for c in range(256))
_FUNCTION_BYTES = frozenset(w.encode("ascii") for w in _FUNCTION_WORDS)
MIN_WORDS = 12  # fewer words (a headline alone) are not judged
MIN_LETTERS = 20
_SLICE = 256  # words counted at a time by the ASCII path
_ASCII_BYTES = bytes(range(128))


def _non_ascii(text: str) -> set[str]:
    """The distinct non-ASCII characters of the text (what `set(_NON_ASCII.findall(text))` gives, lone surrogates
    too): its UTF-8 bytes less the ASCII ones are the UTF-8 of those characters alone (~5x faster than the regex)."""
    return set(text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass"))
# (letters, words, function words) of the ASCII path below, compiled (`_scorer_kernels.english_counts`; None for text
# that does not take that path), or None: the pure-Python twin is that path itself
_english_counts = kernels.pick("english_counts", None)


def looks_english(text: str) -> bool:
    """False when under half of the letters are Latin (given at least MIN_LETTERS letters), or when,
    given at least MIN_WORDS words, under 12% of them are common English function words (English
    news: 19-60%, median 40%, over the 925 PolNeAR articles).

    Fast paths with the same result: text whose only word characters are ASCII is counted as bytes (its words are
    the runs of ASCII letters, lower-cased), and ASCII letters are all Latin."""
    head = text[:20000]
    # the compiled kernel: the same three counts as the ASCII path below, no word made (None: not that path)
    counts = _english_counts(head, _FUNCTION_WORDS) if _english_counts is not None else None
    if counts is not None:
        letters, n_words, function = counts
        return letters < MIN_LETTERS or n_words < MIN_WORDS or function >= 0.12 * n_words
    if _english_counts is None and (head.isascii() or not any(map(str.isalnum, _non_ascii(head)))):
        # the same three counts, on bytes: text whose word characters are all ASCII (a non-ASCII character is a word
        # character of the regex engine when it is alphanumeric; `_` is ASCII) has as its words, lower-cased, the
        # runs of ASCII letters (every other character, non-ASCII ones as "?", a separator), lower-cased
        # (checked for every code point in tests/model/test_finish_session11.py)
        lowered = head.encode("ascii", "replace").translate(_ASCII_WORDS)
        words = lowered.split()
        letters = len(lowered) - lowered.count(b" ")  # (every byte is a letter or a space now)
        if letters < MIN_LETTERS or len(words) < MIN_WORDS:
            return True
        # counted a slice of words at a time, up to the share needed (English reaches it in the first slices)
        need, function = 0.12 * len(words), 0
        for start in range(0, len(words), _SLICE):
            function += sum(map(_FUNCTION_BYTES.__contains__, words[start:start + _SLICE]))
            if function >= need:
                return True
        return False
    words = _WORD.findall(head)
    lowered = map(str.lower, words)
    joined = "".join(words)
    letters = len(joined)
    if letters < MIN_LETTERS:
        return True
    if not joined.isascii():
        latin = letters - len(_NOT_LATIN.findall(joined))  # letters from U+0250 on are not Latin
        if latin < 0.5 * letters:
            return False
    if len(words) < MIN_WORDS:
        return True
    function = sum(map(_FUNCTION_WORDS.__contains__, lowered))
    return function >= 0.12 * len(words)
