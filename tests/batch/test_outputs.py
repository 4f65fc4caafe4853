"""Outputs the way users expect (issue #22, points 1 and 2), through the CLI as a user runs it: the format follows
--format (any case) or else the output's suffix; a .csv/.parquet batch output is one file (--sentences for the
sentence table); an output's directory is never created; every input field is carried through; lists and structs
are list/struct columns in Parquet and JSON text in CSV; no column is named after a pandas attribute."""
import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from scorer.batch.frames import score_frame
from scorer.cli import cli

runner = CliRunner()
GOOD = "The council voted 7-2 on Tuesday to close the depot, the mayor said. Officials said it could reopen."
OTHER = "Anonymous officials said the bridge may be unsafe. The ministry said it would inspect it on Monday."


def invoke(*args):
    return runner.invoke(cli, [str(a) for a in args])


def ok(result):
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def records():
    return [{"id": "a", "text": GOOD, "outlet": "BBC", "date": "2024-05-01", "title": "Depot", "rank": 3},
            {"id": "b", "text": None, "outlet": "AP", "date": "2024-05-02", "title": "Null", "rank": 4},
            {"id": "c", "text": OTHER, "outlet": "Reuters", "date": "2024-05-03", "title": "Bridge", "rank": 5}]


@pytest.fixture
def src(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records()), encoding="utf-8")
    return path


def snapshot(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# 1. the format follows --format, else the output's suffix

@pytest.mark.parametrize("name,start", [("report.html", "<!DOCTYPE html>"), ("REPORT.HTML", "<!DOCTYPE html>"),
                                        ("r.md", "# "), ("r.json", "{\n"), ("r.txt", "Support score")])
def test_score_format_follows_the_suffix(tmp_path, example_path, name, start):
    out = tmp_path / name
    ok(invoke("score", example_path, "-o", out))
    text = out.read_text(encoding="utf-8")
    assert text.startswith(start) or (start in text and not text.startswith("<")), text[:80]
    if name.lower().endswith(".json"):
        assert json.loads(text)["schema_version"] == 1


def test_score_flag_wins_and_is_case_insensitive(tmp_path, example_path):
    out = tmp_path / "report.txt"
    ok(invoke("score", example_path, "--format", "JSON", "-o", out))
    assert json.loads(out.read_text())["article"]["id"] == "iran-bounties-commune"  # JSON despite .txt
    line = tmp_path / "r.jsonl"
    ok(invoke("score", example_path, "-o", line))
    assert len(line.read_text().splitlines()) == 1 and json.loads(line.read_text())["schema_version"] == 1
    result = ok(invoke("score", example_path, "--format", "Html"))
    assert result.stdout.startswith("<!DOCTYPE html>")


def test_score_refuses_a_table_suffix(tmp_path, example_path):
    result = invoke("score", example_path, "-o", tmp_path / "r.parquet")
    assert result.exit_code == 2 and "does not write parquet" in result.output
    assert list(tmp_path.iterdir()) == []


def test_missing_directory_is_an_error_and_nothing_is_created(tmp_path, example_path, src):
    for args in (("score", example_path, "-o", tmp_path / "nonexistent" / "dir" / "out.html"),
                 ("batch", src, "-o", tmp_path / "nonexistent" / "dir" / "out.jsonl"),
                 ("batch", src, "-o", tmp_path / "nonexistent" / "res.parquet"),
                 ("batch", src, "-o", tmp_path / "nonexistent" / "tables")):
        before = snapshot(tmp_path)
        result = invoke(*args)
        assert result.exit_code == 1, result.output
        line = result.stderr.strip()
        assert line.startswith("scorer: error: ") and "no such directory: " in line and "\n" not in line, line
        assert str(tmp_path / "nonexistent") in line
        assert snapshot(tmp_path) == before
    result = invoke("score", example_path, "-o", "/nonexistent/dir/out.html")
    assert result.exit_code == 1 and "/nonexistent/dir/out.html: no such directory: /nonexistent/dir" in result.stderr


def test_batch_parquet_output_is_one_file_with_list_columns(tmp_path, src):
    out, sents = tmp_path / "res.parquet", tmp_path / "sentences.parquet"
    result = ok(invoke("batch", src, "-o", out, "--sentences", sents, "--no-progress"))
    assert "2 scored, 1 errors" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "res.parquet", "sentences.parquet"]
    arts = pd.read_parquet(out)
    assert list(arts["id"]) == ["a", "b", "c"] and list(arts["status"]) == ["ok", "error", "ok"]
    schema = pq.read_schema(out)
    assert schema.field("article_flags").type == pa.list_(pa.string())
    assert schema.field("weakest").type == pa.list_(pa.int64())
    source = schema.field("sources").type
    assert pa.types.is_list(source) and pa.types.is_struct(source.value_type)
    assert [source.value_type.field(i).name for i in range(source.value_type.num_fields)] == \
        ["name", "type", "count", "sentences"]
    first = arts.iloc[0]
    assert sorted(int(i) for i in first["weakest"]) == [0, 1]  # the article's two sentences
    assert {s["name"] for s in first["sources"]} >= {"the mayor"}
    assert arts.iloc[1]["weakest"] is None and arts.iloc[1]["article_flags"] is None  # an error row
    assert "flags" not in arts.columns and "article_flags" in arts.columns
    sentences = pd.read_parquet(sents)
    assert "index" not in sentences.columns and "sentence_index" in sentences.columns
    assert pq.read_schema(sents).field("reasons").type == pa.list_(pa.string())
    assert sentences.groupby("article_id").size().to_dict() == {"a": 2, "c": 2}


