"""Derive the attribution type of a human-marked source span (PolNeAR) from its words and context.

PolNeAR marks *who* speaks but not what kind of source that is; this module maps a source
phrase to `named_source`, `anonymous_intelligence` or `outlet_claim` following ANNOTATION.md,
resolving pronouns and role nouns ("he", "the spokeswoman") to an earlier source in the article.
Each decision carries a short `method` string so the audit can see which rule fired.
"""
from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Iterable
from functools import lru_cache, wraps
from typing import NamedTuple

from ..labels import SOURCE_LABELS
from .lexicon import (ANONYMOUS_HEADS, OUTLET_NOUNS, OUTLETS, PRONOUNS_GROUP, PRONOUNS_PERSON, QUANTIFIERS,
                      RELATIVE_PRONOUNS, ROLE_HEADS, LazyPattern, outlet_pattern)

NAMED, ANONYMOUS, OUTLET = SOURCE_LABELS

_OUTLET_RE = outlet_pattern()


# the longest string the resolver's caches below keep: they are bounded in entries, not in bytes, and a hostile article's
# phrases can be megabytes long (thousands of them would stay in memory after their articles); longer ones are worked
# out again at each call
_CACHED_LONGEST = 256


def _cached_if_short(maxsize: int):
    """lru_cache(maxsize) for the calls whose one string argument has at most _CACHED_LONGEST characters."""
    def wrap(fn):
        cached = lru_cache(maxsize=maxsize)(fn)

        @wraps(fn)
        def call(text: str):
            return cached(text) if len(text) <= _CACHED_LONGEST else fn(text)

        call.cache_info, call.cache_clear = cached.cache_info, cached.cache_clear
        return call
    return wrap


_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.&-]*")
# Capitalised words that are not names: titles, determiners, parties, nationalities and religions.
_NOT_NAMES = frozenset("""
the a an some many one two three four several other others another each every such any no this that these those
his her their its our my your
mr mrs ms dr sen rep gov gen president vice senator governor secretary former state u.s us american americans
republican republicans democrat democrats democratic gop conservative liberal progressive white black hispanic
latino evangelical evangelicals christian muslim jewish jew catholic mormon protestant western russian chinese british
european federal national
senior top both all most few polls poll q when but and or if as in on at while after before because so
""".split())
_CUT = re.compile(r"\b(of|at|in|from|for|with|on|who|whom|whose|which|that|familiar|close|briefed|involved|speaking|"
                  r"to|and|including)\b|[,(—–-]\s")


_PERSON_NAME = re.compile(r"\b(Mr|Mrs|Ms|Dr|Sen|Rep|Gov)\. [A-Z][a-z]+|\b[A-Z][a-z]+ [A-Z]\.? ?[A-Z][a-z]+|\b[A-Z][a-z]+ [A-Z][a-z]{2,}\b")
_DOCUMENT_HEADS = frozenset("poll polls survey surveys study studies report reports analysis analyses index data "
                            "figures tally count "
                            "precedents rulings ruling decision decisions records filing filings".split())
_JOURNALIST_WORDS = ("moderator", "host", "anchor", "reporter", "columnist", "correspondent", "interviewer", "editor",
                     "commentator", "pundit", "radio host", "talk show host")
_JOURNALIST = re.compile(r"\b(" + "|".join(_JOURNALIST_WORDS) + r")\b", re.I)
# a journalist word (any case) followed by a capitalised name: "host Sean Hannity", "Moderator Chris Wallace"
_JOURNALIST_NAMED = re.compile(r"(?i:" + _JOURNALIST.pattern + r"),?\s+(?P<name>(?:[A-Z][\w.’'-]+\s+){0,2}[A-Z][\w’'-]+)")
# a person introduced by their outlet: "Fox News’ Sean Hannity", "Salem Radio's Hugh Hewitt", "CNN's Jake Tapper"
_OUTLET_PREFIX = r"(?:(?i:" + _OUTLET_RE.pattern + r")|\b(?:[A-Z][\w-]+ )?(?:Radio|TV|News|Magazine))"
_OUTLET_PERSON = LazyPattern(_OUTLET_PREFIX + r"(?:[’']s?)\s+(?P<name>[A-Z][a-z][\w’'-]*\s+[A-Z][\w’'-]+)")
# An exact pre-check for _OUTLET_PERSON, whose outlet alternation tried at every word costs milliseconds per article:
# a match has an apostrophe followed by a capitalised name (_APOSTROPHE_NAME) and preceded by an outlet or a
# "... News" word ending right there, which starts at most _PREFIX_REACH characters before it
_APOSTROPHE_NAME = re.compile(r"[’'](?=s?\s+[A-Z][a-z][\w’'-]*\s+[A-Z][\w’'-])")
_PREFIX_BEFORE = re.compile(_OUTLET_PREFIX + r"(?=[’'])")
_PREFIX_REACH = max(len(max(OUTLETS, key=len)), len("Magazine"))
_CAPITAL_START = re.compile(r"\b[A-Z]")  # where "[A-Z][\w-]+ News" of _OUTLET_PREFIX can start
_QUESTION_CUE = re.compile(r"\b(ask|asks|asked|asking|press|pressed|presses|pressing|question|questioned|questions|"
                           r"interjected|interrupted|wondered|quizzed|grilled|followed up)\b", re.I)
# a person's words published as another outlet's piece: "points out in a column on Yahoo News"
_PIECE_IN_OUTLET = LazyPattern(r"\b(column|article|piece|editorial|report|story|blog post)\s+(in|on|for)\s+"
                               r"(the\s+)?(" + _OUTLET_RE.pattern + r")", re.I)
_ANON_SINGULAR = frozenset("source official aide insider staffer adviser advisor person someone individual "
                           "operative strategist diplomat insider".split())
