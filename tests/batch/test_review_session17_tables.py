"""Review of session 17's tables17 (CSV and Parquet tables encoded in the workers), its faults as tests: a lone
carriage return in a cell broke the re-typing of a flush's CSV rows (the run crashed, or a forged row was written);
integers outside int64 mixed with missing values were written as floats where pandas writes an object column; a
malformed packed Parquet piece passed `join_tables`' validation. Each compares with what pandas / `arrow_table` write
from the rows (main's way)."""
import copy
from array import array
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from scorer.batch.writers import TableWriter, escape_formulas
from scorer.pipeline import cached_scorer
from scorer.report import tables
from scorer.report.tables import (arrow_table, article_row, csv_frame, join_tables, pack_columns, pack_rows,
                                  sentence_columns, sentence_rows)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "iran-bounties-commune.txt"


@pytest.fixture(scope="module")
def OK():
    """A scored result (the example article) as a batch worker has it."""
    report = cached_scorer().score(EXAMPLE.read_text(encoding="utf-8"), "0-0")
    return dict(report.to_dict(), id="0-0", input="in.jsonl:1", status="ok")


def error_result(i, fields):
    return {"id": f"r{i}", "input": None, "status": "error", "error": "bad", "fields": fields}


def pandas_csv(results, fields, kind="articles"):
    """What main writes: the flush's rows through pandas (csv_frame, escape_formulas, to_csv)."""
    if kind == "articles":
        frame = csv_frame([article_row(r) for r in results], "articles", fields)
    else:
        frame = csv_frame([row for r in results for row in sentence_rows(r)], "sentences")
    return escape_formulas(frame).to_csv(index=False)


def written(tmp_path, results, fields, flush_every=200):
    writer = TableWriter(tmp_path / "out", "csv", False, flush_every, True, fields=fields)
    for r in results:
        writer.write(r)
    writer.close()
    return tuple(open(tmp_path / "out" / name, encoding="utf-8", newline="").read()
                 for name in ("articles.csv", "sentences.csv"))


@pytest.mark.parametrize("note", ["a\rb", "\r5", "x\r1,2"])
def test_bare_cr_in_kept_text_with_int_field_missing_once(tmp_path, note):
    # a kept integer field missing in one record of the flush (pandas: a float column, 3.0) makes join_csv
    # re-read the other results' CSV with csv.reader, which splits an unquoted bare CR into two rows
    results = [error_result(0, {"n": 3, "note": note}), error_result(1, {"note": "ok"})]
    articles, _ = written(tmp_path, results, ["n", "note"])  # branch: IndexError or a changed row
    assert articles == pandas_csv(results, ["n", "note"])


def test_bare_cr_in_sentence_text_with_corroborated_retyped(tmp_path, OK):
    a = copy.deepcopy(OK)
    a["id"] = "a"
    for s in a["sentences"]:
        s["corroborated_by"] = 1  # all integers: this result writes them as 1
    a["sentences"][0]["text"] = "first\rsecond"
    b = copy.deepcopy(OK)
    b["id"] = "b"  # has missing corroborated_by: the flush's column is float, a's are re-typed
    _, sentences = written(tmp_path, [a, b], [])
    assert sentences == pandas_csv([a, b], [], "sentences")


@pytest.mark.parametrize("values", [[-1, 2 ** 63, None], [-(2 ** 53) - 1, 2 ** 64 - 1, None], [-5, 2 ** 63, 1.5],
                                    [-(2 ** 63), 2 ** 63, None]])
def test_int64_and_uint64_mixed_with_missing(tmp_path, values):
    # pandas: neither int64 nor uint64 holds them: an object column, integers written as integers
    results = [error_result(i, {"n": v} if v is not None else {}) for i, v in enumerate(values)]
    articles, _ = written(tmp_path, results, ["n"])
    assert articles == pandas_csv(results, ["n"])


def ok_result(OK, i, fields):
    r = copy.deepcopy(OK)
    r["id"], r["fields"] = f"ok{i}", fields
    return r


def test_error_row_in_flush_and_bare_cr_in_kept_field(tmp_path, OK):
    # an error row makes n_sentences a float column in the flush, so every ok row is re-read (_retype)
    results = [ok_result(OK, 0, {"note": "line one\rline two"}), error_result(1, {"note": "plain"})]
    articles, _ = written(tmp_path, results, ["note"])  # branch: IndexError in the parent, run lost
    assert articles == pandas_csv(results, ["note"])


def test_bare_cr_in_kept_field_forges_a_row(tmp_path, OK):
    # with enough columns after the CR no IndexError: the CR is written back as a row break (LF), a new row
    fields = {"note": "x\r7", **{f"z{j}": f"v{j}" for j in range(8)}}
    results = [ok_result(OK, 0, fields), error_result(1, {})]
    articles, _ = written(tmp_path, results, list(fields))
    assert articles == pandas_csv(results, list(fields))
    assert "\n7,v0," not in articles


def results(OK):
    out = []
    for i in range(6):
        r = copy.deepcopy(OK)
        r["id"] = f"r{i}\x00é"
        r["sentences"] = r["sentences"][: i * 3]
        if r["sentences"]:
            r["sentences"][0]["reasons"] = []
            r["sentences"][0]["text"] = "nul\x00 \u2028 😀"
        r["summary"]["sources"] = [] if i % 2 else r["summary"]["sources"]
        out.append(r)
    return out


def write(table, path):
    pq.write_table(table, path)
    return path.read_bytes()


@pytest.mark.parametrize("run_bytes", [1, 200, 5000, 1 << 30])
def test_run_bytes_split_same_file(tmp_path, monkeypatch, run_bytes, OK):
    monkeypatch.setattr(tables, "RUN_BYTES", run_bytes)
    rs = results(OK)
    pieces = [pack_columns(sentence_columns(r), len(r.get("sentences", [])), "sentences") for r in rs]
    a = write(join_tables(pieces, "sentences"), tmp_path / "a.parquet")
    b = write(arrow_table([row for r in rs for row in sentence_rows(r)], "sentences"), tmp_path / "b.parquet")
    assert a == b
    pieces = [pack_rows([article_row(r)], "articles") for r in rs]
    a = write(join_tables(pieces, "articles"), tmp_path / "c.parquet")
    b = write(arrow_table([article_row(r) for r in rs], "articles"), tmp_path / "d.parquet")
    assert a == b


def test_malformed_piece_rejected(OK):
    # a piece whose text lengths do not add up to its UTF-8 (a worker bug) must not make a table
    rs = results(OK)[1:3]
    pieces = [pack_columns(sentence_columns(r), len(r["sentences"]), "sentences") for r in rs]
    count, columns = pieces[0]
    k = list(tables.SENTENCE_TYPES).index("text")
    present, lengths, data = columns[k]
    ls = array("i", lengths)
    ls[0] -= 1; ls[1] += 1  # same total: the texts' boundaries moved
    columns[k] = (present, ls.tobytes(), data)
    with pytest.raises(Exception):
        join_tables(pieces, "sentences").validate(full=True)
    with pytest.raises(Exception):
        join_tables(pieces, "sentences")


def test_piece_with_wrong_count_rejected(OK):
    rs = results(OK)[1:3]
    pieces = [pack_columns(sentence_columns(r), len(r["sentences"]), "sentences") for r in rs]
    count, columns = pieces[0]
    pieces[0] = (count + 1, columns)  # claims a row more than its columns hold
    with pytest.raises(Exception):
        join_tables(pieces, "sentences")