def test_batch_suffixes_any_case_and_flag(tmp_path, src):
    ok(invoke("batch", src, "-o", tmp_path / "RES.CSV", "--no-progress"))
    frame = pd.read_csv(tmp_path / "RES.CSV")
    assert list(frame["id"]) == ["a", "b", "c"]
    assert sorted(json.loads(frame.loc[0, "weakest"])) == [0, 1]  # JSON text in CSV
    assert {s["name"] for s in json.loads(frame.loc[0, "sources"])} >= {"the mayor"}
    assert isinstance(json.loads(frame.loc[2, "article_flags"]), list) and pd.isna(frame.loc[1, "article_flags"])
    ok(invoke("batch", src, "-o", tmp_path / "Out.JSONL", "--no-progress"))
    assert len((tmp_path / "Out.JSONL").read_text().splitlines()) == 3
    ok(invoke("batch", src, "-o", tmp_path / "tables", "--format", "PARQUET", "--no-progress"))
    assert (tmp_path / "tables" / "articles").is_dir()  # no suffix: a directory, as before
    assert list(pd.read_parquet(tmp_path / "tables" / "articles")["outlet"]) == ["BBC", "AP", "Reuters"]
    result = invoke("batch", src, "-o", tmp_path / "res.html")
    assert result.exit_code == 2 and "does not write html" in result.output
    result = invoke("batch", src, "-o", tmp_path / "x.jsonl", "--sentences", tmp_path / "s.csv")
    assert result.exit_code == 2 and "--sentences goes with a .csv or .parquet output file" in result.output