_NOT_PLURAL = frozenset("us his its news this yes was has is does says series species".split())
# words that open a phrase about unnamed documents, capitalised only at a sentence start: "Recent polls", "New Polls"
_DOCUMENT_OPENERS = frozenset("recent new newly latest exit internal early earlier previous leaked released published "
                              "public official independent separate private secret court campaign government local "
                              "media online multiple numerous various similar".split())
_STORY_HEADS = frozenset("report reports story article piece interview investigation analysis editorial".split())
# people named after a group noun: "others, including Sen. Jeff Merkley", "the scholars -- Mr. Tribe, ..."
_LISTED = re.compile(r"(\s(--|—|–)\s+)?\b(including|such as|among them|led by)\s|\s(--|—|–)\s")
_LISTED_CUT = re.compile(r"\b(of|at|in|from|for|with|on|who|which|that)\b")
# a share of people: "32 percent", "a majority of" (lower case: "Majority Leader" is a title)
_PERCENT = re.compile(r"\d\s*(%|(?i:percent|per cent))|\b(majority|plurality)\b")
# the source asked not to be identified: "the woman, who spoke on the condition of anonymity"
_ANONYMITY = re.compile(r"[^.;:!?“”\"]{0,60}?\b(on (the )?condition (of|that) (anonymity|not being (named|identified))|"
                        r"(asked|requested|declined) (not )?to be (named|identified)|anonymously)\b", re.I)
# every match of _ANONYMITY holds one of these (in ASCII text, where only ASCII letters match case-insensitively)
_ANONYMITY_WORDS = ("condition", "named", "identified", "anonymously")


# characters a case-insensitive pattern matches to an ASCII letter although their lower case is not that letter (the
# regex engine's equivalences: "ı" ~ "i", "ſ" ~ "s"), and "İ", whose lower case is two characters
_FOLD_EXCEPTIONS = ("İ", "ı", "ſ")


def _folds_plainly(text: str) -> bool:
    """True if text.lower() has the text's length and a case-insensitive ASCII word occurs in the text exactly where
    it occurs in text.lower() (no character of _FOLD_EXCEPTIONS, spelled out: `any` over them costs more)."""
    return not ("İ" in text or "ı" in text or "ſ" in text)


def _may_hold(window: str, word: str) -> bool:
    """False only when a case-insensitive pattern of `word` (lower case; ASCII, digits, punctuation) cannot match in
    the window."""
    return not _folds_plainly(window) or word in window.lower()


def _may_ask_anonymity(window: str) -> bool:
    """False only when _ANONYMITY cannot match in the window: text without any of _ANONYMITY_WORDS in lower case and
    none of the characters a case-insensitive pattern folds otherwise (`_folds_plainly`)."""
    if not window.isascii() and not _folds_plainly(window):
        return True
    low = window.lower()  # _ANONYMITY_WORDS, spelled out (`any` over them costs more than the checks)
    return "condition" in low or "named" in low or "identified" in low or "anonymously" in low


# a poll's name: at most 24 more words (no name in PolNeAR or the BBC pool has over 15; unbounded, a long run of
# capitalised words cost the square of its length)
_POLL_NEARBY = re.compile(r"\b[A-Z][\w/&.-]*(\s+(the|of|and|[A-Z][\w/&.-]*)){0,24}\s+(poll|survey)|\b(poll|survey) (by|from|of|conducted by) [A-Z]")


# a transcript turn: a speaker label in capitals at the start of a line ("WALLACE: ...", "“PENCE: ...")
_TURN = LazyPattern(r"^[\"“'‘]?(?P<label>[A-Z][A-Z.’'-]+(?: [A-Z][A-Z.’'-]+){0,2}):[ \t](?P<turn>[^\n]*)", re.M)


# unnamed people: "the officer" after "a second CIA officer" is that unnamed officer
_PERSON_HEADS = frozenset("official aide source insider staffer adviser advisor person people someone individual "
                          "associate ally friend confidant operative strategist diplomat lawmaker critic expert analyst "
                          "observer supporter opponent voter member resident donor activist executive employee worker "
                          "investigator agent officer woman man girl boy mother father student teacher".split())


class SourceType(NamedTuple):
    """A derived source type, the rule that produced it and, for pronouns and role nouns, the earlier
    source phrase it refers to."""

    label: str | None
    method: str
    refers_to: str | None = None


# a run of characters that follows white space and ends before white space or , . ; : ! ?
_RUN = re.compile(r"(?<=\s)[^\s,.;:!?]+(?=[\s,.;:!?])")
_RUN_DELIMITERS = re.compile(r"[\s,.;:!?]")


# words an article looks for by `run_in_text` before its runs are collected in one scan instead
_RUN_SEARCHES = 32


def run_in_text(text: str, word: str) -> bool:
    """word in _RUN.findall(text), for a word without white space or , . ; : ! ?, by str.find: a run is a longest
    stretch without those characters, after white space and before one of them (the look-behind regex costs about
    half a millisecond per article)."""
    if not word or _RUN_DELIMITERS.search(word):
        return False  # (no run is empty or holds one of those characters)
    n, size = len(word), len(text)
    at = text.find(word, 1)
    while at >= 0:
        after = at + n
        if text[at - 1].isspace() and after < size and (text[after].isspace() or text[after] in ",.;:!?"):
            return True
        # the next run starts after white space, which this occurrence cannot hold: not inside it (overlapping
        # occurrences, "sasas" in "sasasasa...", would cost the word's length each, the square of it in all)
        at = text.find(word, after + 1)
    return False


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _name_between(text: str, start: int, end: int) -> bool:
    """_has_name(_tokens(text[start:end])), stopping at the first name instead of tokenising the whole stretch."""
    return _has_name(m.group() for m in _TOKEN.finditer(text, max(0, start), end))


