"""Sentence segmentation with character offsets, tuned for news copy.

nupunkt (a maintained Punkt implementation with a large abbreviation model) finds candidate
boundaries inside each paragraph; the repairs below fix what it gets wrong on news text:
closing quotes stranded at the start of the next sentence (``Afghanistan.””Iran``), splits
before a lower-case continuation (``“Why now?” he asked.``) and multi-sentence quotations
whose attribution follows the quote (``“We stay. This is home,” she said.``). `headline_index` tells
whether the first sentence is a headline.
"""
from __future__ import annotations

import re
from itertools import permutations
from typing import NamedTuple

from . import kernels
from .furniture import Skipped, find_furniture
from .quotes import open_quote_count

CLOSING_QUOTES = "”’»"
_LEADING_CLOSERS = set('”’»"\')]')
# A quotation that ends with a comma, or ?/! followed by a lower-case word, continues with its attribution.
_QUOTE_CONTINUES = re.compile(r'[,][”"’]|[?!—–-][”"’]\s+[a-z]')
_MAX_QUOTE_MERGE = 4
# Titles that never end a sentence: a split right after one is undone.
_TITLES = ("Lt", "Gen", "Col", "Sgt", "Capt", "Maj", "Adm", "Cmdr", "Cpl", "Pvt", "Rep", "Sen", "Gov", "Dr", "Mr", "Mrs",
           "Ms", "Prof", "Rev", "Ft", "Mt", "Hon", "Gens", "Reps", "Sens")
_TITLE_END = re.compile(rf"\b({'|'.join(_TITLES)})\.$")
_TITLE_ENDINGS = tuple(f"{title}.{end}" for title in _TITLES for end in ("", "\n"))  # what a _TITLE_END match ends with
# Abbreviations that often end a sentence; Punkt keeps them joined to the next sentence.
_FINAL_ABBREVIATIONS = ("U.S", "U.K", "U.N", "D.C", "Inc", "Ltd", "Corp", "Co", "Jr", "Sr", "a.m", "p.m", "St", "etc",
                        "cent")
_FINAL_ABBREV = re.compile(rf"(\b(?:{'|'.join(map(re.escape, _FINAL_ABBREVIATIONS))})\.)\s+([A-Z][a-z]*)\b(\s+[a-z])?")
_SENTENCE_STARTERS = frozenset("""
The A An It He She They We I You This That These Those His Her Their Its Our My There Here But And Yet So Or
In On At About After Before During While When If As Although Though However Still Meanwhile Instead Earlier Later
Then Now Today Yesterday Some Many Most Several Few No None Both All Each Every Neither Other Police Officials
""".split())


class Sentence(NamedTuple):
    """One sentence: offsets into the article text and the text itself (text[start:end])."""

    start: int
    end: int
    text: str


def _punkt_spans(block: str, one_sentence: bool = False) -> list[tuple[int, int]]:
    """nupunkt's sentence spans of a block, as `nupunkt.sent_spans` gives them (each runs to the next one's start, the
    last to the block's end; the whole block when nupunkt finds none), from the default model's `span_tokenize`
    without the sentences' texts that `sent_spans` also cuts out. `one_sentence`: the caller checked that the loaded
    tokenizer is one whose spans `_one_span` predicts (`_punkt_reproducible`), so a block it calls one sentence is
    not handed to nupunkt."""
    if not block:
        return []
    if one_sentence and _one_span(block):
        return [(0, len(block))]
    starts = [start for start, _ in (_SPAN_TOKENIZE or _span_tokenize())(block)]
    if not starts:
        return [(0, len(block))]
    return list(zip(starts, starts[1:] + [len(block)]))


_SPAN_TOKENIZE = None  # the default nupunkt model's span_tokenize, once it is loaded (nupunkt is imported when needed)

# nupunkt's sentence-ending characters (its `_SENT_END_CHARS`) and the closing marks of its boundary realignment
# (`re_boundary_realignment`'s class), as `_PUNKT_SETTINGS` checks them
_PUNKT_ENDS = ".?!\u2026"
_PUNKT_CLOSERS = "'\")]}\u201d\u2019\u00bb*"


