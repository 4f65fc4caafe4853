"""The hand-written cue features of sentences, as plain functions over strings (numpy only).

Reporting verbs, quotes, names near cues, anonymity, outlets, hedges, loaded words, numbers and
dates (`cue_vector`); where a sentence sits in a multi-sentence quotation (`quote_state`); the
rule-extracted source's type (`source_type_vector`). `heads.dense_part` turns them into the
models' feature blocks, for scoring and (through the transformers in `features`) for training alike.
"""
from __future__ import annotations

import math
import re
from bisect import bisect_right
from itertools import chain, repeat

import ahocorasick
import numpy as np

from ..attribution.lexicon import (ANONYMITY_PHRASES, ANONYMOUS_HEADS, CARRY_VERBS, DENIAL_RE, HEDGES, INTENSIFIERS,
                                   LOADED_WORDS, OUTLETS, REPORTING_PHRASES, REPORTING_VERBS, LazyPattern,
                                   outlet_pattern, words_pattern)
from ..labels import SOURCE_KINDS
from ..text import kernels
from ..text.quotes import closes_open_quote, opens_quote

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
NUMBER_RE = re.compile(r"\b\d[\d,.]*\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion)\b", re.I)
DATE_RE = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|june|"
                   r"july|august|september|october|november|december|jan|feb|aug|sept|oct|nov|dec|yesterday|today|"
                   r"(19|20)\d\d)\b", re.I)
_DATE_MAY = re.compile(r"\bMay \d")
MODAL_RE = LazyPattern(r"\b(should|must|ought|need to|needs to|have to|has to)\b", re.I)  # (training only)
OUTLET_RE = outlet_pattern()
HEDGE_RE = words_pattern(HEDGES)
ANON_PHRASE_RE = LazyPattern("|".join(re.escape(p) for p in ANONYMITY_PHRASES), re.I)  # (training only)

CUE_FEATURES = ("reporting_verb", "reporting_phrase", "according_to", "quote_marks", "starts_with_quote",
                "quote_then_attribution", "attribution_then_quote", "carry_over_pronoun", "name_near_cue",
                "names", "anonymity_phrase", "anonymous_head", "outlet", "hedges", "loaded_words", "numbers",
                "dates", "question", "exclamation", "first_person", "second_person", "modal", "intensifiers",
                "denial", "log_length")


_SINGLE_HEDGES = frozenset(h for h in HEDGES if " " not in h)
_MODALS = frozenset("should must ought".split())
_MODAL_PHRASE = re.compile(r"\b(need|needs|have|has) to\b")
_FIRST = frozenset("I we We me us our Our my My".split())
_FIRST_CAPITALISED = frozenset(w for w in _FIRST if w[0].isupper())
_SECOND = frozenset("you your You Your".split())
_NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten hundred thousand million billion".split())
_DATE_WORDS = frozenset("monday tuesday wednesday thursday friday saturday sunday january february march april june july "
                        "august september october november december jan feb aug sept oct nov dec yesterday today".split())
_DIGITS = re.compile(r"\d[\d,.]*")
_YEAR = re.compile(r"\b(19|20)\d\d\b")
_CLOSE_THEN = LazyPattern(r"[,?!][”\"’]\s+")
_DASH_ATTRIBUTION = re.compile(r"[”\"]\s*[―—–]\s*[A-Z@]")
_ANY_DIGIT = re.compile(r"\d")
_QUOTE_CHARS = re.compile(r"[“\"”]")

# The phrase lists are found in one scan of the lower-cased sentence (`phrase_groups`), exactly as this regex would
# find them (compiled without flags, applied to the lower-cased text, groups tried in this order: a denial is also
# a reporting phrase):
#     (?P<denial>DENIAL_RE)|(?P<anon>ANON_PHRASE_RE)|(?P<report>'|'.join(REPORTING_PHRASES))|(?P<outlet>OUTLET_RE)
#     |(?P<hedge>\b(the multi-word HEDGES)\b)
# with an Aho-Corasick automaton over the literal alternatives instead of trying about 150 of them at every character
# (13x faster on PolNeAR sentences; the regex is the reference in tests/model/test_speed_same.py).

