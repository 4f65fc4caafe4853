"""The spans in the batch sentences tables (issue #20 item 4): the JSON's `source_span`, `cue_span` and
`content_span` are the columns `<kind>_start`/`<kind>_end` of the CSV and Parquet sentences tables (typed integers
in Parquet, whole numbers in CSV, missing for a null span), article offsets like `start`/`end`, so they slice the
article, and the sentence's `text`, to the JSON's `source_phrase` and `cue`; the Dask backend's shards and
`score_frame` have the same columns."""
import csv
import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from scorer.batch.frames import score_frame
from scorer.cli import cli
from scorer.report.tables import SENTENCE_COLUMNS, SPAN_COLUMNS, csv_frame, sentence_rows

# written for this test: named and pronoun sources, a cue after a quote, an opinion without a source, and
# characters outside the BMP and Latin-1 before the spans (offsets count code points, not bytes or UTF-16 units)
ARTICLE = "\n\n".join([
    "Vote 🗳 Delayed Again in Zürich 🐘",
    ("WASHINGTON — The Democratic National Committee said on Monday that the ruling would be appealed. "
     "They added that the judge had ignored the evidence."),
    "Hope Hicks, a campaign spokeswoman, said the rally in Ohio was cancelled.",
    "“We will win this state,” said Maria Lopez, the party chairwoman.",
    "This is, frankly, a disgraceful way to run a country.",
]) + "\n"

SPANS = ("source", "cue", "content")


def run(tmp_path, fmt):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": ARTICLE}) + "\n" + json.dumps({"id": "bad", "text": None}) + "\n",
                   encoding="utf-8")
    result = CliRunner().invoke(cli, ["batch", str(src), "-o", str(tmp_path / f"out.{fmt}"), "--no-progress"]
                                + (["--sentences", str(tmp_path / f"s.{fmt}")] if fmt != "jsonl" else []))
    assert result.exit_code == 0, result.output
    return tmp_path / f"out.{fmt}", tmp_path / f"s.{fmt}"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out, _ = run(tmp_path_factory.mktemp("jsonl"), "jsonl")
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return next(line for line in lines if line["id"] == "a")


def plain(frame) -> list[dict]:
    """The rows of a pandas sentences table with the integer columns as int and their missing values as None."""
    ints = set(SPAN_COLUMNS) | {"start", "end", "sentence_index"}
    return [{k: (None if pd.isna(v) else int(v)) if k in ints else v for k, v in row.items()}
            for row in frame.to_dict("records")]


def check_against_json(rows: list[dict], report: dict) -> None:
    """Each table row has the JSON sentence's spans, and they slice the article and the sentence's text."""
    sentences = report["sentences"]
    assert [r["sentence_index"] for r in rows] == [s["index"] for s in sentences]
    for row, s in zip(rows, sentences):
        for kind in SPANS:
            span = s[f"{kind}_span"]
            got = (row[f"{kind}_start"], row[f"{kind}_end"])
            if span is None:
                assert got == (None, None), (kind, row)
                continue
            assert got == tuple(span) and all(type(v) is int for v in got), (kind, got, span)
            start, end = got
            assert ARTICLE[start:end] == row["text"][start - row["start"]:end - row["start"]]
        if s["source_span"] is not None:
            assert ARTICLE[row["source_start"]:row["source_end"]] == s["source_phrase"]
        if s["cue_span"] is not None:
            assert ARTICLE[row["cue_start"]:row["cue_end"]] == s["cue"]
    # the article is written so that both cases occur: the checks above ran on real spans and on nulls
    assert any(s["source_span"] is not None and s["cue_span"] is not None for s in sentences)
    assert any(s["source_span"] is None and s["source"] is None for s in sentences)
    they = next(s for s in sentences if s["text"].startswith("They added"))
    assert they["source_phrase"] == "They" and they["source"] == "The Democratic National Committee"


def test_the_article_has_what_the_tests_need(report):
    by_text = {s["text"][:12]: s for s in report["sentences"]}
    assert ARTICLE[slice(*by_text["WASHINGTON —"]["source_span"])] == "The Democratic National Committee"
    assert ARTICLE[slice(*by_text["“We will win"]["cue_span"])] == "said"
    assert by_text["This is, fra"]["source_span"] is None and by_text["This is, fra"]["content_span"] is None