def test_single_csv_with_sentences_and_escaping(tmp_path, src):
    out, sents = tmp_path / "res.csv", tmp_path / "sentences.csv"
    ok(invoke("batch", src, "-o", out, "--sentences", sents, "--no-progress"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "res.csv", "sentences.csv"]  # no state file
    sentences = pd.read_csv(sents)
    assert list(sentences.columns[:2]) == ["article_id", "sentence_index"]
    assert isinstance(json.loads(sentences.loc[0, "reasons"]), list)


def test_sentences_file_may_not_be_the_output_or_the_input(tmp_path, src):
    result = invoke("batch", src, "-o", tmp_path / "res.csv", "--sentences", tmp_path / "res.csv")
    assert result.exit_code == 1 and "give the sentences table its own file" in result.output
    result = invoke("batch", src, "-o", tmp_path / "res.csv", "--sentences", src)
    assert result.exit_code == 1 and "is the input file" in result.output


# 2. every input field carried through

def test_keep_fields_in_every_output(tmp_path, src):
    ok(invoke("batch", src, "-o", tmp_path / "o.jsonl", "--no-progress"))
    lines = [json.loads(line) for line in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert [line["fields"]["outlet"] for line in lines] == ["BBC", "AP", "Reuters"]  # error rows too
    assert lines[0]["fields"] == {"outlet": "BBC", "date": "2024-05-01", "title": "Depot", "rank": 3}
    for name in ("res.parquet", "res.csv"):
        ok(invoke("batch", src, "-o", tmp_path / name, "--no-progress"))
        frame = pd.read_parquet(tmp_path / name) if name.endswith("parquet") else pd.read_csv(tmp_path / name)
        assert list(frame["outlet"]) == ["BBC", "AP", "Reuters"]
        assert list(frame["rank"]) == [3, 4, 5]
        # a field named like an output column is prefixed, never mixed into it
        assert list(frame["field_title"]) == ["Depot", "Null", "Bridge"] and frame.loc[0, "title"] != "Depot"
        assert "text" not in frame.columns  # the text is in the sentences table
    ok(invoke("batch", src, "-o", tmp_path / "some.parquet", "--keep-fields", "outlet", "--no-progress"))
    assert list(pd.read_parquet(tmp_path / "some.parquet").columns)[-1:] == ["outlet"]
    ok(invoke("batch", src, "-o", tmp_path / "none.parquet", "--keep-fields", "none", "--no-progress"))
    assert "outlet" not in pd.read_parquet(tmp_path / "none.parquet").columns
    ok(invoke("batch", src, "-o", tmp_path / "none.jsonl", "--keep-fields", "NONE", "--no-progress"))
    assert not any("fields" in json.loads(line) for line in (tmp_path / "none.jsonl").read_text().splitlines())


def test_keep_fields_from_csv_and_parquet_inputs(tmp_path):
    frame = pd.DataFrame({"id": ["x", "y"], "text": [GOOD, OTHER], "outlet": ["BBC", "AP"],
                          "published": pd.to_datetime(["2024-05-01", "2024-05-02"])})
    frame.to_csv(tmp_path / "in.csv", index=False)
    frame.to_parquet(tmp_path / "in.parquet")
    ok(invoke("batch", tmp_path / "in.csv", "-o", tmp_path / "from_csv.parquet", "--no-progress"))
    got = pd.read_parquet(tmp_path / "from_csv.parquet")
    assert list(got["outlet"]) == ["BBC", "AP"] and list(got["published"]) == ["2024-05-01", "2024-05-02"]
    ok(invoke("batch", tmp_path / "in.parquet", "-o", tmp_path / "from_pq.parquet", "--no-progress"))
    got = pd.read_parquet(tmp_path / "from_pq.parquet")
    assert list(got["outlet"]) == ["BBC", "AP"]
    assert pa.types.is_timestamp(pq.read_schema(tmp_path / "from_pq.parquet").field("published").type)
    ok(invoke("batch", tmp_path / "in.parquet", "-o", tmp_path / "from_pq.jsonl", "--no-progress"))
    line = json.loads((tmp_path / "from_pq.jsonl").read_text().splitlines()[0])
    assert line["fields"]["outlet"] == "BBC" and line["fields"]["published"].startswith("2024-05-01")


def test_score_frame_keeps_fields():
    frame = pd.DataFrame({"text": [GOOD, None, OTHER], "outlet": ["BBC", "AP", "Reuters"], "status": [1, 2, 3]},
                         index=[10, 11, 12])
    arts, sents = score_frame(frame)
    assert list(arts["outlet"]) == ["BBC", "AP", "Reuters"]
    assert list(arts["status"]) == ["ok", "error", "ok"] and list(arts["field_status"]) == [1, 2, 3]
    assert isinstance(arts.loc[0, "article_flags"], list) and isinstance(arts.loc[0, "weakest"], list)
    assert "flags" not in arts.columns and "index" not in sents.columns
    assert list(score_frame(frame, keep_fields="none")[0].columns)[-1] == "model_sha256"
    assert list(score_frame(frame, keep_fields=["outlet"])[0].columns)[-1] == "outlet"


def test_dask_shards_keep_fields_and_list_columns(tmp_path, src):
    from scorer.batch.dask import Shard, score_shard

    out = tmp_path / "out"
    for sub in ("articles", "sentences", "_done"):
        (out / sub).mkdir(parents=True)
    score_shard(Shard(0, str(src)), str(out), "parquet", single_file=True, keep="all",
                fields=["outlet", "date", "field_title", "rank"])
    arts = pd.read_parquet(out / "articles")
    assert list(arts["outlet"]) == ["BBC", "AP", "Reuters"] and list(arts["field_title"]) == ["Depot", "Null", "Bridge"]
    assert pq.read_schema(out / "articles" / "part-00000-0000.parquet").field("weakest").type == pa.list_(pa.int64())
