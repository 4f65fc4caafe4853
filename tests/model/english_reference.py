"""The definition of `looks_english` without any fast path: the reference the speed tests of sessions 11 and 12 hold its
pure-Python paths to (the `pure_english` fixture, tests/model/conftest.py)."""
from __future__ import annotations

import re

_REF_WORD = re.compile(r"[^\W\d_]+")
_REF_NOT_LATIN = re.compile("[^\u0000-\u024f]")


def ref_looks_english(text: str) -> bool:
    """`looks_english` without any fast path (its definition)."""
    from scorer.text.language import _FUNCTION_WORDS, MIN_LETTERS, MIN_WORDS

    words = _REF_WORD.findall(text[:20000])
    joined = "".join(words)
    if len(joined) < MIN_LETTERS:
        return True
    if len(joined) - len(_REF_NOT_LATIN.findall(joined)) < 0.5 * len(joined):
        return False
    if len(words) < MIN_WORDS:
        return True
    return sum(w.lower() in _FUNCTION_WORDS for w in words) >= 0.12 * len(words)