def _has_name(tokens: Iterable[str]) -> bool:
    """A capitalised token that is not a title, determiner, party or nationality word."""
    for tok in tokens:
        low = tok.lower().strip(".'’s")
        if tok[0].isupper() and low not in _NOT_NAMES and tok.lower().rstrip(".") not in _NOT_NAMES:
            return True
    return False


def _listed_members(text: str, head: str) -> SourceType | None:
    """A group phrase that goes on to name its members ("others, including Sen. Jeff Merkley", "the
    networks -- MSNBC, CNN --"): the members' own type when they are named people, bodies or outlets.
    The list must belong to the head: "insiders in the next two states -- Nevada ..." lists states."""
    match = _LISTED.search(text)
    if not match:
        return None
    before = _tokens(text[:match.start()])
    if before and before[-1].lower() != head and before[-1].lower().endswith("s") and before[-1].islower():
        return None  # the list follows another plural noun: "sites such as ..."
    members = classify_phrase(_LISTED_CUT.split(text[match.end():], maxsplit=1)[0])
    return members if members.label in (NAMED, OUTLET) else None


@_cached_if_short(2048)
def _head(text: str) -> str:
    """The head noun of a phrase: the last word before a preposition, relative clause or apposition (a function of
    the phrase alone, so cached: the resolver asks it of the same earlier sources again and again)."""
    core = _CUT.split(text, maxsplit=1)[0]
    toks = _tokens(core) or _tokens(text)
    return toks[-1].lower().strip(".'’") if toks else ""


class _Phrase:
    """A source phrase and what the rules of `classify_phrase` read from it: its tokens, head and core at once, the
    rest (`_LAZY`) when a rule first asks."""

    def __init__(self, text: str):
        self.stripped = re.sub(r"[’']s$", "", text.strip().strip("“”\"'"))
        self.toks = _tokens(self.stripped)
        self.low = [t.lower() for t in self.toks]
        if self.toks:
            self.head = _head(self.stripped)
            self.core = _CUT.split(self.stripped, maxsplit=1)[0]  # before a preposition, relative clause, apposition
            self.core_toks = _tokens(self.core) or self.toks
            self.name_in_core = _has_name(self.core_toks)

    def __getattr__(self, name: str):
        """A derived fact of `_LAZY`, computed on first use and kept."""
        if name not in _LAZY:
            raise AttributeError(name)
        value = _LAZY[name](self)
        setattr(self, name, value)
        return value


def _named_by(p: _Phrase) -> bool:
    """The phrase names who stands behind it: plural documents need a real name, not a capital from the sentence
    start ("FEC reports", not "Recent reports")."""
    if p.head.endswith("s") and p.head != "analysis":
        return _has_name(p.core_toks[1:]) or (len(p.core_toks) > 1 and _has_name(p.core_toks[:1])
                                              and p.low[0] not in _DOCUMENT_OPENERS)
    return p.name_in_core


def _listed(p: _Phrase) -> SourceType | None:
    """The type of the members a group phrase goes on to name, if they are named ("others, including Sen. ...")."""
    if (p.head in ANONYMOUS_HEADS or p.head.endswith("s")) and not p.name_in_core:
        return _listed_members(p.stripped, p.head)
    return None


_LAZY: dict[str, Callable[[_Phrase], object]] = {
    "outlet_in_core": lambda p: _OUTLET_RE.search(p.core) is not None,
    # the core names an outlet and nothing else ("CNN", "the Washington Post report", not "CNN's Jake Tapper")
    "only_outlet_named": lambda p: p.outlet_in_core and not _has_name(_tokens(_OUTLET_RE.sub(" ", p.core))),
    "named_by": _named_by,
    # the head is the last word of a name ("Business Insider")
    "head_is_proper": lambda p: len(p.core_toks) > 1 and p.core_toks[-1][0].isupper() and p.head not in _NOT_NAMES,
    "listed": _listed,
}


_PRONOUNS = PRONOUNS_PERSON | PRONOUNS_GROUP
_POSSESSED = ("the", "this", "that", "these", "his", "her", "their", "its")


def _anonymous_head(p: _Phrase) -> bool:
    """An anonymous head noun that is not the end of a name: "officials", "Clinton aides", "a source close to"."""
    return p.head in ANONYMOUS_HEADS and not p.head_is_proper


