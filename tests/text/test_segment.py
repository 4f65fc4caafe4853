"""Sentence segmentation: the boundary table in tests/data/segmentation_cases.json plus offset invariants."""
import json
from pathlib import Path

import pytest

from scorer.text.segment import split_article, split_sentences

CASES = json.loads((Path(__file__).resolve().parents[1] / "data" / "segmentation_cases.json").read_text(encoding="utf-8"))
# Known misses, reported in the README; strict so that a fix shows up as an unexpected pass.
KNOWN_MISSES = {
    "abbr-ltd-end-uk": "'Ltd.' before a capitalised proper noun ('Labour') is not split",
    "num-uk-pounds": "'per cent.' before 'Sterling' is not split",
}


def _params():
    for case in CASES:
        marks = [pytest.mark.xfail(reason=KNOWN_MISSES[case["id"]], strict=True)] if case["id"] in KNOWN_MISSES else []
        yield pytest.param(case, id=case["id"], marks=marks)


@pytest.mark.parametrize("case", list(_params()))
def test_boundary_table(case):
    got = [s.text for s in split_sentences(case["text"])]
    assert got == case["expected"]


def test_table_is_large_and_varied():
    assert len(CASES) >= 60
    assert len({c["category"] for c in CASES}) >= 10


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_offsets_index_the_text(case):
    for sent in split_sentences(case["text"]):
        assert case["text"][sent.start:sent.end] == sent.text
        assert sent.text == sent.text.strip() and sent.text


def test_example_article(example_text):
    sentences, skipped = split_article(example_text)
    texts = [s.text for s in sentences]
    assert [s.text for s in skipped] == ["Site icon The Commune", "Exit mobile version"]
    assert texts[0].startswith("Iran may have paid Haqqani Network") and texts[0].endswith("assassination")
    # the closing quote stays with its sentence; the quote introduced by "they added" is one sentence
    assert texts[-2].endswith("peace process in Afghanistan.”")
    assert texts[-1].startswith("”Iran has tried") and "they added" in texts[-1]
    assert texts[-1].endswith("regional stability. “")
    assert not any("Site icon" in t or "Exit mobile" in t for t in texts)
    assert len(sentences) == 12


def test_offsets_never_overlap_and_skip_only_whitespace(example_text):
    sentences, skipped = split_article(example_text)
    pieces = sorted([(s.start, s.end) for s in sentences] + [(k.start, k.end) for k in skipped])
    pos = 0
    for start, end in pieces:
        assert start >= pos and not example_text[pos:start].strip()
        pos = end
    assert not example_text[pos:].strip()