def _literal_alternatives(body: str) -> list[str]:
    """The strings a regex made only of plain characters, groups and | matches, in the order the regex tries them
    (DENIAL_RE's alternatives, spelled out from its pattern, so the lexicon stays the one place that lists them)."""
    def alternation(i: int) -> tuple[list[str], int]:
        options, current = [], [""]
        while i < len(body) and body[i] != ")":
            char = body[i]
            if char == "(":
                inner, i = alternation(i + 1)
                current = [a + b for a in current for b in inner]
            elif char == "|":
                options, current = options + current, [""]
            elif char in "\\[]?*+.{}^$":
                raise ValueError(f"not a plain alternation of phrases: {body!r}")
            else:
                current = [a + char for a in current]
            i += 1
        return options + current, i

    out, end = alternation(0)
    if end != len(body):
        raise ValueError(f"unbalanced parentheses: {body!r}")
    return out


if not (DENIAL_RE.pattern.startswith(r"\b(") and DENIAL_RE.pattern.endswith(r")\b")):
    raise ValueError(f"DENIAL_RE is not \\b(phrases)\\b: {DENIAL_RE.pattern!r}")
_DENIALS = tuple(_literal_alternatives(DENIAL_RE.pattern[3:-3]))


def _phrase_alternatives() -> dict[str, list[tuple[int, bool, str]]]:
    """Every literal alternative of the phrase regex (above) -> its alternatives as (position in the regex, bounded
    by \\b on both sides, group), in regex order."""
    entries = [(p, True, "denial") for p in _DENIALS] + [(p, False, "anon") for p in ANONYMITY_PHRASES] \
        + [(p, False, "report") for p in REPORTING_PHRASES] \
        + [(p, True, "outlet") for p in sorted(OUTLETS, key=len, reverse=True)] \
        + [(p, True, "hedge") for p in HEDGES if " " in p]
    alternatives: dict[str, list] = {}
    for order, (literal, bounded, group) in enumerate(entries):
        if bounded and not (_is_word(literal[0]) and _is_word(literal[-1])):
            raise ValueError(f"{literal!r}: a phrase between \\b must start and end with a word character")
        alternatives.setdefault(literal, []).append((order, bounded, group))
    return alternatives


def _phrase_automaton() -> ahocorasick.Automaton:
    """An Aho-Corasick automaton over every literal alternative of the phrase regex (above). Each key's value is its
    length and its alternatives (`_phrase_alternatives`)."""
    alternatives = _phrase_alternatives()
    automaton = ahocorasick.Automaton()
    for literal, alts in alternatives.items():
        automaton.add_word(literal, (len(literal), tuple(alts)))
    automaton.make_automaton()
    return automaton


def _is_word(char: str) -> bool:
    """A word character as `re`'s \\b sees it in a str pattern."""
    return char.isalnum() or char == "_"


_PHRASE_AUTOMATON = _phrase_automaton()


def phrase_groups(low: str) -> set[str]:
    """The names of the phrase regex's groups (above) that its finditer(low) matches, found exactly as the regex finds
    them (at each position the first alternative that matches with its \\b conditions, then on from its end) but
    with one Aho-Corasick pass instead of trying about 150 alternatives at every character."""
    best = _first_alternatives(low)
    if not best:
        return set()
    found, pos = set(), 0
    for start in sorted(best):
        if start >= pos:
            _, pos, group = best[start]
            found.add(group)
    return found


def phrase_groups_many(lows: list[str]) -> list[set[str]]:
    """phrase_groups of each text, with one Aho-Corasick pass over all of them joined by line breaks (no phrase holds
    one, and a line break is not a word character, as the ends of a text are not: each text's matches are its own)."""
    offsets = np.cumsum([len(low) + 1 for low in lows]).tolist()  # where each text's successor starts
    best = _first_alternatives("\n".join(lows))
    found: list[set[str]] = [set() for _ in lows]
    pos = 0
    for start in sorted(best):
        if start >= pos:
            _, pos, group = best[start]
            found[bisect_right(offsets, start)].add(group)
    return found


