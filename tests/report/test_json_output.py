"""Report JSON with orjson (extra `fast`) and with the standard library (issue #21 item 4): `report.dumps` writes
text that parses to the same value either way (`score --format json`, indented by 2, is the same bytes), on the
example, on hostile text and on values orjson would write differently (lone surrogates, non-text keys, NaN, numpy
scalars, datetimes, huge integers), which go to the standard library; without orjson, or with SCORER_STDLIB_JSON
set, the output is the standard library's, as before."""
import datetime
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scorer import Scorer
from scorer.batch.writers import encode_jsonl
from scorer.report import report as report_module
from scorer.report.report import STDLIB_JSON_ENV, dumps, plain_json

REPO = Path(__file__).resolve().parents[2]

HOSTILE = ("Fake </script><script>alert(1)</script> headline\n\n"
           "“Nothing\u2028will \x00stop \x1b[31mus\x7f,” said Ana \\ \"Quote\" Díaz 🐘, the mayor \ufeff.\n\n"
           "Officials said on Tuesday that the vote\u2029would be <b>delayed</b> &amp; ${x} {{y}}.\n")


@pytest.fixture
def stdlib(monkeypatch):
    """Run `dumps` as if orjson were not installed (the fallback path)."""
    monkeypatch.setattr(report_module, "_fast", None)


def with_orjson():
    pytest.importorskip("orjson")
    report_module._fast = report_module._UNSET  # looked up again (the environment may have said stdlib)
    fast = report_module._fast_json()
    if fast is None:
        pytest.skip(f"{STDLIB_JSON_ENV} is set")
    return fast


def both(obj, monkeypatch, **kwargs) -> tuple[str, str]:
    """(orjson text, standard library text) of `obj` through `dumps`."""
    fast = with_orjson()
    monkeypatch.setattr(report_module, "_fast", fast)
    new = dumps(obj, **kwargs)
    monkeypatch.setattr(report_module, "_fast", None)
    old = dumps(obj, **kwargs)
    return new, old


