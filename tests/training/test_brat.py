import pytest

from scorer.training.brat import parse_ann, read_ann
from scorer.errors import InputError

ANN = (
    "T1\tSource 0 5\tSmith\n"
    "T2\tCue 6 10\tsaid\n"
    "T3\tContent 11 20;25 40\tthe first part the second part\n"
    "T4\tAttribution 6 10\tsaid\n"
    "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
    "T5\tContent 50 80\tline one of the span\n"
    "continued on a second line\n"
    "T6\tAttribution-no-source 81 85\tseem\n"
    "E2\tAttribution-no-source:T6 Content:T5\n"
    "T7\tDiscard 90 99\tRead more\n"
    "#1\tAnnotatorNotes T1\ta note\n"
)


def test_textbounds_events_discontinuous_and_multiline():
    ann = parse_ann(ANN, "x.ann")
    assert ann.textbounds["T3"].spans == ((11, 20), (25, 40))
    assert (ann.textbounds["T3"].start, ann.textbounds["T3"].end) == (11, 40)
    assert ann.textbounds["T5"].text == "line one of the span\ncontinued on a second line"
    assert [e.type for e in ann.events] == ["Attribution", "Attribution-no-source"]
    assert ann.events[0].args == {"Content": "T3", "Cue": "T2", "Source": "T1"}
    assert ann.events[1].trigger == "T6" and "Source" not in ann.events[1].args


@pytest.mark.parametrize("bad,where", [
    ("T1\tSource 0 x\tSmith\n", "x.ann:1: malformed span"),
    ("T1\tSource 0 5\tSmith\nT2\tCue 9 3\tsaid\n", "x.ann:2: malformed span"),
    ("T1\tSource 0 5\tSmith\nE1\tAttribution:T9 Source:T1\n", "x.ann: event E1 refers to unknown span T9"),
    ("stray text before any record\n", "x.ann:1: malformed brat line"),
    ("T1\tSource 0 5\tSmith\nE1\tAttribution:T1 Source\n", "x.ann:2: malformed event argument"),
])
def test_malformed_lines_name_file_and_line(bad, where):
    with pytest.raises(InputError) as err:
        parse_ann(bad, "x.ann")
    assert str(err.value).startswith(where)
    assert "\n" not in str(err.value)


def test_read_ann_missing_file(tmp_path):
    with pytest.raises(InputError, match="cannot read annotation file"):
        read_ann(tmp_path / "nope.ann")