# (rule, applies to the phrase, type): `classify_phrase` gives the type of the first rule that applies, so the
# order matters (a rule can rely on the ones before it not applying). The type's method names what was found;
# several rules may find the same ("outlet report"). A type given as a function is computed from the phrase.
PHRASE_RULES: tuple[tuple[str, Callable[[_Phrase], bool], SourceType | Callable[[_Phrase], SourceType]], ...] = (
    ("empty", lambda p: not p.toks, SourceType(None, "empty")),
    ("relative pronoun", lambda p: len(p.toks) <= 2 and p.low[-1].strip("’'s") in RELATIVE_PRONOUNS,
     SourceType(None, "relative")),
    ("pronoun", lambda p: len(p.toks) == 1 and p.low[0] in _PRONOUNS, SourceType(None, "pronoun")),
    ("transcript Q", lambda p: len(p.toks) == 1 and p.low[0] == "q", SourceType(OUTLET, "interviewer")),
    ("transcript A", lambda p: len(p.toks) == 1 and p.low[0] == "a" and p.stripped == "A",
     SourceType(NAMED, "interviewee")),
    # "a Washington Post report": another outlet's reporting (rule 6)
    ("outlet's report", lambda p: p.head in _STORY_HEADS and ("news" in p.low or p.only_outlet_named),
     SourceType(OUTLET, "outlet report")),
    # "a CNN national poll", "the Monmouth survey"
    ("named document", lambda p: p.head in _DOCUMENT_HEADS and (p.named_by or p.outlet_in_core),
     SourceType(NAMED, "named document")),
    # "32 percent": respondents of a poll named nearby, or a vote
    ("poll share", lambda p: _PERCENT.search(p.core) is not None, SourceType(None, "poll share")),
    # "an account she gave to ..."
    ("pronoun in the phrase", lambda p: not p.name_in_core and any(t.lower() in ("he", "she", "they")
                                                                   for t in p.core_toks),
     SourceType(None, "pronoun")),
    # "a report in the Washington Post"
    ("report in an outlet", lambda p: p.head in _STORY_HEADS and _OUTLET_RE.search(p.stripped) is not None,
     SourceType(OUTLET, "outlet report")),
    # "the 43-year-old", "the budget office", "the Christian leader"
    ("definite role noun", lambda p: p.low[0] in ("the", "this") and not p.head.endswith("s") and not p.name_in_core
     and p.head not in _ANON_SINGULAR and p.head not in OUTLET_NOUNS and not p.outlet_in_core,
     SourceType(None, "role noun")),
    ("members listed", lambda p: p.listed is not None,
     lambda p: SourceType(p.listed.label, "members listed")),
    ("outlet's polls or reports", lambda p: _anonymous_head(p) and p.head in ("polls", "reports")
     and _OUTLET_RE.search(p.stripped) is not None, SourceType(OUTLET, "outlet report")),
    ("anonymous head", _anonymous_head, SourceType(ANONYMOUS, "anonymous head")),
    # "moderator Gerard Baker", "Fox host ..."
    ("journalist in role", lambda p: _JOURNALIST.search(p.core) is not None, SourceType(OUTLET, "journalist in role")),
    # "Sanders protesters", "many speakers"
    ("group", lambda p: p.head.endswith("s") and not p.head.endswith("ss") and p.head.islower()
     and p.head not in _NOT_PLURAL and (p.low[0] in QUANTIFIERS or not _has_name(p.core_toks[-1:]))
     and p.head not in ROLE_HEADS, SourceType(ANONYMOUS, "group")),
    ("outlet gazetteer", lambda p: p.only_outlet_named, SourceType(OUTLET, "outlet gazetteer")),
    ("outlet noun", lambda p: p.head in OUTLET_NOUNS and not p.name_in_core, SourceType(OUTLET, "outlet noun")),
    ("name", lambda p: p.name_in_core or (_has_name(p.toks) and p.head not in QUANTIFIERS), SourceType(NAMED, "name")),
    ("possessed role noun", lambda p: p.low[0] in _POSSESSED and p.head in ROLE_HEADS, SourceType(None, "role noun")),
    ("indefinite", lambda p: p.low[0] in QUANTIFIERS or p.head in QUANTIFIERS, SourceType(ANONYMOUS, "indefinite")),
    ("role noun", lambda p: p.head in ROLE_HEADS, SourceType(None, "role noun")),
    ("unidentified", lambda p: True, SourceType(ANONYMOUS, "unidentified")),
)


@_cached_if_short(4096)
def phrase_rule(text: str) -> tuple[str, SourceType]:
    """The first rule of PHRASE_RULES that applies to a source phrase, and the type it gives (a function of the
    phrase alone, so cached: the same phrases, "he", "officials", "Trump", come back in article after article)."""
    phrase = _Phrase(text)
    for name, applies, result in PHRASE_RULES:  # the last rule applies to every phrase
        if applies(phrase):
            break
    return name, result(phrase) if callable(result) else result


def classify_phrase(text: str) -> SourceType:
    """Type of a source phrase on its own, or label None with method 'pronoun'/'relative' if it needs context
    (the first of PHRASE_RULES that applies)."""
    return phrase_rule(text)[1]


def relative_antecedent(text: str, start: int) -> str:
    """The noun phrase before a relative pronoun at `start` ("Trump, who said" -> "Trump")."""
    left = text[max(0, start - 160):start].rstrip().rstrip(",").rstrip()
    piece = re.split(r"[.;:!?“”\"(—–]|,(?=[^,]*$)", left)[-1].strip()
    if not piece:
        piece = left
    words = piece.split()
    if words and words[0].lower() in ("a", "an") and len(words) <= 4:
        # an apposition names the antecedent: "Quadrivium, a foundation that" -> "Quadrivium"
        before = left[:len(left) - len(piece)].rstrip().rstrip(",").split()
        anchor = []
        while before and before[-1][0].isupper() and len(anchor) < 4:  # the capitalised run before the comma
            anchor.insert(0, before.pop())
        if _has_name(anchor):
            return " ".join(anchor)
    return " ".join(words[-6:])


def outlet_person_possible(text: str) -> bool:
    """False only when _OUTLET_PERSON cannot match anywhere in the text (checked cheaply, see _APOSTROPHE_NAME)."""
    return any(_PREFIX_BEFORE.search(text, max(0, m.start() - _PREFIX_REACH), m.start() + 1)
               for m in _APOSTROPHE_NAME.finditer(text))