def _phrase_bits_many(lows: list[str]) -> np.ndarray:
    """`phrase_groups_many` as an int64 array: each text's groups as the sum of their bits (1 << their position in
    _PHRASE_GROUPS), without a set per text."""
    out = np.zeros(len(lows), dtype=np.int64)
    best = _first_alternatives("\n".join(lows))
    if not best:
        return out
    offsets = np.cumsum([len(low) + 1 for low in lows]).tolist()  # where each text's successor starts
    starts, bits, pos = [], [], 0
    for start in sorted(best):
        if start >= pos:
            _, pos, group = best[start]
            starts.append(start)
            bits.append(_GROUP_BIT[group])
    np.bitwise_or.at(out, np.searchsorted(offsets, starts, side="right"), bits)
    return out


def _first_alternatives(low: str) -> dict[int, tuple[int, int, str]]:
    """start -> (order, end, group) of the first alternative of the phrase regex that matches at each start, with its
    \\b conditions."""
    best: dict[int, tuple[int, int, str]] = {}
    n = len(low)
    for last, (length, alts) in _PHRASE_AUTOMATON.iter(low):
        start, end = last - length + 1, last + 1
        for order, bounded, group in alts:
            if bounded and ((start and _is_word(low[start - 1])) or (end < n and _is_word(low[end]))):
                continue
            if start not in best or order < best[start][0]:
                best[start] = (order, end, group)
            break
    return best


def cue_vector(text: str) -> list[float]:
    """The CUE_FEATURES of one sentence, in order (`cue_matrix_python` of the one text)."""
    return cue_matrix_python([text])[0].tolist()


def cue_matrix_python(texts: list[str]) -> np.ndarray:
    """The CUE_FEATURES of each text (a sentence), as an (n, len(CUE_FEATURES)) array: the pure-Python twin of the
    compiled `cue_rows`, computed a column at a time over all the texts.

    The words of all the texts are found and lower-cased together and each is looked up once in `_LOWER_BITS` and
    `_CASE_BITS` (the word lists it is in, as bits); the word-list features are then counted per text with numpy.
    The features read from the characters run a cheap exact check first (most sentences have no quote, dash, digit
    or "May ") and a regex only when it can match. The texts are taken about _CUE_CHUNK characters at a time (each
    row is its text's alone): the words' lists and arrays of a whole long article held at once took 5x the memory of
    a sentence at a time."""
    texts = [t or "" for t in texts]  # a None text is an empty sentence
    out = np.zeros((len(texts), len(CUE_FEATURES)), dtype=np.float64)
    start = size = 0
    for end, text in enumerate(texts, 1):
        size += len(text)
        if size >= _CUE_CHUNK or end == len(texts):
            _cue_rows_python(texts[start:end], out[start:end])
            start, size = end, 0
    return out


_CUE_CHUNK = 1 << 16  # characters of sentences at a time in cue_matrix_python