def _one_span(block: str) -> bool:
    """Whether nupunkt's span_tokenize, for the tokenizers `_punkt_reproducible` accepts, gives the block one span
    starting at 0 or none (either way `_punkt_spans` is the whole block), read from the characters alone: the block,
    less its trailing white space and then its trailing closing marks, holds no sentence-ending character but
    perhaps its last one. Then it has at most one candidate end (nupunkt's candidates are its end characters), so
    whatever nupunkt decides there, its first slice starts at 0 and any slice after the break holds only closing
    marks (a break's next slice starts at the first character after the end character that is not white space; with
    none the text is done), which the boundary realignment joins to the slice before (its pattern matches closing
    marks up to the end of the text); with no end character at all, the only slice is 0 to the last non-space
    character (none for an all-white-space block). (41% of the PolNeAR dev blocks; a sentence per paragraph.)"""
    body = block.rstrip().rstrip(_PUNKT_CLOSERS)
    if body and body[-1] in _PUNKT_ENDS:
        body = body[:-1]
    return "." not in body and "?" not in body and "!" not in body and "\u2026" not in body


def _span_tokenize():
    """The default nupunkt model's span_tokenize (the model `sent_spans` uses: `load` is cached), kept in
    _SPAN_TOKENIZE."""
    global _SPAN_TOKENIZE
    from nupunkt import load

    _SPAN_TOKENIZE = load("default").span_tokenize
    return _SPAN_TOKENIZE


# What the compiled `punkt_spans` reproduces: nupunkt's PunktSentenceTokenizer of these versions (its code paths were
# read and checked against the kernel, tests/kernels/test_segk.py) with the default language variables and these of
# its settings; any other tokenizer, version or setting runs nupunkt itself. The decisions are never copied: the
# kernel calls the loaded model's own decision engine.
_PUNKT_VERIFIED_VERSIONS = ("0.8.0",)
_PUNKT_SETTINGS = {  # (a pattern as its source and flags)
    "sent_end_chars": frozenset(".?!"),
    "_SENT_END_CHARS": frozenset(".?!\u2026"),
    "_CLOSING_CHARS": frozenset("\"')]}\u201d\u2019\u00bb*"),
    "EXCL_QUEST_LOWERCASE_CONTINUES": False,
    "re_boundary_realignment": (r'[\'"\)\]}\u201d\u2019\u00bb*]+?(?:\s+|(?=--)|$)', re.UNICODE | re.MULTILINE),
    "_RE_LINE_ENUMERATOR": (r"[ \t]*\(?(?:\d{1,3}|[A-Za-z]|[ivxlcIVXLC]{1,6})\)?\.", re.UNICODE),
    "_RE_LAST_WS": (r".*\s", re.UNICODE | re.DOTALL),
}
# nupunkt's period-context pattern (the language variables' `period_context_pattern`) in each order of the characters
# of its two classes (made from a set, in an order that changes from process to process)
_PERIOD_CONTEXTS = frozenset(
    "\n                (?:[" + re.escape("".join(ends)) + "]|\\u2026)\n                (?=(?P<after_tok>\n                    "
    + r"""(?:[)\";}\]\*:@\({[\s""" + re.escape("".join(others)) + r"""\u201d\u00bb]|['\u2019](?![^\W\d_]))|"""
    + "\n                    \\s+(?P<next_tok>\\S+)\n                ))\n            "
    for ends in permutations(".?!") for others in permutations("?!"))
# the methods of span_tokenize's code paths: one set on the loaded model itself (not its class) runs nupunkt
_PUNKT_METHODS = frozenset({"span_tokenize", "_slices_from_text", "_match_potential_end_contexts",
                            "_realign_boundaries", "_is_line_start_enumerator", "_uses_decision_engine",
                            "_decision_state"})


def _punkt_reproducible(tokenizer) -> bool:
    """Whether the compiled `punkt_spans` gives what `tokenizer.span_tokenize` gives (see _PUNKT_SETTINGS,
    _PERIOD_CONTEXTS, _PUNKT_METHODS)."""
    import nupunkt
    from nupunkt.core.language_vars import PunktLanguageVars
    from nupunkt.tokenizers.sentence_tokenizer import PunktSentenceTokenizer

    lang = tokenizer._lang_vars
    if (nupunkt.__version__ not in _PUNKT_VERIFIED_VERSIONS or type(tokenizer) is not PunktSentenceTokenizer
            or type(lang) is not PunktLanguageVars
            or not set(vars(lang)) <= {"_re_period_context", "_re_word_tokenizer"}
            or not _PUNKT_METHODS.isdisjoint(vars(tokenizer)) or not tokenizer._uses_decision_engine()):
        return False
    for name, expected in _PUNKT_SETTINGS.items():
        value = getattr(lang if hasattr(lang, name) else tokenizer, name)
        if ((value.pattern, value.flags) if isinstance(value, re.Pattern) else value) != expected:
            return False
    context = lang.period_context_pattern
    return context.pattern in _PERIOD_CONTEXTS and context.flags == re.UNICODE | re.VERBOSE