def outlet_persons(text: str) -> list[re.Match]:
    """list(_OUTLET_PERSON.finditer(text)), the pattern tried only where a match can start: a match's prefix ends at an
    apostrophe of _APOSTROPHE_NAME and starts at most _PREFIX_REACH characters before it, or at the start of the
    run of word characters and hyphens ("[A-Z][\\w-]+ News") that reaches there; `finditer` gives the leftmost match
    from where the last one ended."""
    found, pos, tried = [], 0, 0  # pos: the end of the last match; tried: the starts below it had their turn
    for apostrophe in _APOSTROPHE_NAME.finditer(text):  # (each apostrophe's first start is at or after the last's)
        end = apostrophe.start()
        floor = max(pos, tried)
        near = lo = max(0, end - _PREFIX_REACH - 1)
        while lo > floor and (text[lo - 1] == "-" or _is_word(text[lo - 1])):
            lo -= 1
        at = max(lo, floor)
        if at < near:
            # The starts before `near` lie in one run of word characters and hyphens that reaches `near`. Only
            # "[A-Z][\w-]+ News" can match there (an outlet's name is at most _PREFIX_REACH long and would end at an
            # earlier apostrophe, already passed), and from each of them it reads the same rest of the run: the
            # first start where it can begin decides for all (trying each in turn was quadratic in the run's length).
            first = _CAPITAL_START.search(text, at, near)
            m = _OUTLET_PERSON.match(text, first.start()) if first else None
            if m:
                found.append(m)
                pos = m.end()
                at = max(first.start() + 1, pos)
            else:
                at = near
        while at < end:  # the starts in order, none kept (a set of them took ~80 bytes per character of the text)
            m = _OUTLET_PERSON.match(text, at)
            if m:
                found.append(m)
                pos = m.end()
                at = max(at + 1, pos)
            else:
                at += 1
        tried = max(tried, end)
    return found


def journalist_named(text: str) -> list[re.Match]:
    """list(_JOURNALIST_NAMED.finditer(text)), the pattern tried only where a journalist word starts: every match
    starts with one (case-insensitive), and `finditer` gives the leftmost match from where the last one ended."""
    if not _folds_plainly(text):
        return list(_JOURNALIST_NAMED.finditer(text))
    low = text.lower()
    if len(low) != len(text):
        return list(_JOURNALIST_NAMED.finditer(text))
    found, pos = [], 0
    # the starts in order, merged from each word's (a set of them took ~60 bytes per character of "host host ...")
    for at in heapq.merge(*[_occurrences(low, word) for word in _JOURNALIST_WORDS if word in low]):
        if at >= pos:
            m = _JOURNALIST_NAMED.match(text, at)
            if m:
                found.append(m)
                pos = m.end()
    return found


def _occurrences(text: str, word: str) -> Iterable[int]:
    """The offsets of the word in the text, in order (overlapping ones too)."""
    at = text.find(word)
    while at >= 0:
        yield at
        at = text.find(word, at + 1)


def _is_word(ch: str) -> bool:
    """The regex engine's \\w for one character of a str."""
    return ch.isalnum() or ch == "_"


def capitalised_in_running_text(text: str, word: str, pos: int) -> bool:
    """re.compile(r"(?<=[\\w,] )" + re.escape(word) + r"\\b").search(text, pos) is not None, by str.find: a regex that
    opens with a look-behind is tried at every character of the article."""
    if not word:
        return re.compile(r"(?<=[\w,] )\b").search(text, pos) is not None
    end_is_word = _is_word(word[-1])
    n, size = len(word), len(text)
    # a match follows a space: the next can start only after this occurrence's first space, or after the occurrence
    # (overlapping occurrences, "SaSa" in "SaSaSa...", would cost the word's length each, the square of it in all)
    skip = word.find(" ") + 1 or n + 1
    at = text.find(word, max(pos, 0))
    while at >= 0:
        if at >= 2 and text[at - 1] == " " and (text[at - 2] == "," or _is_word(text[at - 2])):
            after = at + n
            if (after < size and _is_word(text[after])) != end_is_word:
                return True
        at = text.find(word, at + skip)
    return False


@_cached_if_short(1024)
def _plural_capital(source_text: str) -> str | None:
    """The one word of a source phrase, lower-cased, if it is a capitalised (not all-capital) plural ("Mourners"):
    the phrase's part of `SourceResolver._capital_only_from_position`."""
    words = _tokens(source_text)
    if len(words) != 1 or not words[0][:1].isupper() or words[0].isupper():
        return None
    word = words[0].lower()
    if not word.endswith("s") or word.endswith("ss"):
        return None
    return word


@_cached_if_short(1024)
def _pronoun_key(source_text: str) -> str:
    """A pronoun source's word, lower case, without a possessive "'s" (cached: "he", "they", "she" make up most)."""
    return re.sub(r"[’']s$", "", source_text.strip().lower())


@_cached_if_short(256)
def _word_pattern(head: str) -> re.Pattern[str]:
    """A head noun as a whole word in any case (cached: the role nouns of an article come back)."""
    return re.compile(r"\b" + re.escape(head) + r"\b", re.I)


@_cached_if_short(1024)
def _question_cue(cue_text: str) -> bool:
    """_QUESTION_CUE in a cue (cached: a few cues, "said", "says", "told", make up most)."""
    return _QUESTION_CUE.search(cue_text) is not None