def _cue_rows_python(texts: list[str], out: np.ndarray) -> None:
    """`cue_matrix_python` of the texts (none None), written into `out` (zeros, one row per text)."""
    n = len(texts)
    words = [_WORD.findall(t) for t in texts]
    flat = list(chain.from_iterable(words))
    counts = np.fromiter(map(len, words), dtype=np.int64, count=n)
    ends = np.cumsum(counts)
    starts = ends - counts
    row_of = np.repeat(np.arange(n), counts)
    # the words lower-cased in one go: they hold no space, and lower-casing their characters ([A-Za-z'’-]) keeps
    # them one character each
    joined = " ".join(flat)
    low_words = joined.lower().split(" ") if flat else []
    lower = np.fromiter(map(_PYTHON_BITS.get, low_words, repeat(0)), dtype=np.int64, count=len(flat))
    # the case-sensitive lists, looked up only for the words that are in one of them in some casing
    case = np.zeros(len(flat), dtype=np.int64)
    maybe = np.flatnonzero(lower & _ANY_CASE_BIT).tolist()
    case[maybe] = [_CASE_BITS.get(flat[k], 0) for k in maybe]
    # capitalised: every word starts with [A-Za-z], "A" to "Z" before "a"; a word starts the joined string or follows
    # its one space
    chars = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    capital = chars[np.flatnonzero(np.r_[True, chars[:-1] == 32])] < 97 if flat else np.zeros(0, dtype=bool)
    # a capitalised "States" or "Statement" is not a reporting verb
    verb = (lower & _VERB_BIT != 0) & ~capital
    # names: capitalised words after the first, but "I", "We", "Our", "My"
    name = capital & (case & _FIRST_CAPITALISED_BIT == 0)
    name[starts[counts > 0]] = False
    position = np.arange(len(flat)) - starts[row_of]
    # how many of each text's words have each flag
    (verbs, names, hedges, numbers, loaded, intensifiers, dated, modal, first, second, anonymous_head) = (
        np.bincount(row_of[flag], minlength=n) for flag in (
            verb, name, lower & _HEDGE_BIT != 0, lower & _NUMBER_BIT != 0, lower & _LOADED_BIT != 0,
            lower & _INTENSIFIER_BIT != 0, lower & _DATE_BIT != 0, lower & _MODAL_BIT != 0, case & _FIRST_BIT != 0,
            case & _SECOND_BIT != 0, (lower & _ANONYMOUS_BIT != 0) & (position < 12)))
    # a name (a capitalised word but "I", "The", "A", "But", "And") among the four words before a reporting verb or
    # the three after it, in its sentence
    at = np.flatnonzero(verb)
    named = np.zeros(len(flat) + 1, dtype=np.int64)
    np.cumsum(capital & (case & _NOT_NAME_BIT == 0), out=named[1:])
    lo, hi = np.maximum(starts[row_of[at]], at - 4), np.minimum(ends[row_of[at]], at + 4)
    near = (named[at] - named[lo]) + (named[hi] - named[at + 1]) > 0
    name_near = np.bincount(row_of[at[near]], minlength=n) > 0
    # a carry-over pronoun right before a carry verb ("he added") in the same sentence
    pair = (lower[:-1] & _PRONOUN_BIT != 0) & (lower[1:] & _CARRY_BIT != 0) & (row_of[:-1] == row_of[1:])
    carry = np.bincount(row_of[:-1][pair], minlength=n) > 0

    lows = [t.lower() for t in texts]
    # one scan for all phrase lists: each text's groups as bits (_PHRASE_GROUPS order), read a column at a time
    groups = _phrase_bits_many(lows)
    out[:, 1] = groups & (_DENIAL_GROUP | _REPORT_GROUP) != 0
    out[:, 10] = groups & _ANON_GROUP != 0
    out[:, 12] = groups & _OUTLET_GROUP != 0
    hedge_phrase = (groups & _HEDGE_GROUP != 0).astype(np.int64)  # counted with the single-word hedges below
    out[:, 23] = groups & _DENIAL_GROUP != 0
    # \d[\d,.]* matches where there is a digit; most sentences have none
    digits = [len(_DIGITS.findall(t)) if _has_digit(t) else 0 for t in texts]
    out[:, 0] = verbs > 0
    out[:, 2] = ["according to" in low for low in lows]
    out[:, 3] = np.minimum([len(_QUOTE_CHARS.findall(t)) if "”" in t or '"' in t or "“" in t else 0 for t in texts],
                           4) / 4.0
    out[:, 4] = [t[:1] in _OPENING_QUOTES for t in texts]
    out[:, 5] = [("”" in t or '"' in t or "’" in t) and _quote_then_attribution(t) for t in texts]
    out[:, 6] = [("“" in t or '"' in t) and _attribution_then_quote(t) for t in texts]
    out[:, 7] = carry
    out[:, 8] = name_near
    out[:, 9] = np.minimum(names, 5) / 5.0
    out[:, 11] = anonymous_head > 0
    out[:, 13] = np.minimum(hedges + hedge_phrase, 3) / 3.0
    out[:, 14] = np.minimum(loaded, 3) / 3.0
    out[:, 15] = np.minimum(numbers + digits, 4) / 4.0
    # (a _YEAR match holds "19" or "20": the regex only where one is)
    out[:, 16] = (dated > 0) | [(d > 0 and ("19" in t or "20" in t) and bool(_YEAR.search(t)))
                                or ("May " in t and bool(_DATE_MAY.search(t))) for t, d in zip(texts, digits)]
    out[:, 17] = ["?" in t for t in texts]
    out[:, 18] = ["!" in t for t in texts]
    out[:, 19] = first > 0
    out[:, 20] = second > 0
    # _MODAL_PHRASE's matches hold "need", "ve to" or "has to"
    out[:, 21] = (modal > 0) | [("need" in low or "ve to" in low or "has to" in low) and bool(_MODAL_PHRASE.search(low))
                                for low in lows]
    out[:, 22] = np.minimum(intensifiers, 3) / 3.0
    out[:, 24] = np.array(list(map(math.log1p, counts.tolist()))) / 5.0


