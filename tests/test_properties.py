"""Property tests (hypothesis): for any text, scoring returns a valid report or the project's own
InputError, never anything else.

Volume: HYPOTHESIS_PROFILE=ci (the default) runs 300 examples per property; the long run
(README, "Reliability") is `HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py`.
"""
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from scorer import score
from scorer.batch.records import read_records
from scorer.errors import InputError
from scorer.report.report import json_schema
from scorer.text.files import decode_bytes

settings.register_profile("ci", max_examples=300, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=20_000, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

VALIDATOR = Draft202012Validator(json_schema())

# news-like pieces, so the generated texts reach sources, cues, quotes, headlines and furniture,
# mixed with arbitrary Unicode (emoji, RTL marks, zero-width and control characters, surrogates excluded)
PIECES = ["The Pentagon", "officials", "said", "says", "according to", "Reuters", "“", "”", '"', "'", ".", "?",
          "!", "…", ",", " — ", "\n", "\n\n", "\r\n", "U.S.", "Mr.", "Gen.", "a.m.", "No. 2", "3.5%", "may have",
          "allegedly", "sources familiar with the matter", "he added", "she told CNN", "Share this",
          "Exit mobile version", "Advertisement", "Site icon The Commune", "WASHINGTON (AP) —", "dreaded",
          "\u200b", "\u202e", "\ufeff", "\x00", "\x07", "😀", "é", "部长", "قال", "  ", "\t"]
news_like = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=60).map(" ".join)
any_text = st.one_of(st.text(max_size=400), news_like)


def check_report(text, report):
    """The invariants of CONTRACT.md for one report of `text`."""
    data = report.to_dict()
    VALIDATOR.validate(data)
    json.loads(report.to_json())
    assert data["article"]["n_sentences"] == len(data["sentences"]) >= 1
    for s in data["sentences"]:
        assert text[s["start"]:s["end"]] == s["text"]
        assert sum(s["probabilities"].values()) == pytest.approx(1, abs=2e-4)
        assert s["probabilities"][s["attribution_type"]] == max(s["probabilities"].values())
        assert 0 <= s["support"] <= 1 and s["support_grade"] in (0, 1, 2, 3)
    for item in data["skipped"]:
        assert text[item["start"]:item["end"]] == item["text"]
    assert sum(data["summary"]["type_shares"].values()) == pytest.approx(1, abs=2e-4)
    assert 0 <= data["summary"]["support_score"] <= 100


@given(any_text)
def test_score_returns_a_valid_report_or_input_error(text):
    try:
        report = score(text)
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    check_report(text, report)


@given(st.binary(max_size=300))
def test_decode_bytes_returns_text_or_input_error(data):
    try:
        text = decode_bytes(data, "f.txt")
    except InputError as exc:
        assert str(exc).startswith("f.txt") and "\n" not in str(exc)
        return
    assert isinstance(text, str)


@given(st.lists(st.one_of(st.binary(max_size=40),
                          st.builds(lambda i, t: json.dumps({"id": i, "text": t}).encode(),
                                    st.one_of(st.none(), st.integers(0, 5), st.text(max_size=3)),
                                    st.one_of(st.none(), st.text(max_size=30)))),
                max_size=12))
def test_every_jsonl_line_becomes_exactly_one_record(tmp_path_factory, lines):
    lines = [line.replace(b"\n", b" ").replace(b"\r", b" ") for line in lines]
    path = tmp_path_factory.mktemp("jsonl") / "in.jsonl"
    path.write_bytes(b"\n".join(lines))
    records = list(read_records(path))
    expected = [n for n, line in enumerate(lines, 1) if line.strip()]
    assert [int(r.where.rsplit(":", 1)[1]) for r in records] == expected
    for record in records:
        assert (record.text is None) != (record.error is None)
        assert record.error is None or record.error.startswith(f"{path}:")


# markup, control characters and lone surrogates, as hostile records carry them
HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</p>", "&amp;", "<!--", "-->", "\x00", "\x1b[31m",
           "\ud800", "\udfff", "\u2028", "\u2029", "=cmd|' /C calc'!A0", "+1", "-2", "@x", "\t", "\r"]
hostile_text = st.lists(st.one_of(st.sampled_from(PIECES + HOSTILE), st.text(max_size=8)), max_size=40).map(" ".join)


@settings(max_examples=60)
@given(st.lists(st.tuples(st.one_of(st.none(), st.text(max_size=6), st.sampled_from(HOSTILE)), hostile_text),
                min_size=1, max_size=6))
def test_batch_accounts_for_every_hostile_record(tmp_path_factory, batch_scorer, records):
    """Random records with markup, control characters and lone surrogates through `run_batch`: one valid JSON line
    per input record, in order; ok rows' offsets slice their (surrogate-repaired) text; errors are one line."""
    from scorer.batch.run import run_batch

    base = tmp_path_factory.mktemp("batch")
    src, out = base / "in.jsonl", base / "out.jsonl"
    lines = [json.dumps({"id": rid, "text": text}) for rid, text in records]  # ASCII JSON: surrogates as escapes
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ok, errors = run_batch(src, out, scorer=batch_scorer)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").split("\n") if line]  # not splitlines: U+2028 is data
    assert len(rows) == ok + errors == len(records)
    for n, ((_, text), row) in enumerate(zip(records, rows), 1):
        assert row["input"] == f"{src}:{n}"
        if row["status"] == "error":
            assert "\n" not in row["error"]
            continue
        repaired = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
        for s in row["sentences"]:
            assert repaired[s["start"]:s["end"]] == s["text"]


@pytest.fixture(scope="module")
def batch_scorer():
    from scorer.pipeline import Scorer

    return Scorer()