class SourceResolver:
    """Types the sources of one article in text order, resolving pronouns and role nouns backwards."""

    def __init__(self, text: str):
        self.text = text
        self._journalists: tuple[frozenset[str], frozenset[str]] | None = None
        self._interviewers: frozenset[str] | None = None
        self._first_poll: int | None = None  # offset of the article's first named poll
        self.history: list[tuple[int, str, SourceType]] = []  # (start, source text, type)
        self._headline: tuple[int, bool] | None = None  # (end of the first line, whether it is title case)
        self._in_body: dict[str, bool] = {}  # capitalised word -> capitalised in running text after line 1
        self._lower_in_text: dict[str, bool] = {}  # word -> also written in lower case in running text
        self._runs: frozenset[str] | None = None  # the article's runs between white space and punctuation

    def _compatible(self, pronoun: str, prior_text: str, prior: SourceType) -> bool:
        head = _head(prior_text)
        plural = head.endswith("s") and not head.endswith("ss") and prior.method != "name"
        if pronoun in ("he", "she", "him", "her", "his", "hers"):
            return not plural and prior.method not in ("outlet gazetteer", "outlet noun")
        if pronoun in ("it", "its"):
            return head not in ANONYMOUS_HEADS and not (prior.method == "name" and _PERSON_NAME.search(prior_text))
        return True

    def _resolve_back(self, start: int, key: str, window: int = 3000,
                      labels: tuple[str, ...] | None = None) -> SourceType | None:
        """The nearest compatible earlier source (of one of `labels`, if given), with `refers_to` set to the
        phrase it names."""
        for prior_start, prior_text, prior in reversed(self.history):
            if prior_start >= start:  # only sources before this one
                continue
            if start - prior_start > window:
                break
            if prior.method.startswith("journalist in role"):
                continue  # the interviewer's question: "he said" that follows is the answer, not the journalist
            if prior.label and (labels is None or prior.label in labels) and self._compatible(key, prior_text, prior):
                if prior.label == ANONYMOUS and key in ("he", "she", "him", "his", "her"):
                    name = _PERSON_NAME.search(self.text, prior_start + len(prior_text), start)
                    if name:
                        return SourceType(NAMED, "name after earlier source", name.group())
                return SourceType(prior.label, prior.method, prior.refers_to or prior_text)  # _replace, faster
        return None

    def _journalist_in_article(self, source_text: str) -> bool:
        """A named person the article introduces as a journalist ("host Sean Hannity" or "Fox News’ Sean
        Hannity", then "HANNITY:" or "Hannity pressed"): a surname alone, or the whole name, matches."""
        toks = [t.strip(".:’'").lower() for t in _tokens(source_text)]
        if not toks or len(toks) > 4:
            return False
        if self._journalists is None:  # one pass over the article, on first need: (full names, surnames)
            matches = journalist_named(self.text)
            if outlet_person_possible(self.text):
                matches += outlet_persons(self.text)
            names = frozenset(" ".join(m.group("name").lower().split()[-2:]) for m in matches)
            self._journalists = (names, frozenset(name.split()[-1] for name in names))
        names, surnames = self._journalists
        return (len(toks) == 1 and toks[0] in surnames) or " ".join(toks[-2:]) in names

    def _poll_named_before(self, start: int) -> bool:
        """The article names a poll or survey before this share, or just after it ("52 percent ..., a
        Monmouth poll found"): the respondents' shares rest on it (rule 6)."""
        if self._first_poll is None:  # one search of the article, on first need
            # every match holds "poll" or "survey" (the pattern is case-sensitive)
            found = _POLL_NEARBY.search(self.text) if "poll" in self.text or "survey" in self.text else None
            self._first_poll = found.start() if found else -1
        return 0 <= self._first_poll < start + 200

    def _transcript_interviewer(self, source_text: str) -> bool:
        """A transcript speaker label ("WALLACE:") of the person asking the questions: most of that
        label's turns in the article contain a question, and another label's turns mostly do not."""
        label = source_text.strip().strip("“”\"'‘’:").strip()
        if not label.isupper():
            return False
        if self._interviewers is None:  # one pass over the article, on first need
            turns: dict[str, list[bool]] = {}
            for m in _TURN.finditer(self.text):
                turns.setdefault(m.group("label"), []).append("?" in m.group("turn"))
            asks = {name: sum(q) / len(q) for name, q in turns.items()}
            answered = any(share < 0.5 for share in asks.values())
            self._interviewers = frozenset(name for name, share in asks.items()
                                           if answered and share >= 0.5 and len(turns[name]) >= 2)
        return label in self._interviewers

    def _same_head_before(self, start: int, source_text: str, window: int = 3000):
        """The nearest earlier source (start, text, type) with the same head noun as this role noun, if any."""
        head = _head(source_text)
        for prior_start, prior_text, prior in reversed(self.history):
            if prior_start >= start:
                continue
            if start - prior_start > window:
                break
            if _head(prior_text) == head:
                return prior_start, prior_text, prior
        return None

    def _document_before(self, start: int, source_text: str, window: int = 3000) -> str | None:
        """For a document role noun ("the survey", "the poll"), the nearest earlier named source that is a document
        ("a Quinnipiac University poll", "a CNN/ORC survey released Monday")."""
        if _head(source_text) not in _DOCUMENT_HEADS:
            return None
        for prior_start, prior_text, prior in reversed(self.history):
            if prior_start >= start:
                continue
            if start - prior_start > window:
                break
            if prior.method.endswith("named document") or prior.label == NAMED and prior.method == "name" \
                    and any(t.lower() in _DOCUMENT_HEADS for t in _tokens(prior_text)):
                return prior.refers_to or prior_text
        return None

    def _introduced_as(self, start: int, source_text: str, window: int = 3000, reach: int = 60) -> str | None:
        """For a role noun ("the spokeswoman"), the nearest earlier named source the article introduced with that
        noun beside its mention ("Hope Hicks, a campaign spokeswoman" or "campaign spokeswoman Hope Hicks")."""
        head = _head(source_text)
        if not head:
            return None
        pattern = None  # compiled when first needed: most role nouns never get past `_may_hold` (fixed17: ~60 µs a
        #                 head noun of a first pass, ~4 ms of the 84 dev articles' warm-up)
        for prior_start, prior_text, prior in reversed(self.history):
            if prior_start >= start:
                continue
            if start - prior_start > window:
                break
            if prior.label == NAMED and prior.method == "name":
                lo, hi = max(0, prior_start - reach), min(start, prior_start + len(prior_text) + reach)
                if _may_hold(self.text[lo:hi], head):
                    if pattern is None:
                        pattern = _word_pattern(head)
                    if pattern.search(self.text, lo, hi):
                        return prior_text
        return None

    def _capital_only_from_headline(self, start: int, source_text: str) -> bool:
        """A source in a title-case headline ("Conservative Heavyweights Come Out Against Trump") whose
        capitalised words the article never capitalises in running text: they are not names."""
        if self._headline is None:  # once per article: the scans below must not repeat per source (linear cost)
            line_end = self.text.find("\n")
            line_end = len(self.text) if line_end < 0 else line_end
            words = [w for w in self.text[:line_end].split() if len(w) > 3]
            self._headline = (line_end, bool(words) and sum(w[0].isupper() for w in words) >= 0.7 * len(words))
        line_end, title_case = self._headline
        if start >= line_end or not title_case:
            return False
        capitals = [t for t in _tokens(source_text) if t[0].isupper() and t.lower().strip(".'’s") not in _NOT_NAMES]
        if any(t.strip(".'’s").isupper() for t in capitals):
            return False  # an acronym is a name even in a headline ("ISIS", "GOP")
        return bool(capitals) and not any(self._capitalised_in_body(t, line_end) for t in capitals)

    def _capitalised_in_body(self, word: str, line_end: int) -> bool:
        """True if `word` appears after the first line preceded by a word character or comma and a space
        (running text, not a sentence start); cached per word."""
        if word not in self._in_body:
            self._in_body[word] = capitalised_in_running_text(self.text, word, line_end)
        return self._in_body[word]

    def _capital_only_from_position(self, start: int, source_text: str) -> bool:
        """A one-word plural source capitalised only because it opens a sentence or headline ("Mourners
        say", "Protesters chanted"): the article also uses the word in lower case in running text.
        Plural only, since surnames ("Small", "From") can be common words too."""
        word = _plural_capital(source_text)
        if word is None:
            return False
        before = self.text[max(0, start - 3):start]
        if start > 0 and not re.search(r"(^|[.!?:\n][\"”’']?\s*)$", before):
            return False
        return self._written_in_lower(word)

    def _written_in_lower(self, word: str) -> bool:
        """True if `word` follows white space and is followed by white space or punctuation somewhere in
        the article. Words without , . ; : ! ? are found by `run_in_text` (cached), and once the article has asked
        for _RUN_SEARCHES words, looked up in a set of the article's runs built once (the scans stay bounded per
        article); the others are searched for (cached)."""
        if not _RUN_DELIMITERS.search(word):
            if self._runs is not None:
                return word in self._runs
            if word not in self._lower_in_text:
                if len(self._lower_in_text) >= _RUN_SEARCHES:
                    self._runs = frozenset(_RUN.findall(self.text))
                    return word in self._runs
                self._lower_in_text[word] = run_in_text(self.text, word)
            return self._lower_in_text[word]
        if word not in self._lower_in_text:
            self._lower_in_text[word] = re.search(r"(?<=\s)" + re.escape(word) + r"(?=[\s,.;:!?])",
                                                  self.text) is not None
        return self._lower_in_text[word]

    def resolve(self, start: int, source_text: str, remember: bool = True, cue_text: str | None = None) -> SourceType:
        """Type of the source phrase at offset `start`: `classify_phrase`, then each of CONTEXT_RULES in order that
        applies to the type at its turn (looked up by the type's method, not tried one by one); remembers it for later
        pronouns unless told not to (history must stay in text order)."""
        result = classify_phrase(source_text)
        made_of, steps = _STEPS
        if made_of is not CONTEXT_RULES:
            steps = _context_steps(CONTEXT_RULES)
        done = 0  # the rules before this index have had their turn
        while True:  # the rules for the type's method, again from the next rule on when a rule changes the method
            for index, rule in steps.get(result.method, steps[None]):
                if index < done:
                    continue
                done = index + 1
                new = rule(self, start, source_text, cue_text, result)
                if new:
                    method, result = result.method, new
                    if new.method != method:
                        break
            else:
                break
        if remember:
            self.history.append((start, source_text, result))
        return result

    def _capital_from_position(self, start, source_text, cue_text, result) -> SourceType | None:
        """"Mourners say": the phrase as the common words it is."""
        if self._capital_only_from_position(start, source_text):
            result = classify_phrase(source_text.lower())
            return result._replace(method=f"{result.method} (capital from sentence start)")
        return None

    def _capital_from_headline(self, start, source_text, cue_text, result) -> SourceType | None:
        """A title-case headline's capitals: only a plainly common phrase ("Frustrated Parents") is taken as one."""
        if self._capital_only_from_headline(start, source_text):
            common = classify_phrase(source_text.lower())
            if common.method in ("anonymous head", "group", "outlet noun", "indefinite"):
                return common._replace(method=f"{common.method} (capital from a title-case headline)")
        return None

    def _journalist_asking(self, start, source_text, cue_text, result) -> SourceType | None:
        """A journalist the article introduced, whose cue is a question ("Hannity pressed"): the outlet at work; the
        same person giving their own views stays named."""
        if cue_text and _question_cue(cue_text) and self._journalist_in_article(source_text):
            return SourceType(OUTLET, "journalist in role (named earlier)")
        return None

    def _interviewer_turn(self, start, source_text, cue_text, result) -> SourceType | None:
        """A transcript speaker label ("WALLACE:") whose turns are mostly questions: the outlet at work."""
        if cue_text == ":" and self._transcript_interviewer(source_text):
            return SourceType(OUTLET, "journalist in role (transcript interviewer)")
        return None

    def _relative(self, start, source_text, cue_text, result) -> SourceType:
        """"who said": the type of the antecedent, else of the nearest earlier source."""
        inner = classify_phrase(relative_antecedent(self.text, start))
        result = SourceType(inner.label, "relative: " + inner.method) if inner.label else SourceType(None, "relative")
        if result.label is None:
            prior = self._resolve_back(start, "they")
            result = SourceType(prior.label, "relative->earlier source", prior.refers_to) if prior else result
        return result

    def _pronoun(self, start, source_text, cue_text, result) -> SourceType | None:
        """A pronoun: the nearest compatible earlier source, else a name in the text before it ("he") or unidentified
        people ("they say")."""
        key = _pronoun_key(source_text)
        if key in ("i", "me", "my"):
            # a first-person singular speaker is a person on the record: the nearest earlier named source,
            # else the quoted speaker or the author of a first-person piece, who is identified (named)
            prior = self._resolve_back(start, "they", window=1500, labels=(NAMED,))
            prior = prior or SourceType(NAMED, "first person")
        elif key in ("we", "us", "our", "you", "your"):
            prior = self._resolve_back(start, "they", window=1500)
        else:
            prior = self._resolve_back(start, key)
        if prior:
            return SourceType(prior.label, "pronoun->earlier source", prior.refers_to)
        if key in ("he", "she", "his", "her", "him") and _name_between(self.text, start - 600, start):
            return SourceType(NAMED, "pronoun->name in preceding text")
        if key in ("they", "them", "their") and not _name_between(self.text, start - 300, start):
            return SourceType(ANONYMOUS, "pronoun without antecedent")  # "they say": unidentified people
        return None

    def _poll_share(self, start, source_text, cue_text, result) -> SourceType:
        """"32 percent": named when the article names a poll (rule 6)."""
        return SourceType(NAMED, "poll share->named poll") if self._poll_named_before(start) \
            else SourceType(None, "poll share")

    def _role_noun(self, start, source_text, cue_text, result) -> SourceType:
        """"the survey" after a named poll: that document; "the spokeswoman": the same unnamed person as an earlier
        source with that noun, or the named person the article introduced with that noun, else named when a named
        source or a name comes before it."""
        same = self._same_head_before(start, source_text)
        document = self._document_before(start, source_text)
        introduced = self._introduced_as(start, source_text)
        if document is not None:
            # "the survey" / "the poll showed" after "a Quinnipiac University poll found": that named document
            return SourceType(NAMED, "role noun->named document", document)
        if same is not None and same[2].label == ANONYMOUS and _head(source_text) in _PERSON_HEADS:
            # "the officer" after "a second CIA officer": the same person, of that source's type
            return SourceType(same[2].label, "role noun->same noun earlier", same[2].refers_to or same[1])
        if introduced is not None:
            # "the spokeswoman" after "Hope Hicks, a campaign spokeswoman, said": the person introduced so
            return SourceType(NAMED, "role noun->named", introduced)
        prior = self._resolve_back(start, "they")
        named_before = _name_between(self.text, start - 1500, start)
        if prior and prior.label == NAMED or named_before:
            same_head = prior is not None and _head(prior.refers_to or "") == _head(source_text)
            return SourceType(NAMED, "role noun->named", prior.refers_to if same_head else None)
        return SourceType(None, "role noun")

    def _anonymity_asked(self, start, source_text, cue_text, result) -> SourceType | None:
        """"the woman, who spoke on condition of anonymity": anonymous, whatever the phrase (not an outlet)."""
        after = start + len(source_text)
        if result.label != OUTLET and _may_ask_anonymity(self.text[after:after + 160]) \
                and _ANONYMITY.match(self.text, after, after + 160):
            return SourceType(ANONYMOUS, "asked not to be named")
        return None


