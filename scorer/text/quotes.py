"""Quotation marks: whether a sentence leaves a quotation open, closes one opened earlier, and which of its
characters are inside one. The one place for this logic: segmentation (merging a quotation that runs over several
sentences), the cue features (`model.cues.quote_state`) and the source rules (`attribution.spans`: no cue word
inside a quotation, a speaker carried over while a quotation stays open) all use it.

Two readings, each kept as the model and the rules were built with it: `open_quote_count` counts marks (curly ones
first, else straight ones by parity), `quoted_mask` walks the sentence mark by mark.
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import kernels


def open_quote_count(text: str, start: int = 0, end: int | None = None) -> int:
    """How many quotations are left open at the end of `text` (curly quotes, then straight ones); with `start` and
    `end`, of text[start:end] (counted in place, as str.count reads them)."""
    curly = text.count("“", start, end) - text.count("”", start, end)
    if curly > 0:
        return curly
    return text.count('"', start, end) % 2


def opens_quote(text: str) -> bool:
    """The text leaves a quotation open: more curly openers than closers, or an odd number of straight quotes."""
    return (text.count("“") > text.count("”")) or text.count('"') % 2 == 1


def closes_open_quote(text: str) -> bool:
    """The sentence closes a quotation it did not open (a quote that began in an earlier sentence)."""
    first_close = min((i for i in (text.find("”"), text.find('"')) if i >= 0), default=-1)
    first_open = text.find("“")
    return first_close >= 0 and (first_open < 0 or first_close < first_open) and not text.startswith('"')


class _NoQuotes:
    """The quoted-mask of a sentence without quotation marks: nothing is inside a quote."""

    def __getitem__(self, index):
        return False

    def __bool__(self):
        return False


_NO_QUOTES = _NoQuotes()


@lru_cache(maxsize=4)  # find_attribution and ArticleSources.add ask for the same sentence in turn
def quoted_mask(text: str):
    """Per character: inside a quotation (an unclosed quote runs to the end of the sentence). Read-only; falsy
    for a sentence without quotation marks."""
    if "“" not in text and "”" not in text and '"' not in text:
        return _NO_QUOTES
    return _mask(text)


def _quoted_mask_python(text: str) -> list[bool]:
    """The loop of `quoted_mask` (the pure-Python twin of the compiled kernel `quoted_mask`)."""
    mask, inside, straight = [False] * len(text), False, False
    for i, ch in enumerate(text):
        if ch == "“" or (ch == '"' and not straight and not inside):
            inside, straight = True, ch == '"'
        elif (ch == "”" and inside) or (ch == '"' and straight):
            mask[i] = True
            inside, straight = False, False
            continue
        mask[i] = inside
    return mask


_mask = kernels.pick("quoted_mask", _quoted_mask_python)


_MARKS = re.compile('[“”"]')


def ends_quoted(text: str) -> bool:
    """quoted_mask(text)[-1] (False for empty text) without building the mask: the same walk, over the quotation
    marks only (the source rules ask whether a quotation is still open at the end of each sentence)."""
    if "“" not in text and "”" not in text and '"' not in text:
        return False
    inside = straight = False
    last = len(text) - 1
    for m in _MARKS.finditer(text):
        ch = m.group()
        if ch == "“" or (ch == '"' and not straight and not inside):
            inside, straight, value = True, ch == '"', True
        elif (ch == "”" and inside) or (ch == '"' and straight):
            inside, straight, value = False, False, True
        else:
            value = inside
        if m.start() == last:
            return value
    return inside
