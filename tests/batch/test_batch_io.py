"""Batch input and output safety (issue #17): an output never destroys or re-reads the input; a broken CSV
quote costs one record, not the records after it; text UTF-8 cannot encode never costs a record; resume
knows other spellings of the input path; output files honour the umask; CSV cells cannot run as formulas;
outputs that cannot be written are one-line errors."""
import csv
import json
import os
import stat
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.batch.records import Record, read_records
from scorer.batch.writers import canonical_location, escape_formulas, unescape_formula
from scorer.cli import cli
from scorer.errors import InputError

runner = CliRunner()
GOOD = "The council voted 7-2 on Tuesday to close the depot, the mayor said. Officials said it could reopen."
PLAIN = "The mayor said the depot would close. Officials said it could reopen."  # no comma: unquoted in CSV


def invoke(*args):
    return runner.invoke(cli, [str(a) for a in args])


def one_line_error(result, *parts):
    """Exit 1, and the error is one line on standard error starting 'scorer: error:' naming each part."""
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("scorer: error: "), result.stderr
    for part in parts:
        assert part in lines[0], lines[0]
    return lines[0]


def jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def rows(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def snapshot(folder):
    """Every file under `folder` with its bytes, to show that nothing was written or deleted."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# 1. an output that is the input, or would destroy it, is refused before anything is written

def spellings(tmp_path, src):
    """Other names of the input file: the same, ./relative, absolute, a symbolic link, a hard link."""
    (tmp_path / "sym.jsonl").symlink_to(src)
    os.link(src, tmp_path / "hard.jsonl")
    return [src, f"./{src.name}", os.path.abspath(src), "sym.jsonl", tmp_path / "hard.jsonl"]


def test_batch_refuses_to_write_over_its_input(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    src = jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": GOOD}])
    before = src.read_bytes()
    for out in spellings(tmp_path, src):
        one_line_error(invoke("batch", src, "-o", out), str(out), "is the input file")
        assert src.read_bytes() == before
    assert invoke("batch", src, "-o", tmp_path / "new.jsonl").exit_code == 0  # a new file cannot be the input


def test_score_refuses_to_write_over_its_input(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text(GOOD)
    (tmp_path / "sym.txt").symlink_to(src)
    os.link(src, tmp_path / "hard.txt")
    for out in (src, os.path.abspath(src), tmp_path / "sym.txt", tmp_path / "hard.txt"):
        one_line_error(invoke("score", src, "-o", out), str(out), "is the input file")
        assert src.read_text() == GOOD
    assert invoke("score", src, "-o", tmp_path / "report.txt").exit_code == 0


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_table_output_that_holds_the_input_is_refused(tmp_path, fmt):
    out = tmp_path / "tables"
    (out / "articles").mkdir(parents=True)
    src = jsonl(out / "articles" / "in.parquet.jsonl", [{"id": "a", "text": GOOD}])
    shards = out / "sentences"  # a directory of record shards inside the output
    shards.mkdir()
    pd.DataFrame({"id": ["p"], "text": [GOOD]}).to_parquet(shards / "keep.parquet")
    before = snapshot(tmp_path)
    one_line_error(invoke("batch", src, "-o", out, "--format", fmt), str(out), "contains the input")
    one_line_error(invoke("batch", shards, "-o", out, "--format", fmt), str(out), "contains the input")
    one_line_error(invoke("batch", shards, "-o", shards, "--format", fmt), str(shards), "contains the input")
    (tmp_path / "link").symlink_to(out)
    one_line_error(invoke("batch", src, "-o", tmp_path / "link", "--format", fmt), "contains the input")
    assert snapshot(tmp_path) == before  # TableWriter would have deleted the *.parquet files


def test_output_inside_an_input_directory_of_shards_is_refused(tmp_path):
    shards = tmp_path / "shards"
    shards.mkdir()
    jsonl(shards / "a.jsonl", [{"id": "a", "text": GOOD}])
    before = snapshot(tmp_path)
    for out, fmt in ((shards / "out.jsonl", "jsonl"), (shards / "tables", "csv"),
                     (shards / "sub" / "o.jsonl", "jsonl")):
        one_line_error(invoke("batch", shards, "-o", out, "--format", fmt), str(out), "inside the input directory")
    assert snapshot(tmp_path) == before
    articles = tmp_path / "articles"  # beside articles, record files are not read: allowed, as before
    articles.mkdir()
    (articles / "one.txt").write_text(GOOD)
    assert invoke("batch", articles, "-o", articles / "out.jsonl").exit_code == 0
    one_line_error(invoke("batch", articles, "-o", articles / "out.txt", "--format", "jsonl"), "named like an article")


def test_dask_output_that_holds_the_input_is_refused(tmp_path):
    from scorer.batch.dask import run_dask_batch

    src = jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": GOOD}])
    with pytest.raises(InputError, match="contains the input"):
        run_dask_batch(src, tmp_path, fmt="jsonl")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


# 2. a broken CSV quote costs its own record only

def write_csv(path, text):
    path.write_bytes(text.encode("utf-8"))
    return path


@pytest.mark.parametrize("after", ["plain", "quoted"])
def test_unterminated_quote_costs_only_its_record(tmp_path, after):
    """Record 2 of 5 lost its closing quote; the records after it are plain, or quoted (the next opening
    quote would close the broken field, which used to swallow a record silently)."""
    q = '"' if after == "quoted" else ""
    src = write_csv(tmp_path / "in.csv", f'id,text\nr1,{PLAIN}\nr2,"The mayor said the depot\nr3,{q}{PLAIN}{q}\n'
                                         f'r4,"Officials said:\n""it could reopen."""\nr5,{q}{PLAIN}{q}\n')
    out = tmp_path / "out.jsonl"
    result = invoke("batch", src, "-o", out)
    assert result.exit_code == 0, result.output
    got = rows(out)
    assert [r["id"] for r in got] == ["r1", "r2", "r3", "r4", "r5"]
    assert [r["status"] for r in got] == ["ok", "error", "ok", "ok", "ok"]
    assert [r["input"] for r in got] == [f"{src}:{n}" for n in (2, 3, 4, 5, 7)]
    assert got[1]["error"] == (f"{src}:3: malformed CSV row (unterminated quoted field: a quote opened in this "
                               "record is not closed at the end of a field); line 3 skipped, reading resumes at line 4")
    assert got[3]["sentences"][0]["text"] == "Officials said:"
    assert "r3" not in json.dumps(got[1]) and got[2]["article"]["n_sentences"] == 2


def test_unterminated_quote_over_several_lines_and_at_the_end(tmp_path):
    src = write_csv(tmp_path / "in.csv", f'id,text\na,"First paragraph.\n\nSecond one ""quoted"" here\n'
                                         f'b,{PLAIN}\nc,"{GOOD}\nd,"never closed\nlast line')
    records = list(read_records(src))
    assert [(r.id, r.where, r.error is None) for r in records] == [
        ("a", f"{src}:2", False), ("b", f"{src}:5", True), ("c", f"{src}:6", False), ("d", f"{src}:7", False)]
    assert records[0].error.endswith("lines 2-4 skipped, reading resumes at line 5")
    assert records[2].error.endswith("line 6 skipped, reading resumes at line 7")  # another broken record
    assert records[3].error.endswith("lines 7-8 skipped, no complete record after it")
    assert records[1].text == PLAIN


def test_multiline_record_over_the_limit_is_one_error_row(tmp_path):
    long_text = "\n".join(["A line of the article, said the mayor."] * 50)
    src = write_csv(tmp_path / "in.csv", f'id,text\nbig,"{long_text}"\nnext,"{GOOD}"\n')
    records = list(read_records(src, max_bytes=500))
    assert [r.id for r in records] == ["big", "next"]
    assert records[0].error == f"{src}:2: record is over the 500-byte limit (raise it with --max-bytes, 0 for no limit)"
    assert records[1].text == GOOD and records[1].where == f"{src}:52"
    assert [r.text for r in read_records(src, max_bytes=0)] == [long_text, GOOD]


def test_broken_csv_header_is_one_line_error(tmp_path):
    src = write_csv(tmp_path / "in.csv", f'id,"text\na,{GOOD}\n')
    one_line_error(invoke("batch", src, "-o", tmp_path / "o.jsonl"), f"{src}:1: malformed CSV header")


CELL = st.lists(st.sampled_from(["a", "B", " ", '"', ",", "\n", "\r\n", '""', "é", "\t", "x,y", "'"]), max_size=10)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.text("abc-=", min_size=1, max_size=4), CELL.map("".join)), min_size=1, max_size=6),
       st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