def _punkt_decider():
    """The default model's decision engine (a context (before, after) -> whether it holds a sentence break) when the
    compiled `punkt_spans` reproduces its tokenizer, else None (nupunkt's `span_tokenize` runs)."""
    decision = _punkt_decision()
    return None if decision is None else decision[0]


def _punkt_decision():
    """(`_punkt_decider()`, the dict of decisions that engine looks a context up in first and keeps them in: nupunkt's
    context memo, which the kernels read before they call the engine), or None."""
    if not kernels.ACTIVE:
        return None
    tokenizer = (_SPAN_TOKENIZE or _span_tokenize()).__self__
    # (checked and fetched on every call, ~3 us, as span_tokenize fetches the engine: a setting changed on the model
    # turns the kernel off, and the engine is rebuilt when the parameters change)
    if not _punkt_reproducible(tokenizer):
        return None
    state = tokenizer._decision_state()
    return state[3], state[2]


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _split_final_abbreviations(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split after an abbreviation such as "Inc." or "a.m." when a plain sentence opener follows it."""
    # the pattern needs a full stop with white space after it (its \s is str.isspace): none, no split
    stop = text.find(".", start, end - 1)
    while stop >= 0 and not text[stop + 1].isspace():
        stop = text.find(".", stop + 1, end - 1)
    if stop < 0:
        return [(start, end)]
    pieces = []
    for m in _FINAL_ABBREV.finditer(text, start, end):
        word = m.group(2)
        plural_subject = word.endswith("s") and len(word) > 3 and m.group(3) is not None
        if word in _SENTENCE_STARTERS or plural_subject:
            pieces.append((start, m.end(1)))
            start = m.start(2)
    return pieces + [(start, end)]


def _repair(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Apply the news-specific repairs to one paragraph's spans (offsets into `text`)."""
    pieces = []
    find, isspace = text.find, str.isspace
    for start, end in spans:
        # (`_split_final_abbreviations`'s own first check inline: most spans have no full stop with white space after
        # it before their last character, and are their own piece)
        stop = find(".", start, end - 1)
        while stop >= 0 and not isspace(text[stop + 1]):
            stop = find(".", stop + 1, end - 1)
        if stop < 0:
            pieces.append((start, end))
        else:
            pieces += _split_final_abbreviations(text, start, end)
    spans = pieces
    if len(spans) == 1:  # (one sentence: nothing to join it to, nothing to merge with; 55% of the blocks)
        return spans
    fixed: list[list[int]] = []
    for start, end in spans:
        if fixed:
            prev = fixed[-1]
            # a closing quote or bracket that belongs to the previous sentence
            while start < end and text[start] in _LEADING_CLOSERS and open_quote_count(text, prev[0], prev[1]) > 0 \
                    and text[start] != "“":
                prev[1] = start + 1
                start += 1
                start, end = _strip_span(text, start, end)
            if start >= end:
                continue
            first = text[start]
            # (a piece whose first character is a letter or digit has one: the scan only for the others)
            if (first.islower() or first in ",;:—–)@"
                    or (not first.isalnum() and not any(c.isalnum() for c in text[start:end]))
                    or (text.endswith(_TITLE_ENDINGS, prev[0], prev[1]) and _TITLE_END.search(text[prev[0]:prev[1]]))):
                prev[1] = end
                continue
        fixed.append([start, end])
    # merge a quotation spanning sentences when its attribution follows it
    merged: list[list[int]] = []
    i = 0
    while i < len(fixed):
        start, end = fixed[i]
        j = i
        if open_quote_count(text, start, end) > 0:
            k = i + 1
            while k < len(fixed) and k - i < _MAX_QUOTE_MERGE:
                piece = text[fixed[k][0]:fixed[k][1]]
                if any(c in piece for c in CLOSING_QUOTES + '"'):
                    if _QUOTE_CONTINUES.search(piece):
                        j = k
                    break
                k += 1
        merged.append([start, fixed[j][1]])
        i = j + 1
    return [(s, e) for s, e in merged]


def _sentence_spans(block: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A paragraph block's sentence spans from punkt's: stripped of white space, the empty ones dropped, repaired.
    The pure-Python twin of the compiled kernel `sentence_spans`."""
    spans = [_strip_span(block, s, e) for s, e in spans]
    return _repair(block, [(s, e) for s, e in spans if e > s])


def _sentence_spans_compiled(block: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`_sentence_spans` by the compiled kernel (the word lists passed from here). The kernel runs without bounds
    checks: every span must lie inside the block (punkt's always do; any other goes to the twin, which raises)."""
    if any(not 0 <= s <= e <= len(block) for s, e in spans):
        return _sentence_spans(block, spans)
    return kernels.compiled.sentence_spans(block, spans, _SENTENCE_STARTERS, _FINAL_ABBREVIATIONS, _TITLES,
                                           _MAX_QUOTE_MERGE)


_sentence_spans_fast = _sentence_spans_compiled if kernels.ACTIVE else _sentence_spans


def _blocks(text: str, lo: int, hi: int):
    """Paragraph blocks between lo and hi: split at line breaks unless the next line continues in lower case."""
    pos = lo
    block_start = None
    for line in text[lo:hi].splitlines(keepends=True):
        content = line.strip()
        if content:
            if block_start is None:
                block_start = pos
            elif not content[0].islower():
                yield block_start, pos
                block_start = pos
        elif block_start is not None:
            yield block_start, pos
            block_start = None
        pos += len(line)
    if block_start is not None:
        yield block_start, hi


def split_sentences(text: str, lo: int = 0, hi: int | None = None) -> list[Sentence]:
    """Sentences of text[lo:hi] with offsets into `text`; paragraphs and headlines never merge."""
    hi = len(text) if hi is None else hi
    decide, memo = _punkt_decision() or (None, None)
    if decide is not None:
        text = kernels.exact_str(text)
    if decide is not None and _sentence_spans_fast is _sentence_spans_compiled and 0 <= lo <= hi <= len(text):
        # blocks, nupunkt's spans and the repairs in one kernel call (the loop below with the kernels)
        return kernels.compiled.split_sentences(text, lo, hi, decide, Sentence, _SENTENCE_STARTERS,
                                                _FINAL_ABBREVIATIONS, _TITLES, _MAX_QUOTE_MERGE, memo)
    out: list[Sentence] = []
    one_sentence = None
    new = tuple.__new__  # (a Sentence made from its fields' tuple directly: NamedTuple's own __new__ is a Python call)
    for b_start, b_end in _blocks(text, lo, hi):
        block = text[b_start:b_end]
        if decide is None:
            if one_sentence is None:  # (nupunkt's loaded tokenizer checked once a call: then a block that is one
                # sentence by `_one_span` skips nupunkt)
                one_sentence = _punkt_reproducible((_SPAN_TOKENIZE or _span_tokenize()).__self__)
            spans = _punkt_spans(block, one_sentence)
        else:
            spans = kernels.compiled.punkt_spans(block, decide, memo)
        for s, e in _sentence_spans_fast(block, spans):
            out.append(new(Sentence, (b_start + s, b_start + e, block[s:e])))
    return out


def split_article(text: str) -> tuple[list[Sentence], list[Skipped]]:
    """Skip page furniture, then split the remaining text into sentences (offsets into `text`)."""
    skipped = find_furniture(text)
    sentences: list[Sentence] = []
    pos = 0
    for item in skipped:
        sentences.extend(split_sentences(text, pos, item.start))
        pos = item.end
    sentences.extend(split_sentences(text, pos, len(text)))
    return sentences, skipped


_TERMINAL = re.compile(r"[.!?…][”\"’)]*$")


def headline_index(text: str, sentences) -> int | None:
    """0 when the first sentence is a headline: no final punctuation, or a short line on its own."""
    if not sentences:
        return None
    first = sentences[0]
    alone = len(sentences) > 1 and "\n" in text[first.end:sentences[1].start]
    if not _TERMINAL.search(first.text) or (alone and len(first.text.split()) <= 25):
        return 0
    return None
