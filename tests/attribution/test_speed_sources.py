"""The exact pre-check before the article-wide scan for journalists introduced by their outlet
(`sources.outlet_person_possible`): it is False only where `_OUTLET_PERSON` finds nothing, on every PolNeAR dev and
train text and on fuzzed strings; the scan's pattern is the one it replaced."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.attribution import sources
from scorer.attribution.lexicon import OUTLETS
from scorer.attribution.sources import _OUTLET_PERSON, _OUTLET_RE, outlet_person_possible

# the pattern as it was written before the pre-check (frozen here)
OLD = re.compile(r"(?:(?i:" + _OUTLET_RE.pattern + r")|\b(?:[A-Z][\w-]+ )?(?:Radio|TV|News|Magazine))(?:[’']s?)"
                 r"\s+(?P<name>[A-Z][a-z][\w’'-]*\s+[A-Z][\w’'-]+)")


def test_pattern_unchanged():
    assert _OUTLET_PERSON.pattern == OLD.pattern and _OUTLET_PERSON.flags == OLD.flags


def check(text: str) -> None:
    if not outlet_person_possible(text):
        assert OLD.search(text) is None, text


@pytest.fixture(scope="module")
def texts(shared_data):
    base = shared_data / "polnear" / "data"
    return [p.read_text(encoding="utf-8") for split in ("dev", "train") for p in sorted((base / split / "text").glob("*.txt"))]


def test_precheck_exact_on_polnear(texts):
    passed = [t for t in texts if outlet_person_possible(t)]
    for t in texts:
        check(t)
    assert any(OLD.search(t) for t in passed) and len(passed) < len(texts) / 2  # it matters both ways


_PIECES = sorted({*OUTLETS, *(o.upper() for o in OUTLETS), "Radio", "TV", "News", "Magazine", "Salem", "Fox-1", "’s",
                  "'s", "’", "'", "s", " ", "  ", "\n", "Sean Hannity", "Jake", "Tapper", "Ab", "O’Neil", "x", "-", "é",
                  "ſ", "\u212a"})


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=2)), max_size=20).map("".join))
def test_precheck_exact_on_fuzzed_strings(text):
    check(text)


def test_journalist_names_same(texts):
    """The journalists' names the resolver reads: the same with the pre-check as with both scans always run."""
    for t in texts[::5]:
        old = frozenset(" ".join(m.group("name").lower().split()[-2:])
                        for pattern in (sources._JOURNALIST_NAMED, OLD) for m in pattern.finditer(t))
        resolver = sources.SourceResolver(t)
        resolver._journalist_in_article("Sean Hannity")
        assert resolver._journalists[0] == old
