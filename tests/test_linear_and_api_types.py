"""Hostile input, part of issue #17: cost linear in the input, and the API's accepted types.

The linear-cost test scores one paragraph of 2,000 and of 8,000 short sentences and checks the ratio of
the times (linear: about 4; the quadratic scans fixed here gave about 15). The bound is generous so that
a loaded machine does not fail it, but a cost that grows with the square of the input cannot pass.
"""
import time

import pytest

from scorer import score
from scorer.errors import InputError
from scorer.pipeline import Scorer

# Sentence shapes that each reach a different article-wide step: distinct names (name scans, the
# summary's source merging), sentence-initial plurals ("Mourners say"), pronouns resolved backwards,
# quotations carried over, polls named earlier, anonymous sources, numbers and hedges.
TEMPLATES = [
    "Smith{i} Jones said the plan had failed.",
    "Mourners{i}s say the vigil will go on.",
    "He added that the cost was {i} dollars.",
    '"We will not stop," said Garcia{i}. "Never."',
    "The Gallup{i} survey found that {i} percent agreed.",
    "Officials familiar with the talks said it may collapse.",
    "The vote was held on Tuesday in Ward {i}.",
    "They said the reckless decision could haunt the council.",
]


def _paragraph(n: int) -> str:
    return " ".join(TEMPLATES[i % len(TEMPLATES)].format(i=i) for i in range(n))


@pytest.fixture(scope="module")
def scorer():
    return Scorer()


def _seconds(scorer, text: str) -> float:
    best = float("inf")
    for _ in range(2):  # the faster of two runs, in this thread's CPU time: other processes' load does not count
        started = time.thread_time()
        report = scorer.score(text)
        best = min(best, time.thread_time() - started)
    assert len(report.sentences_list) > 0.9 * text.count(".")
    return best


def test_cost_is_linear_in_sentences_of_one_paragraph(scorer):
    small, large = _seconds(scorer, _paragraph(1500)), _seconds(scorer, _paragraph(6000))
    assert large / small < 7.0, f"1,500 sentences {small:.2f} s, 6,000 sentences {large:.2f} s"


def test_cost_is_linear_with_a_title_case_first_line(scorer):
    """A title-case first line is checked against the body once, not once per source in it."""
    def text(n):
        return "Conservative Heavyweights Come Out " + " ".join(f"Smith{i} Jones Said" for i in range(n // 4)) + \
            "\n" + _paragraph(n)
    small, large = _seconds(scorer, text(1500)), _seconds(scorer, text(6000))
    assert large / small < 7.0, f"1,500 sentences {small:.2f} s, 6,000 sentences {large:.2f} s"


@pytest.mark.parametrize("value", [None, 123, 4.5, ["text"], {"text": "x"}, object()])
def test_score_rejects_non_text_with_type_error(value, scorer):
    for call in (score, scorer.score):
        with pytest.raises(TypeError, match=r"must be str \(or UTF-8 bytes\), not"):
            call(value)


def test_score_many_rejects_non_text(scorer):
    with pytest.raises(TypeError, match="not int"):
        list(scorer.score_many(["The vote was held on Tuesday.", 5]))


def test_bytes_are_decoded_as_utf8(scorer):
    text = "The vote was held on Tuesday, the mayor’s office said."
    assert score(text.encode("utf-8")).to_dict() == score(text).to_dict()
    assert scorer.score(bytearray(text.encode("utf-8"))).to_dict() == scorer.score(text).to_dict()


@pytest.mark.parametrize("data, message", [(b"caf\xe9 au lait was served.", "not UTF-8 text"),
                                           (b"\x89PNG\r\n\x1a\nxxxx", "binary file"),
                                           (b"   ", "empty article")])
def test_bad_bytes_are_one_line_input_errors(data, message, scorer):
    for call in (score, scorer.score):
        with pytest.raises(InputError, match=message) as info:
            call(data)
        assert "\n" not in str(info.value)