def test_well_formed_csv_reads_exactly_as_written(tmp_path_factory, table, quoting):
    """Whatever csv.writer writes (quotes, commas, newlines inside fields) reads back field for field:
    the unterminated-quote rule never fires on a well-formed file."""
    path = tmp_path_factory.mktemp("csv") / "in.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, quoting=quoting)
        writer.writerow(["text", "id"])  # id after the text, so a broken text could not hide in it
        writer.writerows([(text, f"{n}{key}") for n, (key, text) in enumerate(table)])
    records = list(read_records(path, max_bytes=0))
    assert [(r.id, r.text) for r in records] == [(f"{n}{key}", text) for n, (key, text) in enumerate(table)]


# 3. text that UTF-8 cannot encode never costs a record

def test_lone_surrogates_are_replaced_and_the_record_scored(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"id": "a", "text": "bad \\ud800 text. The mayor said the depot would close."}\n'
                    b'{"id": "b\\udfff", "text": "The mayor said it. \\ud83d\\ude00 A pair is kept."}\n'
                    b'{"id": "c", "text": "encoded \xed\xa0\x80 surrogate, the mayor said."}\n'
                    b'{"id": "d", "text": "caf\xe9 owners said prices rose."}\n'
                    + json.dumps({"id": "e", "text": GOOD}).encode() + b"\n")
    out = tmp_path / "out.jsonl"
    result = invoke("batch", src, "-o", out, "--jobs", "2")
    assert result.exit_code == 0, result.output
    got = rows(out)  # the file is valid UTF-8 JSON throughout
    assert [r["id"] for r in got] == ["a", "b\ufffd", "c", "line-4", "e"]
    assert [r["status"] for r in got] == ["ok", "ok", "ok", "error", "ok"]
    assert got[0]["sentences"][0]["text"] == "bad \ufffd text."
    assert "\U0001F600" in json.dumps(got[1], ensure_ascii=False)  # a valid pair is one emoji, untouched
    assert got[2]["sentences"][0]["text"] == "encoded \ufffd surrogate, the mayor said."
    assert got[3]["error"] == f"{src}:4: not UTF-8 text (byte 0xe9)"