def test_parquet_has_typed_span_columns_that_slice_the_article(tmp_path, report):
    _, sents = run(tmp_path, "parquet")
    schema = pq.read_schema(sents)
    assert schema.names == SENTENCE_COLUMNS and schema.names[-6:] == SPAN_COLUMNS
    assert all(schema.field(c).type == pa.int64() and schema.field(c).nullable for c in SPAN_COLUMNS)
    rows = pq.read_table(sents).to_pylist()  # nulls as None, integers as int
    assert {r["article_id"] for r in rows} == {"a"}  # the error row has no sentences
    check_against_json(rows, report)
    frame = pd.read_parquet(sents, dtype_backend="numpy_nullable")  # as docs/batch.md reads it
    named = frame[frame.source_start.notna()]
    phrases = [t[a - b:e - b] for t, a, e, b in zip(named.text, named.source_start, named.source_end, named.start)]
    assert phrases == [s["source_phrase"] for s in report["sentences"] if s["source_span"] is not None]


def test_csv_has_the_same_flat_columns(tmp_path, report):
    _, sents = run(tmp_path, "csv")
    with sents.open(encoding="utf-8", newline="") as fh:
        header, *lines = list(csv.reader(fh))
    assert header == SENTENCE_COLUMNS
    cells = [line[-6:] for line in lines]
    assert all(c == "" or c.isdigit() for row in cells for c in row)  # whole numbers (not 12.0) or empty
    check_against_json(plain(pd.read_csv(sents, dtype={c: "Int64" for c in SPAN_COLUMNS})), report)


def test_a_sentence_without_spans_has_missing_values_everywhere():
    """A sentence whose JSON spans are null (and a report written before the spans existed) has missing values in
    all six columns, in the rows, the CSV frame and the Arrow table."""
    base = {"index": 0, "start": 0, "end": 5, "text": "Hello", "attribution_type": "editorial_opinion",
            "probabilities": {"named_source": 0.1, "anonymous_intelligence": 0.1, "outlet_claim": 0.1,
                              "editorial_opinion": 0.7}, "source": None, "cue": None, "support": 0.2,
            "support_grade": 1, "reasons": [], "is_headline": False}
    null_spans = dict(base, source_span=None, cue_span=None, content_span=None)
    with_spans = dict(base, index=1, source_span=[0, 2], cue_span=[3, 5], content_span=None)
    rows = sentence_rows({"id": "x", "status": "ok", "sentences": [null_spans, base, with_spans]})
    assert [[r[c] for c in SPAN_COLUMNS] for r in rows] == [[None] * 6, [None] * 6, [0, 2, 3, 5, None, None]]
    frame = csv_frame(rows, "sentences")
    assert all(str(frame[c].dtype) == "Int64" for c in SPAN_COLUMNS)
    assert frame.to_csv(index=False).splitlines()[3].endswith(",0,2,3,5,,")


def test_score_frame_has_the_span_columns_as_nullable_integers(report):
    _, sentences = score_frame(pd.DataFrame({"id": ["a"], "text": [ARTICLE]}), id_col="id")
    assert list(sentences.columns) == SENTENCE_COLUMNS
    assert all(str(sentences[c].dtype) == "Int64" for c in SPAN_COLUMNS)
    check_against_json(plain(sentences), report)


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_dask_shards_have_the_same_span_columns(tmp_path, report, fmt):
    """The Dask backend's worker-side function (what each worker runs on its shard) writes the same columns."""
    pytest.importorskip("distributed")
    from scorer.batch.dask import plan_shards, score_shard

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.jsonl").write_text(json.dumps({"id": "a", "text": ARTICLE}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    for sub in ("_done", "articles", "sentences"):
        (out / sub).mkdir(parents=True)
    for shard in plan_shards(src):
        score_shard(shard, str(out), fmt)
    (part,) = (out / "sentences").glob(f"part-*.{fmt}")
    if fmt == "parquet":
        assert pq.read_schema(part).names == SENTENCE_COLUMNS
        rows = pq.read_table(part).to_pylist()
    else:
        frame = pd.read_csv(part, dtype={c: "Int64" for c in SPAN_COLUMNS})
        assert list(frame.columns) == SENTENCE_COLUMNS
        rows = plain(frame)
    check_against_json(rows, report)