# (rule, the method of the phrase's type it applies to (None: any), the step): `SourceResolver.resolve` runs them in
# this order on `classify_phrase`'s type, each on the type the rules before it gave; a rule returns the new type, or
# None to keep it. No rule gives a method that a later rule applies to, so at most one rule for a method changes a
# type ("relative", "pronoun", "poll share" and "role noun" exclude each other), and then only the last rule may.
CONTEXT_RULES: tuple[tuple[str, str | None, Callable[..., SourceType | None]], ...] = (
    ("capital from sentence start", "name", SourceResolver._capital_from_position),
    ("capital from a title-case headline", "name", SourceResolver._capital_from_headline),
    ("journalist asking", "name", SourceResolver._journalist_asking),
    ("transcript interviewer", "name", SourceResolver._interviewer_turn),
    ("relative pronoun's antecedent", "relative", SourceResolver._relative),
    ("pronoun's antecedent", "pronoun", SourceResolver._pronoun),
    ("poll share's poll", "poll share", SourceResolver._poll_share),
    ("role noun's referent", "role noun", SourceResolver._role_noun),
    ("asked not to be named", None, SourceResolver._anonymity_asked),
)


_STEPS: tuple = (None, {})  # (the CONTEXT_RULES the table was made of, the table), replaced as a whole


def _context_steps(rules) -> dict:
    """{method: [(index, step), ...] of the rules that apply to a type of that method (its own and those for any
    method), in order; None: those for any method}, made once per table of rules (a test may swap the table)."""
    global _STEPS
    if _STEPS[0] is not rules:
        methods = {applies_to for _, applies_to, _ in rules} | {None}
        _STEPS = (rules, {m: [(k, rule) for k, (_, applies_to, rule) in enumerate(rules) if applies_to in (None, m)]
                          for m in methods})
    return _STEPS[1]


def piece_in_outlet(cue_text: str | None) -> bool:
    """True if the cue says the words appeared as another outlet's piece ("in a column on Yahoo News"):
    that outlet's reporting, `outlet_claim` (ANNOTATION.md rule 6)."""
    return bool(cue_text and _PIECE_IN_OUTLET.search(cue_text))