_OPENING_QUOTES = frozenset("“\"‘'")


def _quote_then_attribution(text: str) -> bool:
    """'“...” ― Name' (an epigraph-style attribution), or a reporting verb soon after a closing quotation mark."""
    closing = "”" in text or '"' in text
    if closing and ("―" in text or "—" in text or "–" in text) and _DASH_ATTRIBUTION.search(text):
        return True
    return (closing or "’" in text) and _said_after_closing(text)


def _attribution_then_quote(text: str) -> bool:
    """A reporting verb among the first seven words before the first opening quotation mark, which is not the
    first character."""
    opener = text.find("“") if "“" in text else text.find('"')
    return opener > 0 and any(w.lower() in REPORTING_VERBS for w in _WORD.findall(text, 0, opener)[:7])


def _said_after_closing(text: str) -> bool:
    """A closing quotation mark after a comma, ? or ! followed by a reporting verb within five words ('..., ” he
    said')."""
    for m in _CLOSE_THEN.finditer(text):
        following = _WORD.findall(text, m.end(), m.end() + 60)[:5]
        if any(w.lower() in REPORTING_VERBS for w in following):
            return True
    return False


_CARRY_PRONOUNS = frozenset(("he", "she", "they", "it"))
_ASCII_DIGITS = "0123456789"


def _has_digit(text: str) -> bool:
    """Whether the text has a character that `\\d` matches (any Unicode decimal digit)."""
    if text.isascii():
        return any(map(text.__contains__, _ASCII_DIGITS))
    return _ANY_DIGIT.search(text) is not None


# The compiled twin of cue_vector (`_scorer_kernels.cue_rows`, the same features from one pass over each sentence's
# characters) reads the word lists as two tables: lower-cased word -> bits of the lists it is in, and word as
# written -> bits of the case-sensitive lists; the rare regex paths it calls back (`_CUE_CALLS`).
_LOWER_LISTS = (REPORTING_VERBS, CARRY_VERBS, _CARRY_PRONOUNS, _SINGLE_HEDGES, _NUMBER_WORDS, _DATE_WORDS, LOADED_WORDS,
                INTENSIFIERS, _MODALS, ANONYMOUS_HEADS)
_CASE_LISTS = (_FIRST, _SECOND, _FIRST_CAPITALISED, frozenset(("I", "The", "A", "But", "And")))


def _bits(lists: tuple) -> dict[str, int]:
    """word -> sum of 2**k over the lists k it is in."""
    out: dict[str, int] = {}
    for k, words in enumerate(lists):
        for w in words:
            out[w] = out.get(w, 0) | (1 << k)
    return out


_LOWER_BITS = _bits(_LOWER_LISTS)
_CASE_BITS = _bits(_CASE_LISTS)
# the bit of each list of _LOWER_LISTS in _LOWER_BITS, as cue_vector reads them
(_VERB_BIT, _CARRY_BIT, _PRONOUN_BIT, _HEDGE_BIT, _NUMBER_BIT, _DATE_BIT, _LOADED_BIT, _INTENSIFIER_BIT, _MODAL_BIT,
 _ANONYMOUS_BIT) = (1 << k for k in range(len(_LOWER_LISTS)))
