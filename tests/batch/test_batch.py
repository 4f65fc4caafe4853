"""Batch mode: directory / JSONL / CSV input, JSONL / CSV / Parquet output, error rows, resume, workers."""
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from scorer.batch.records import read_records
from scorer.cli import cli
from scorer.errors import InputError

runner = CliRunner()
GOOD = "The council voted 7-2 on Tuesday to close the depot, the mayor said. Officials said it could reopen."


def write_jsonl(path, example_text):
    lines = [json.dumps({"id": "a", "text": GOOD}), "{not json", json.dumps({"id": "c", "body": "no text"}),
             json.dumps({"id": "d", "text": example_text}), json.dumps({"id": "e", "text": "   "})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_errors_become_rows_and_the_rest_is_scored(tmp_path, example_text):
    src = write_jsonl(tmp_path / "in.jsonl", example_text)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(cli, ["batch", str(src), "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a", "line-2", "c", "d", "e"]  # every record exactly once, in order
    assert [r["status"] for r in rows] == ["ok", "error", "error", "ok", "error"]
    assert "in.jsonl:2: not valid JSON" in rows[1]["error"]
    assert "in.jsonl:3: no text field 'text'" in rows[2]["error"]
    assert "in.jsonl:5: empty article" in rows[4]["error"]
    assert rows[3]["summary"]["support_score"] > 0


def test_resume_skips_done_records(tmp_path, example_text):
    src = write_jsonl(tmp_path / "in.jsonl", example_text)
    out = tmp_path / "out.jsonl"
    lines = [json.loads(line) for line in src.read_text().splitlines()[:1]]
    out.write_text(json.dumps({"id": lines[0]["id"], "status": "ok", "marker": True}) + "\n")
    assert runner.invoke(cli, ["batch", str(src), "--output", str(out), "--resume"]).exit_code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a", "line-2", "c", "d", "e"] and rows[0].get("marker")


def test_csv_in_parquet_out_two_tables(tmp_path, example_text):
    src = tmp_path / "in.csv"
    pd.DataFrame({"doc": ["x", "y"], "body": [GOOD, example_text]}).to_csv(src, index=False)
    out = tmp_path / "tables"
    result = runner.invoke(cli, ["batch", str(src), "--output", str(out), "--format", "parquet",
                                 "--text-field", "body", "--id-field", "doc", "--jobs", "2"])
    assert result.exit_code == 0, result.output
    arts = pd.read_parquet(out / "articles")
    sents = pd.read_parquet(out / "sentences")
    assert list(arts["id"]) == ["x", "y"] and set(arts["status"]) == {"ok"}
    assert set(sents["article_id"]) == {"x", "y"}
    assert (sents.groupby("article_id").size().loc["y"]) == 12


def test_directory_in_csv_out(tmp_path, example_text):
    d = tmp_path / "articles"
    d.mkdir()
    (d / "one.txt").write_text(GOOD, encoding="utf-8")
    (d / "two.html").write_text(f"<html><body><article><h1>Depot to close</h1><p>{GOOD}</p></article></body></html>")
    (d / "bad.txt").write_bytes(b"\xff\xfe\x00bin")
    out = tmp_path / "csvout"
    result = runner.invoke(cli, ["batch", str(d), "--output", str(out), "--format", "csv"])
    assert result.exit_code == 0, result.output
    arts = pd.read_csv(out / "articles.csv")
    assert sorted(arts["id"]) == ["bad", "one", "two"]
    assert arts.set_index("id").loc["bad", "status"] == "error"
    assert arts.set_index("id").loc["two", "status"] == "ok"  # HTML converted to article text
    assert arts.set_index("id").loc["two", "title"] == "Depot to close"
    assert (pd.read_csv(out / "sentences.csv")["article_id"] == "one").sum() == 2


def test_bad_batch_inputs(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(cli, ["batch", str(empty), "--output", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 1 and "no .txt/.md/.html article files and no .jsonl/.csv/.parquet record files" in result.output
    src = tmp_path / "x.csv"
    src.write_text("a,b\n1,2\n")
    result = runner.invoke(cli, ["batch", str(src), "--output", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 1 and "x.csv:1: no column 'text'" in result.output


def test_nothing_succeeded_exits_1(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("{bad\n")
    result = runner.invoke(cli, ["batch", str(src), "--output", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 1


def test_read_records_rejects_other_files(tmp_path):
    other = tmp_path / "x.pdf"
    other.write_text("x")
    with pytest.raises(InputError, match="must be a directory"):
        list(read_records(other))


def test_progress_shows_rate_and_eta(tmp_path, example_text):
    src = write_jsonl(tmp_path / "in.jsonl", example_text)
    result = runner.invoke(cli, ["batch", str(src), "--output", str(tmp_path / "o.jsonl"), "--progress"])
    assert result.exit_code == 0
    assert "100%" in result.output and "5/5 records" in result.output and "records/s" in result.output
    assert "ETA" in result.output


def test_parquet_input_and_shard_directories(tmp_path, example_text):
    text = example_text[:2000]
    src = tmp_path / "in.parquet"
    pd.DataFrame({"id": ["a", "b", "c"], "text": [text, None, text]}).to_parquet(src)
    records = list(read_records(src))
    assert [r.id for r in records] == ["a", "b", "c"] and records[1].where == f"{src}:2"
    assert records[1].error == f"{src}:2: text column 'text' is null, not a string"
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet at all")
    with pytest.raises(InputError, match=r"bad.parquet: not a readable Parquet file"):
        list(read_records(bad))
    shards = tmp_path / "shards"
    shards.mkdir()
    src.rename(shards / "1.parquet")
    bad.rename(shards / "2.parquet")
    (shards / "0.jsonl").write_text('{"id": "j", "text": "The mayor said the bridge will reopen in May."}\n')
    records = list(read_records(shards))
    assert [r.id for r in records] == ["j", "a", "b", "c", "2.parquet"]  # sorted files; a bad shard is one row
    assert records[-1].error.startswith(f"{shards / '2.parquet'}: not a readable Parquet file")
    result = runner.invoke(cli, ["batch", str(shards), "--output", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 0 and "3 scored, 2 errors" in result.output