def same_value(a, b) -> bool:
    """Equal as parsed JSON, NaN equal to NaN."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@pytest.fixture(scope="module")
def reports(example_text):
    scorer = Scorer()
    return [scorer.score(example_text), scorer.score(HOSTILE)]


def test_the_fallback_is_the_standard_library(stdlib, reports):
    for report in reports:
        data = report.to_dict()
        assert report.to_json() == json.dumps(data, indent=2, ensure_ascii=False)
        assert report.to_json(indent=None) == json.dumps(data, ensure_ascii=False)
        assert report.to_json(indent=4) == json.dumps(data, indent=4, ensure_ascii=False)


def test_orjson_parses_the_same_and_keeps_the_indented_layout(monkeypatch, reports):
    for report in reports:
        data = report.to_dict()
        new, old = both(data, monkeypatch, indent=2)
        assert new == old  # `score --format json`: the same bytes
        new, old = both(data, monkeypatch)
        assert json.loads(new) == json.loads(old) == json.loads(json.dumps(data))
        assert new != old and ", " in old  # the one-line form is compact: a documented change of spacing
    hostile = json.loads(dumps(reports[1].to_dict()))
    assert "</script>" in json.dumps(hostile, ensure_ascii=False)  # the text is kept as it is, not escaped away
    assert any("\x00" in s["text"] or "\u2028" in s["text"] for s in hostile["sentences"])


HARD = [
    {"lone": "a\ud800b"},                      # a lone surrogate: orjson refuses, the standard library escapes it
    {1: "non-text key", None: 2, 2.5: True},  # keys the standard library turns into text
    {"big": 2 ** 70, "small": -2 ** 70},       # integers beyond 64 bits
    {"np": [np.float64(0.5), np.int64(3), np.float32(0.25), np.bool_(True)]},
    {"when": datetime.datetime(2024, 5, 1, 12, 30), "day": datetime.date(2024, 5, 1)},
    {"tuple": ("a", 1), "nested": [[[{"x": None}]]], "control": "\x00\x1f\x7f\u2028</script>"},
    {"float": [1e-05, 1e16, -0.0, 5e-324, 0.1 + 0.2]},
]


@pytest.mark.parametrize("value", HARD, ids=range(len(HARD)))
def test_values_orjson_writes_otherwise_go_to_the_standard_library(monkeypatch, value):
    new, old = both(value, monkeypatch, default=str)
    assert json.loads(new) == json.loads(old)
    assert dumps(value, default=str, fast=False) == old
    # where orjson would differ it is not used at all: the same bytes as before
    if not plain_json(value):
        assert new == old


def test_without_default_the_standard_library_error_is_kept(monkeypatch):
    with_orjson()
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps({"x": object()})


def test_plain_json():
    assert plain_json({"a": [1, 2.5, "x", None, True, {"b": ("c",)}]})
    for value in (math.nan, math.inf, {1: 2}, np.float64(1.0), 2 ** 64, datetime.date(2024, 1, 1), [[math.nan]]):
        assert not plain_json(value), value


def result_line(fields) -> dict:
    return {"id": "a\ud83d", "input": "in.jsonl:1", "status": "error", "error": "in.jsonl:1: bad \ud800",
            "fields": fields}


@pytest.mark.parametrize("fields", [
    {"outlet": "BBC", "n": 3, "tags": ["a", "b"]},
    {"score": math.nan, "big": math.inf},  # NaN written as NaN, as before (orjson would write null)
    {"published": datetime.datetime(2024, 5, 1), "d": {"k": [1, 2]}},
    {"odd": "\ud800"},
])
def test_jsonl_lines_parse_the_same_with_and_without_orjson(monkeypatch, fields, reports):
    fast = with_orjson()
    results = [result_line(fields), dict(reports[1].to_dict(), id="h", input="in.jsonl:2", status="ok", fields=fields)]
    for result in results:
        monkeypatch.setattr(report_module, "_fast", fast)
        status, new = encode_jsonl(result)
        monkeypatch.setattr(report_module, "_fast", None)
        _, old = encode_jsonl(result)
        assert new.endswith("\n") and new.count("\n") == 1 and status == result["status"]
        assert same_value(json.loads(new), json.loads(old))
        assert "\ud800" not in new and "\ud83d" not in new  # UTF-8 can write the line
        new.encode("utf-8")
        if not plain_json(fields):
            assert new == old  # the fields went to the standard library: the line as before
    assert json.loads(encode_jsonl(result_line(fields))[1])["id"] == "a\ufffd"


def run_batch(tmp_path, stdlib_json: bool, jobs: int) -> list[str]:
    src = tmp_path / "in.jsonl"
    if not src.exists():
        records = [{"id": "x", "text": HOSTILE, "score": math.nan}, {"id": "y", "text": HOSTILE, "n": [1, {"a": 2}]},
                   {"id": "z", "text": None}]
        src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / f"out-{stdlib_json}-{jobs}.jsonl"
    env = {k: v for k, v in __import__("os").environ.items() if k != STDLIB_JSON_ENV}
    env["PYTHONPATH"] = str(REPO)
    if stdlib_json:
        env[STDLIB_JSON_ENV] = "1"
    subprocess.run([sys.executable, "-m", "scorer", "batch", str(src), "-o", str(out), "--jobs", str(jobs),
                    "--no-progress"], env=env, check=True, capture_output=True, cwd=tmp_path)
    text = out.read_text(encoding="utf-8")
    assert text.endswith("\n")
    return text[:-1].split("\n")  # not splitlines(): the lines hold U+2028 and U+2029 as they are, as JSON allows


def test_scorer_batch_with_and_without_orjson(tmp_path):
    with_orjson()
    old = run_batch(tmp_path, True, 1)
    new = run_batch(tmp_path, False, 2)  # in worker processes too
    assert len(new) == len(old) == 3
    for a, b in zip(new, old):
        assert same_value(json.loads(a), json.loads(b))
    by_id = dict(zip((json.loads(line)["id"] for line in new), new))
    assert by_id["x"] == next(line for line in old if '"id": "x"' in line)  # NaN field: the standard library's line
    assert '"id":"y","input":' in by_id["y"]  # plain fields: orjson, compact
    assert '"id": "y", "input": ' in old[1]  # SCORER_STDLIB_JSON: the standard library's spacing


def test_without_orjson_installed_or_with_the_variable_the_standard_library_writes(monkeypatch, reports):
    data = reports[1].to_dict()
    monkeypatch.setitem(sys.modules, "orjson", None)  # `import orjson` fails as if it were not installed
    monkeypatch.setattr(report_module, "_fast", report_module._UNSET)
    assert report_module._fast_json() is None
    assert dumps(data) == json.dumps(data, ensure_ascii=False)
    monkeypatch.delitem(sys.modules, "orjson")
    monkeypatch.setenv(STDLIB_JSON_ENV, "1")
    monkeypatch.setattr(report_module, "_fast", report_module._UNSET)
    assert report_module._fast_json() is None
    assert dumps(data) == json.dumps(data, ensure_ascii=False)