# the twin's table: _LOWER_BITS, and a bit for the words of _CASE_LISTS lower-cased (a word is looked up in _CASE_BITS
# only when its lower-cased form has it)
_ANY_CASE_BIT = 1 << len(_LOWER_LISTS)
_PYTHON_BITS = _bits((*_LOWER_LISTS, frozenset(w.lower() for w in _CASE_BITS)))
# the bit of each list of _CASE_LISTS in _CASE_BITS
_FIRST_BIT, _SECOND_BIT, _FIRST_CAPITALISED_BIT, _NOT_NAME_BIT = (1 << k for k in range(len(_CASE_LISTS)))
_CASE_LONGEST = max(map(len, _CASE_BITS))
# the phrase groups as the compiled `cue_rows` reads them (bits, in this order)
_PHRASE_GROUPS = ("denial", "anon", "report", "outlet", "hedge")
_GROUP_BIT = {name: 1 << k for k, name in enumerate(_PHRASE_GROUPS)}
_DENIAL_GROUP, _ANON_GROUP, _REPORT_GROUP, _OUTLET_GROUP, _HEDGE_GROUP = map(_GROUP_BIT.__getitem__, _PHRASE_GROUPS)


def _phrase_trie(alternatives: dict | None = None):
    """The phrase regex's literal alternatives (`_phrase_alternatives`, or `alternatives` in its form) as the compiled
    `PhraseTrie` (the arrays its docstring describes), which `cue_rows` walks from each start instead of calling
    `phrase_groups` (the same groups, tests/kernels/test_inheadk.py)."""
    alternatives = _phrase_alternatives() if alternatives is None else alternatives
    nodes: list[dict[str, int]] = [{}]
    ends: dict[int, list] = {}
    for literal, alts in alternatives.items():
        node = 0
        for char in literal:
            node = nodes[node].setdefault(char, len(nodes))
            if node == len(nodes):
                nodes.append({})
        ends[node] = alts
    edges, chars, children, starts, order, bounded, group = [0], [], [], [0], [], [], []
    for k, node in enumerate(nodes):
        for char in sorted(node):
            chars.append(ord(char))
            children.append(node[char])
        edges.append(len(chars))
        for position, is_bounded, name in ends.get(k, ()):
            order.append(position)
            bounded.append(int(is_bounded))
            group.append(1 << _PHRASE_GROUPS.index(name))
        starts.append(len(order))
    # the trie as an automaton, one step per character (session 14: the same groups, tests/kernels/test_cuek.py)
    return getattr(kernels.compiled, "PhraseMachine", kernels.compiled.PhraseTrie)(edges, chars, children, starts,
                                                                                   order, bounded, group)


_CUE_CALLS = (_phrase_trie() if hasattr(kernels.compiled, "PhraseTrie") else phrase_groups, _DASH_ATTRIBUTION.search,
              _said_after_closing, _DIGITS.findall, _YEAR.search, _DATE_MAY.search, _MODAL_PHRASE.search, math.log1p)
_cue_rows = getattr(kernels.compiled, "cue_rows", None)  # None: the twin (no kernels, or a build without it)
# the two tables as the compiled `WordBits` (looked up without a str per word; the same bits); the lower-cased table is
# the twin's, whose _ANY_CASE_BIT lets cue_rows look a word up in the case-sensitive one only when it may be there
_CUE_TABLES = (kernels.compiled.WordBits(_PYTHON_BITS), kernels.compiled.WordBits(_CASE_BITS)) \
    if hasattr(kernels.compiled, "WordBits") else (_PYTHON_BITS, _CASE_BITS)


_STR = frozenset((str,))


def cue_matrix(texts) -> np.ndarray:
    """cue_vector for many sentences as an (n, len(CUE_FEATURES)) array (the compiled `cue_rows` when the kernels
    are active and every text is a str: the same values)."""
    texts = list(texts)
    if _cue_rows is not None and set(map(type, texts)) <= _STR:  # (every text a str)
        out = np.empty((len(texts), len(CUE_FEATURES)), dtype=np.float64)
        _cue_rows(texts, out, *_CUE_TABLES, _CASE_LONGEST, _CUE_CALLS, _ANY_CASE_BIT)
        return out
    return cue_matrix_python(texts)


