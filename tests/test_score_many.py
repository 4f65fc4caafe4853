"""`Scorer.score_many` gives the same reports and the same errors in this process and in worker processes."""
import pytest

from scorer import Scorer
from scorer.errors import InputError

TEXTS = ["The minister said on Monday that 300 jobs would go. Officials said the plan was likely to pass.",
         "Police said the road was closed \udcff after the crash, a spokeswoman said."]


@pytest.fixture(scope="module")
def scorer():
    return Scorer()


def test_serial_and_parallel_give_the_same_reports(scorer):
    serial = [r.to_dict() for r in scorer.score_many(TEXTS, n_jobs=1)]
    parallel = [r.to_dict() for r in scorer.score_many(TEXTS, n_jobs=2)]
    assert serial == parallel
    assert "\ufffd" in serial[1]["sentences"][0]["text"]


def test_serial_and_parallel_name_the_failing_text_alike(scorer):
    bad = TEXTS[:1] + ["   "]
    messages = []
    for jobs in (1, 2):
        with pytest.raises(InputError) as info:
            list(scorer.score_many(bad, n_jobs=jobs))
        messages.append(str(info.value))
    assert messages[0] == messages[1] and "<text 1>" in messages[0]
