"""Source and cue spans of attributed sentences, and carry-over across sentences.

A documented rule on top of the model (the model decides *whether* and *how* a sentence is
attributed; this finds *who* and *the cue*): "X said", "said X", "according to X", and a quote
followed by its attribution. Pronouns and role nouns ("they added", "the department") are resolved
to an earlier source with `SourceResolver`, and a quotation running over several sentences keeps
its speaker.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from ..text import kernels
from ..text.quotes import ends_quoted, quoted_mask
from .lexicon import CUE_VERBS, LazyPattern
from .sources import SourceResolver, SourceType, classify_phrase

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.&-]*|[^\sA-Za-z0-9]")
_STOP_BACK = frozenset(", ; : — – ( ) “ ” \" ‘ ’ [ ] ? !".split()) | {"that", "and", "but", "because", "while", "when",
                                                                   "as", "if", "which", "so", "then", "also", "after",
                                                                   "before", "where", "although", "though", "since"}
_SKIP_ADVERBS = frozenset("also later previously earlier recently once then still has have had had been was is would "
                          "will did does never repeatedly publicly privately again often flatly".split())
_STOP_FORWARD = frozenset(", ; : . — – ( ) “ ” \" ? !".split()) | {"that", "in", "on", "at", "during", "after", "when",
                                                                   "who", "which", "to"}
_DASH_SPEAKER = LazyPattern(r"[”\"]\s*([―—–])\s*((?:[A-Z@][\w.’'-]*)(?: [A-Z][\w.’'-]*){0,3})")
_BE_FORMS = frozenset("is are was were be been being".split())
# words that open a clause, not a speaker, after a cue: "said any reasonable person", "said it was", "said there"
_NOT_INVERTED_SPEAKER = frozenset("any anything anyone it its that this these those there nothing something everything "
                                  "what how why whether if no yes more much".split())
_SUBJECT_PRONOUNS = frozenset("He She They It We I".split())
_NOT_SUBJECT_START = frozenset("The A An This That These Those In On At But And After Before When As If While For With "
                               "From By Since Although Though So Then Now Still Yet".split())
_COLON_SPEAKER = LazyPattern(r"^([A-Z][\w.’'-]*(?: [A-Z][\w.’'-]*){0,3}):\s")
_ACCORDING = re.compile(r"\baccording to\b", re.I)


class Attribution(NamedTuple):
    """Source and cue of one sentence (offsets relative to the sentence), and the outlet it was
    relayed through, if any ("..., officials told CNN" / "..., the Times reported")."""

    source: str | None
    source_start: int | None
    source_end: int | None
    cue: str | None
    cue_start: int | None
    cue_end: int | None
    via: str | None = None


NO_ATTRIBUTION = Attribution(None, None, None, None, None, None)


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _np_before(toks, i: int) -> tuple[int, int] | None:
    """Token range of the noun phrase ending just before token i ("the Pentagon" in "..., the Pentagon says")."""
    j = i - 1
    while j >= 0 and toks[j][0].lower() in _SKIP_ADVERBS:
        j -= 1
    end = j
    while j >= 0 and i - j <= 9 and toks[j][0].lower() not in _STOP_BACK and toks[j][0] != ".":
        j -= 1
    return (j + 1, end) if end >= j + 1 else None


def _np_after(toks, i: int) -> tuple[int, int] | None:
    """Token range of the noun phrase starting at token i ("Smith" in "said Smith, who ...")."""
    j = i
    while j < len(toks) and j - i < 9 and toks[j][0].lower() not in _STOP_FORWARD:
        j += 1
    return (i, j - 1) if j > i else None


def _leading_subject(toks, limit: int) -> tuple[int, int] | None:
    """Token range of a sentence-initial subject: a pronoun ("He") or a run of capitalised words
    ("FBI Director James Comey"), before token `limit`; None for anything else ("The plan ...")."""
    first = toks[0][0]
    if first in _SUBJECT_PRONOUNS:
        return (0, 0)
    if not first[0].isupper() or first in _NOT_SUBJECT_START:
        return None
    j = 0
    while j + 1 < min(limit, 6) and toks[j + 1][0][0].isupper():
        j += 1
    return (0, j)


def _make(text, toks, src: tuple[int, int] | None, cue: tuple[int, int]) -> Attribution:
    c0, c1 = toks[cue[0]][1], toks[cue[1]][2]
    while c1 > c0 and text[c1 - 1] in ".,;:":
        c1 -= 1
    if src is None:
        return Attribution(None, None, None, text[c0:c1], c0, c1)
    s0, s1 = toks[src[0]][1], toks[src[1]][2]
    last = toks[src[1]][0]
    if last.endswith(".") and last.count(".") == 1 and len(last) > 3:  # "report." but not "Jr." or "U.S."
        s1 -= 1
    return Attribution(text[s0:s1], s0, s1, text[c0:c1], c0, c1)


def find_attribution(text: str, cues: frozenset[str] = CUE_VERBS) -> Attribution:
    """The source and cue of a sentence, by rule; NO_ATTRIBUTION when no cue outside a quotation is found.

    `cues` is the set of cue words: the built-in reporting verbs, or the lexicon learned from
    PolNeAR's marked cues that the trained model carries.
    """
    toks = _tokens(text)
    if not toks:
        return NO_ATTRIBUTION
    mask = quoted_mask(text)
    m = _ACCORDING.search(text)
    if m and not mask[m.start()]:
        i = next((k for k, t in enumerate(toks) if t[1] >= m.end()), None)
        cue_idx = [k for k, t in enumerate(toks) if m.start() <= t[1] < m.end()]
        src = _np_after(toks, i) if i is not None else None
        return _make(text, toks, src, (cue_idx[0], cue_idx[-1]))
    found = []
    for k, (tok, start, _) in enumerate(toks):
        if tok.lower().rstrip(".") not in cues or mask[start] or not tok[0].islower():
            continue
        prev = toks[k - 1][0] if k else ""
        if prev.lower() in _BE_FORMS:
            # passive ("were announced", "was reported"): the subject is not the source; only "by X" names one
            if k + 2 < len(toks) and toks[k + 1][0].lower() == "by":
                agent = _np_after(toks, k + 2)
                if agent is not None:
                    found.append(_make(text, toks, agent, (k, k)))
            continue
        before = _np_before(toks, k)
        candidate = None
        if before is None and prev.lower() in ("and", "but"):
            # a second verb of the sentence's subject: 'He called it ... and said ...' -> He
            subject = _leading_subject(toks, k)
            if subject is not None:
                candidate = _make(text, toks, subject, (k, k))
        elif prev in ("”", '"', ",", "’") or before is None:
            # inverted order after a quote: '..., said Smith' / '“...,” said the official'
            after = _np_after(toks, k + 1)
            if after is not None and toks[after[0]][0].lower() not in _NOT_INVERTED_SPEAKER:
                candidate = _make(text, toks, after, (k, k))
        if candidate is None and before is not None:
            candidate = _make(text, toks, before, (k, k))
        if candidate is not None:
            # a closing attribution clause (', sources said.') carries the whole sentence
            closing = before is not None and before[0] > 0 and toks[before[0] - 1][0] in (",", "”", '"') \
                and len(toks) - k <= 4
            if closing or toks[k][0].endswith("."):
                # rule 3: an outlet passing on an earlier attribution is only the conduit
                if found and candidate.source and classify_phrase(candidate.source).label == "outlet_claim":
                    return found[0]._replace(via=candidate.source)
                return candidate
            found.append(candidate)
    if found:
        return found[0]
    m = _DASH_SPEAKER.search(text)
    if m:
        return Attribution(m.group(2), m.start(2), m.end(2), m.group(1), m.start(1), m.end(1))
    m = _COLON_SPEAKER.match(text)
    if m:
        return Attribution(m.group(1), 0, m.end(1), ":", m.end(1), m.end(1) + 1)
    return NO_ATTRIBUTION


class ArticleSources:
    """Resolves each sentence's extracted source in article order, with pronoun and quote carry-over. Its state
    between sentences: `last` (the last source and its type), `quote_open` (a quotation left open by the sentence
    before) and `previous` (the sentence before has a source, its own or carried over)."""

    def __init__(self, text: str, cues: frozenset[str] = CUE_VERBS):
        self.cues = cues
        self.resolver = SourceResolver(text)
        self.last: tuple[str, SourceType] | None = None
        self.quote_open = False
        self.previous = False  # the sentence before has a source, its own or carried over

    def add(self, sent_start: int, sent_text: str, attr: Attribution, continued: bool = False,
            left_open: bool | None = None) -> tuple[Attribution, SourceType | None, str | None]:
        """Type of this sentence's source (None if it has none) and, for carry-over, the source it inherits.
        `continued`: the sentence is the content of an attribution without a source or cue of its own (the span
        tagger's reading of a quotation or paraphrase running on from the sentence before): it keeps the source
        of the sentence before, if that sentence had one. `left_open`: `quotes_left_open([sent_text])[0]` when the
        caller has it (worked out for all of an article's sentences at once)."""
        inherited = None
        if attr.source is not None:
            stype = self.resolver.resolve(sent_start + attr.source_start, attr.source, cue_text=attr.cue)
            self.last = (stype.refers_to or attr.source, stype)
        elif (self.quote_open or continued and self.previous) and self.last is not None:
            stype = SourceType(self.last[1].label, "quote carry-over" if self.quote_open else "content carry-over")
            inherited = self.last[0]
        else:
            stype = None
        self.previous = stype is not None
        self.quote_open = (not sent_text.endswith(("”", '"')) and ends_quoted(sent_text)) if left_open is None \
            else left_open
        return attr, stype, inherited


def quotes_left_open_python(texts: list[str]) -> list[bool]:
    """Per sentence: it does not end with a closing mark (” or ") and a quotation is open at its end
    (`quotes.ends_quoted`), the quotation carry-over `ArticleSources.add` keeps for the sentence after it (the twin of
    the compiled `quotes_left_open`)."""
    return [not t.endswith(("”", '"')) and ends_quoted(t) for t in texts]


def quotes_left_open(texts: list[str]) -> list[bool]:
    """`quotes_left_open_python` of an article's sentence texts, by the compiled kernel when it is active."""
    if kernels.ACTIVE:
        found = kernels.quotes_left_open(texts)
        if found is not None:
            return found
    return quotes_left_open_python(texts)