def quote_state(prev: str, text: str, nxt: str) -> list[float]:
    """A quote left open before the sentence, closing in it, opening in it and left open, closing in the next."""
    open_prev = opens_quote(prev)
    return [float(open_prev), float(open_prev and closes_open_quote(text)),
            float(text[:1] in "“\"" and opens_quote(text)), float(opens_quote(text) and closes_open_quote(nxt))]


def quote_states(prev: list[str], texts: list[str], nxt: list[str]) -> np.ndarray:
    """quote_state of each row (prev[i], texts[i], nxt[i]) as an (n, 4) array: by the compiled `quote_states` when the
    kernels are active and every value is a str (the same values), else `quote_states_python`."""
    if _quote_states is not None:
        out = np.empty((len(texts), 4), dtype=np.float64)
        if _quote_states(list(prev), list(texts), list(nxt), out):
            return out
    return quote_states_python(prev, texts, nxt)


_quote_states = getattr(kernels.compiled, "quote_states", None)  # None: the twin (no kernels, or a build without it)


def quote_states_python(prev: list[str], texts: list[str], nxt: list[str]) -> np.ndarray:
    """`quote_states` a column at a time (opens_quote once per distinct text: each sentence is also its neighbour's
    previous sentence)."""
    opens = {t: opens_quote(t) for t in dict.fromkeys(chain(prev, texts))}
    open_prev = list(map(opens.__getitem__, prev))
    open_text = list(map(opens.__getitem__, texts))
    columns = [open_prev, [o and closes_open_quote(t) for o, t in zip(open_prev, texts)],
               [t[:1] in "“\"" and o for o, t in zip(open_text, texts)],
               [o and closes_open_quote(x) for o, x in zip(open_text, nxt)]]
    return np.array(columns, dtype=np.float64).reshape(4, len(texts)).T


QUOTE_STATE_FEATURES = ("quote_open_before", "quote_closes_here", "quote_opens_unclosed", "quote_closes_next")
_SOURCE_INDEX = {k: i for i, k in enumerate(SOURCE_KINDS)}
# source_type_vector of the (kind, method) pairs seen: a handful of distinct pairs make up almost every row
_SOURCE_VECTORS: dict[tuple, tuple[float, ...]] = {}


def source_type_vector(kind: str | None, method: str | None) -> list[float]:
    """One-hot of the rule-extracted source's type, then: resolved back (pronoun, role noun), quote carry-over."""
    key = (kind, method)
    try:
        return list(_SOURCE_VECTORS[key])
    except KeyError:
        out = _source_type_vector(kind, method)
        if len(_SOURCE_VECTORS) >= 4096:
            _SOURCE_VECTORS.clear()
        _SOURCE_VECTORS[key] = tuple(out)
        return out
    except TypeError:  # an unhashable value
        return _source_type_vector(kind, method)


def source_type_matrix(kinds, methods) -> np.ndarray:
    """source_type_vector of each (kinds[i], methods[i]) as an (n, len(SOURCE_KINDS) + 2) array: each distinct pair
    (a handful make up almost every article) computed once."""
    pairs = list(zip(kinds, methods))
    width = len(SOURCE_KINDS) + 2
    try:
        distinct = {pair: k for k, pair in enumerate(dict.fromkeys(pairs))}
    except TypeError:  # an unhashable value
        return np.array([source_type_vector(*pair) for pair in pairs], dtype=np.float64).reshape(len(pairs), width)
    table = np.array([_source_type_vector(*pair) for pair in distinct], dtype=np.float64).reshape(len(distinct), width)
    return table[np.fromiter(map(distinct.__getitem__, pairs), dtype=np.intp, count=len(pairs))]


def _source_type_vector(kind: str | None, method: str | None) -> list[float]:
    out = [0.0] * (len(SOURCE_KINDS) + 2)
    out[_SOURCE_INDEX.get(kind, _SOURCE_INDEX["none"])] = 1.0
    method = method or ""
    out[-2] = float("pronoun" in method or "role noun" in method)
    out[-1] = float(method == "quote carry-over")
    return out