def test_csv_and_parquet_surrogates_and_bad_bytes(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = tmp_path / "in.csv"
    src.write_bytes(b"id,text\nx\xed\xa0\x80,The mayor said so.\nbad,caf\xe9\nok,The mayor said it.\n")
    assert [(r.id, r.text, r.error) for r in read_records(src)] == [
        ("x\ufffd", "The mayor said so.", None), ("bad", None, f"{src}:3: not UTF-8 text"),
        ("ok", "The mayor said it.", None)]
    texts = pa.array([b"The mayor \xed\xa0\x80 said so.", b"caf\xe9", b"The mayor said it."]).view(pa.string())
    par = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ["p", "q", "r"], "text": texts}), par)  # Arrow does not check UTF-8
    assert [(r.id, r.text, r.error) for r in read_records(par)] == [
        ("p", "The mayor \ufffd said so.", None), ("q", None, f"{par}:2: not UTF-8 text"),
        ("r", "The mayor said it.", None)]


def test_record_replaces_lone_surrogates_everywhere():
    record = Record("i\ud800", "f\udc80:1", text="t\udfff")
    assert (record.id, record.where, record.text) == ("i\ufffd", "f\ufffd:1", "t\ufffd")
    assert Record("a", "b", text="\U0001F600").text == "\U0001F600"


