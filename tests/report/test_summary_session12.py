"""Session 12 speed-ups of the summary (issue #21) give exactly what the code they replaced gave: the first-person
pattern with its leading word boundary as a look-behind finds a match exactly where the old one (main f0b630d, frozen
here) does, on the PolNeAR texts and on fuzzed strings."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.report.summary import _FIRST_PERSON

REF_FIRST_PERSON = re.compile(r"\b(I|I'm|I’m|I've|I’ve|I'd|I’d|my|me|myself)\b")


def _same(text: str) -> None:
    assert bool(_FIRST_PERSON.search(text)) == bool(REF_FIRST_PERSON.search(text)), text


def test_first_person_found_alike_on_polnear(polnear_sentences):
    found = 0
    for sentences in polnear_sentences:
        for text in sentences:
            _same(text)
            found += bool(REF_FIRST_PERSON.search(text))
        _same("\n".join(sentences))
    assert found > 300


_TOKENS = ["I", "I'm", "I’m", "I've", "I’ve", "I'd", "I’d", "I'", "I’", "my", "me", "myself", "mine", "met", "Im",
           "II", "mI", "_I", "I_", "1I", "I1", "éI", "Ié", "m", "y", "e", "self", "'m", "’", "'", " ", "\n", "“", "-",
           ".", "İ"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_TOKENS), st.text(max_size=2)), max_size=12)
       .flatmap(lambda parts: st.sampled_from(["", " "]).map(lambda sep: sep.join(parts))))
def test_first_person_found_alike_on_fuzzed_strings(text):
    _same(text)
