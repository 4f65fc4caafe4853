"""One place for each word list and pattern family: the lexicon (and scorer/text/quotes.py for quotation marks)."""
from __future__ import annotations

import ast
import itertools
from pathlib import Path

from scorer.attribution.lexicon import (CUE_VERBS, INTENSIFIERS, KEYWORD_RULE_INTENSIFIERS,
                                        REPORTING_VERBS)
from scorer.text.quotes import closes_open_quote, open_quote_count, opens_quote, quoted_mask

PACKAGE = Path(__file__).resolve().parents[2] / "scorer"
# a member of each family that only a definition of that family would spell out
FAMILY_MARKERS = {"hedges": "reportedly", "intensifiers": "utterly", "denials": "could not be reached",
                  "reporting verbs": "quipped"}
HOMES = {PACKAGE / "attribution" / "lexicon.py"}


def _string_constants(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node


def test_each_word_family_is_spelled_out_only_in_the_lexicon():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path in HOMES:
            continue
        for node in _string_constants(path):
            for family, marker in FAMILY_MARKERS.items():
                if marker in node.value:
                    found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {family}")
    assert found == []


def test_quote_counting_is_only_in_text_quotes():
    found = [f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
             for path in sorted(PACKAGE.rglob("*.py")) if path.name != "quotes.py"
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "count"
             and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value in ("“", "”", '"')]
    assert found == []


def test_the_sets_that_differ_differ_only_as_documented():
    assert CUE_VERBS - REPORTING_VERBS == {"continued", "wondered"}
    assert KEYWORD_RULE_INTENSIFIERS - INTENSIFIERS == {"just", "least", "of course"}


def test_the_two_open_quote_readings_agree_where_they_overlap():
    """`opens_quote` (the cue features) is `open_quote_count > 0` (segmentation), over every short mix of marks."""
    for n in range(6):
        for marks in itertools.product('“”"x', repeat=n):
            text = "".join(marks)
            assert opens_quote(text) == (open_quote_count(text) > 0), text


def test_quote_marks():
    assert open_quote_count("“One. “Two") == 2 and open_quote_count('He said "no') == 1
    assert closes_open_quote("we stay,” she said.") and not closes_open_quote("“We stay,” she said.")
    mask = quoted_mask("He said “we stay” today")
    assert [mask[i] for i in (0, 8, 16, 18)] == [False, True, True, False]
    assert not quoted_mask("No quotation here.")