# 4. resume with another spelling of the same input

def test_resume_knows_other_spellings_of_the_input(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    src = jsonl(tmp_path / "in.jsonl", [{"id": f"r{i}", "text": GOOD} for i in range(4)])
    (tmp_path / "sym.jsonl").symlink_to(src)
    out = tmp_path / "out.jsonl"
    assert invoke("batch", "in.jsonl", "-o", out).exit_code == 0
    lines = out.read_text().splitlines(keepends=True)
    out.write_text("".join(lines[:2]))  # a run that stopped half-way
    for spelling in (str(src), "./in.jsonl", "sym.jsonl", "../" + tmp_path.name + "/in.jsonl"):
        result = invoke("batch", spelling, "-o", out, "--resume")
        assert result.exit_code == 0, result.output
        got = rows(out)
        assert [r["id"] for r in got] == ["r0", "r1", "r2", "r3"], spelling  # each record exactly once
        assert [r["input"] for r in got[:2]] == ["in.jsonl:1", "in.jsonl:2"]  # as each run spelled it
        out.write_text("".join(lines[:2]))
    assert invoke("batch", str(src), "-o", out, "--resume").exit_code == 0
    assert [r["input"] for r in rows(out)][2:] == [f"{src}:3", f"{src}:4"]


def test_resume_of_a_directory_keeps_links_inside_it_apart(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    d = tmp_path / "articles"
    d.mkdir()
    (d / "a.txt").write_text(GOOD)
    (d / "b.txt").symlink_to(d / "a.txt")  # a record of its own
    (tmp_path / "dirlink").symlink_to(d)
    out = tmp_path / "out.jsonl"
    assert invoke("batch", "articles", "-o", out).exit_code == 0
    out.write_text(out.read_text().splitlines(keepends=True)[0])  # only a.txt done
    assert invoke("batch", "dirlink", "-o", out, "--resume").exit_code == 0
    assert [(r["id"], r["input"]) for r in rows(out)] == [("a", "articles/a.txt"), ("b", "dirlink/b.txt")]


def test_canonical_location():
    assert canonical_location("x.jsonl:12") == os.path.realpath("x.jsonl") + ":12"
    assert canonical_location("./x.jsonl:12") == canonical_location(os.path.abspath("x.jsonl") + ":12")
    assert canonical_location("dir/a.txt", whole_file=False) == os.path.join(os.path.realpath("dir"), "a.txt")
    assert canonical_location("c:/odd:name") == os.path.realpath("c:/odd:name")  # no line number


def test_dask_resume_marker_knows_other_spellings(tmp_path, monkeypatch):
    from scorer.batch.dask import _finished, plan_shards

    monkeypatch.chdir(tmp_path)
    src = jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": GOOD}])
    (tmp_path / "_done").mkdir()
    shard = plan_shards("in.jsonl")[0]
    marker = {"shard": 0, "input": shard.describe(), "real": shard.canonical(), "ok": 1, "errors": 0}
    (tmp_path / "_done" / "00000.json").write_text(json.dumps(marker))
    assert _finished(tmp_path, plan_shards(str(src))) == {0: marker}
    with pytest.raises(InputError, match="input changed"):
        other = jsonl(tmp_path / "other.jsonl", [{"id": "a", "text": GOOD}])
        _finished(tmp_path, plan_shards(str(other)))


# 5. outputs that cannot be written

def test_output_that_cannot_be_written_is_a_one_line_error(tmp_path, example_path):
    src = jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": GOOD}])
    folder = tmp_path / "folder"
    folder.mkdir()
    afile = tmp_path / "afile"
    afile.write_text("x")
    one_line_error(invoke("score", example_path, "-o", folder), f"{folder}: is a directory")
    one_line_error(invoke("batch", src, "-o", folder, "--format", "jsonl"), f"{folder}: is a directory")
    one_line_error(invoke("batch", src, "-o", afile, "--format", "csv"), f"{afile}: is a file")
    for out in (afile / "r.txt", afile / "deeper" / "r.txt"):
        one_line_error(invoke("score", example_path, "-o", out), f"{out}: cannot write ({afile} is a file")
    one_line_error(invoke("batch", src, "-o", afile / "o.jsonl"), f"{afile / 'o.jsonl'}: cannot write")
    one_line_error(invoke("batch", src, "-o", afile / "t", "--format", "parquet"), f"{afile / 't'}: cannot write")
    assert sorted(p.name for p in folder.iterdir()) == [] and afile.read_text() == "x"


def test_permission_denied_is_a_one_line_error(tmp_path, example_path, monkeypatch):
    import scorer.atomic

    def refuse(path):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(scorer.atomic, "_create_temp", refuse)
    out = tmp_path / "r.txt"
    one_line_error(invoke("score", example_path, "-o", out), f"{out}: cannot write (Permission denied)")
    src = jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": GOOD}])
    real_open = Path.open
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: refuse(self) if self.name == "o.jsonl"
                        else real_open(self, *a, **k))
    one_line_error(invoke("batch", src, "-o", tmp_path / "o.jsonl"), "o.jsonl: cannot write (Permission denied)")


# 6. output files honour the umask

def modes(folder):
    return {str(p.relative_to(folder)): stat.S_IMODE(p.stat().st_mode) for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_output_files_honour_the_umask(tmp_path, example_path, umask, mode):
    src = jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": GOOD}])
    (tmp_path / "out").mkdir()  # an output's directory is never created (issue #22)
    old = os.umask(umask)
    try:
        assert invoke("score", example_path, "-o", tmp_path / "out" / "r.txt").exit_code == 0
        assert invoke("batch", src, "-o", tmp_path / "out" / "o.jsonl").exit_code == 0
        assert invoke("batch", src, "-o", tmp_path / "out" / "csv", "--format", "csv").exit_code == 0
        assert invoke("batch", src, "-o", tmp_path / "out" / "pq", "--format", "parquet").exit_code == 0
    finally:
        os.umask(old)
    found = modes(tmp_path / "out")
    assert set(found) == {"r.txt", "o.jsonl", "csv/articles.csv", "csv/sentences.csv", "csv/.committed.json",
                          "pq/articles/part-0000-00000.parquet", "pq/sentences/part-0000-00000.parquet"}
    assert set(found.values()) == {mode}, found


def test_a_replaced_output_keeps_its_mode(tmp_path, example_path):
    out = tmp_path / "r.txt"
    out.write_text("old")
    out.chmod(0o640)
    old = os.umask(0o077)
    try:
        assert invoke("score", example_path, "-o", out).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640 and out.read_text() != "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.txt"]  # no temporary file left


# 7. CSV cells cannot run as formulas

FORMULAS = [{"id": '=HYPERLINK("http://example.com","x")', "text": "=1+2 " + GOOD},
            {"id": "-5", "text": GOOD}, {"id": "@me", "text": "- a bullet point. " + GOOD},
            {"id": "+1.5e3", "text": GOOD}, {"id": "\tt", "text": GOOD}]


def test_csv_output_escapes_formula_cells(tmp_path):
    src = jsonl(tmp_path / "in.jsonl", FORMULAS)
    assert invoke("batch", src, "-o", tmp_path / "csv", "--format", "csv").exit_code == 0
    arts = pd.read_csv(tmp_path / "csv" / "articles.csv", dtype=str, keep_default_na=False)
    assert list(arts["id"]) == ["'" + FORMULAS[0]["id"], "-5", "'@me", "+1.5e3", "'\tt"]  # numbers stay numbers
    sents = pd.read_csv(tmp_path / "csv" / "sentences.csv", dtype=str, keep_default_na=False)
    assert sents["text"].tolist()[:1] == ["'=1+2 The council voted 7-2 on Tuesday to close the depot, the mayor said."]
    assert "'- a bullet point." in sents["text"].tolist()
    assert not any(v and v[0] in "=+-@\t\r" and v not in ("-5", "+1.5e3")
                   for column in arts.columns for v in arts[column])
    assert invoke("batch", src, "-o", tmp_path / "csv", "--format", "csv", "--resume").exit_code == 0
    assert len(pd.read_csv(tmp_path / "csv" / "articles.csv")) == 5  # escaped ids are recognised as done


def test_csv_raw_and_other_formats_are_not_escaped(tmp_path):
    src = jsonl(tmp_path / "in.jsonl", FORMULAS)
    assert invoke("batch", src, "-o", tmp_path / "raw", "--format", "csv", "--csv-raw").exit_code == 0
    raw = pd.read_csv(tmp_path / "raw" / "articles.csv", dtype=str, keep_default_na=False)
    assert list(raw["id"]) == [r["id"] for r in FORMULAS]
    assert invoke("batch", src, "-o", tmp_path / "pq", "--format", "parquet").exit_code == 0
    assert list(pd.read_parquet(tmp_path / "pq" / "articles")["id"]) == [r["id"] for r in FORMULAS]
    assert invoke("batch", src, "-o", tmp_path / "o.jsonl").exit_code == 0
    assert [r["id"] for r in rows(tmp_path / "o.jsonl")] == [r["id"] for r in FORMULAS]


def test_escape_formulas_unit():
    frame = pd.DataFrame({"s": ["=x", "-5", "-x", "@", "\rx", "plain", None, "'=y"], "n": [-1.0] * 8,
                          "t": pd.array(["+a", None, "b", "", "=", "-", "1", "2"], dtype="string")})
    escaped = escape_formulas(frame)
    assert escaped["s"].tolist()[:6] + escaped["s"].tolist()[7:] == ["'=x", "-5", "'-x", "'@", "'\rx", "plain", "'=y"]
    assert pd.isna(escaped["s"][6]) and escaped["s"].dtype == frame["s"].dtype
    assert escaped["n"].tolist() == [-1.0] * 8
    assert escaped["t"].tolist()[:1] == ["'+a"] and escaped["t"].tolist()[4:6] == ["'=", "'-"]
    assert frame["s"].tolist()[0] == "=x"  # the frame itself is not changed
    assert [unescape_formula(v) for v in escaped["s"] if isinstance(v, str)] == ["=x", "-5", "-x", "@", "\rx", "plain",
                                                                                 "=y"]


def test_dask_csv_shards_are_escaped(tmp_path):
    from scorer.batch.dask import Shard, score_shard

    src = jsonl(tmp_path / "in.jsonl", FORMULAS[:1])
    out = tmp_path / "out"
    for sub in ("articles", "sentences", "_done"):
        (out / sub).mkdir(parents=True)
    score_shard(Shard(0, str(src)), str(out), "csv", single_file=True)
    assert pd.read_csv(out / "articles" / "part-00000-0000.csv")["id"].tolist() == ["'" + FORMULAS[0]["id"]]
    score_shard(Shard(0, str(src)), str(out), "csv", single_file=True, csv_escape=False)
    assert pd.read_csv(out / "articles" / "part-00000-0000.csv")["id"].tolist() == [FORMULAS[0]["id"]]
