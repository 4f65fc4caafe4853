"""CSV tables encoded in the workers (tables17): each result's articles and sentences rows as CSV text with their cells'
types (`writers.csv_rows`), joined by the parent (`writers.join_csv`) with the columns' types of the whole flush.
What is written must be byte for byte what the old parent wrote: `csv_frame` of the flush's rows, reindexed to the
file's header, `escape_formulas`, `to_csv`. The reference here is built that way from the same results."""
import json
import math
import random

import pytest

from scorer.batch import writers
from scorer.batch.run import run_batch
from scorer.batch.workers import score_chunk
from scorer.report.tables import (ARTICLE_COLUMNS, SENTENCE_COLUMNS, SPAN_COLUMNS, article_row, csv_frame,
                                  csv_article_cells, csv_sentence_cells, sentence_rows)


def _old_csv(rows, kind, fields=(), header=None, escape=True, with_header=True):
    frame = csv_frame(rows, kind, list(fields))
    if header is not None:
        frame = frame.reindex(columns=header)
    frame = writers.escape_formulas(frame) if escape else frame
    return frame.to_csv(index=False, header=with_header)


def _csv_rows(rows, columns, escape=True, integers=()):
    names = {name for row in rows for name in row}
    return writers.csv_rows({name: [row.get(name) for row in rows] for name in names}, len(rows), columns, escape,
                            integers)


VALUES = [None, True, False, 0, 3, -7, 2 ** 53 + 1, 2 ** 62, 2 ** 70, 2.5, 3.0, -0.1, 1e-05, 1e16, math.nan, math.inf,
          "x", "-5", "=cmd", "+1 a", "@x", "\tt", "a,b", 'q"q', "line\nbreak", "", [1, "=a"], {"k": None}]


def _article(i, fields):
    row = {"id": f"a{i}", "input": f"in:{i}", "status": "ok", "error": None, "title": "T", "n_sentences": i,
           "n_skipped": 0, "support_score": 50.5, "article_flags": ["f"], "sources": [], "weakest": [1],
           "model_sha256": "s"}
    row.update(fields)
    return row


@pytest.mark.parametrize("seed", range(40))
def test_articles_with_kept_fields_of_mixed_types_as_the_old_frame(seed):
    rng = random.Random(seed)
    pools = {name: rng.sample(VALUES, rng.randint(1, 4)) for name in ("k1", "k2", "status_", "k4")}
    rows = []
    for i in range(rng.randint(1, 12)):
        row = _article(i, {name: rng.choice(pool) for name, pool in pools.items() if rng.random() < 0.8})
        if rng.random() < 0.2:  # an error row: no counts, so n_sentences is a float column in the flush
            row = {"id": f"e{i}", "input": f"in:{i}", "status": "error", "error": "=bad"}
        rows.append(row)
    fields = list(pools)
    columns = ARTICLE_COLUMNS + fields
    for escape in (True, False):
        parts = [_csv_rows([csv_article_cells(row)], columns, escape) for row in rows]
        old = _old_csv(rows, "articles", fields, escape=escape, with_header=False)
        assert writers.join_csv(parts, columns) == old
        header = list(reversed(columns[:5])) + ["gone"] + columns[5:]  # a resumed file's own header
        parts = [_csv_rows([csv_article_cells(row)], header, escape) for row in rows]
        assert writers.join_csv(parts, header) == _old_csv(rows, "articles", fields, header, escape, False)


@pytest.fixture(scope="module")
def results():
    from scorer.batch.records import Record

    texts = ['"=cmd|\' /C calc\'!A0," the official said. Officials said the plan failed, according to CNN.',
             "What a shameful day! +1 for honesty, @everyone. -5 degrees was the low, the agency reported.",
             "The minister said the report was false. A spokesman told Reuters it was a lie, she said."]
    records = [Record(id=f"r{i}", text=t, where=f"in:{i}", fields={"k": [3, None, "=x"][i]}) for i, t in
               enumerate(texts)]
    records.append(Record(id="bad", text="", where="in:9", error="no text", fields={"k": 2.5}))
    from scorer.pipeline import cached_scorer

    return score_chunk(cached_scorer(None), records)


def test_sentences_as_the_old_frame_with_a_column_typed_by_the_flush(results):
    rows = [sentence_rows(r) for r in results]
    assert sum(map(len, rows)) > 3
    # corroborated_by: all integers in one result, missing in another -> floats in the flush (3.0), not in the one
    rows[0][0]["corroborated_by"], rows[1][0]["corroborated_by"] = 4, None
    for r in rows[0]:
        r["corroborated_by"] = r["corroborated_by"] or 1
    for header in (SENTENCE_COLUMNS, SENTENCE_COLUMNS[::-1] + ["extra"]):
        parts = [_csv_rows([csv_sentence_cells(r) for r in rs], header, True, SPAN_COLUMNS)
                 for rs in rows]
        flat = [r for rs in rows for r in rs]
        assert writers.join_csv(parts, header, SPAN_COLUMNS) == _old_csv(flat, "sentences", header=header,
                                                                          with_header=False)
        for one in rows:  # each alone too
            part = _csv_rows([csv_sentence_cells(r) for r in one], header, True, SPAN_COLUMNS)
            assert writers.join_csv([part], header, SPAN_COLUMNS) == (
                _old_csv(one, "sentences", header=header, with_header=False) if one else "")


def _write(writer, results):
    for result in results:
        writer.write_encoded(writer.encode(result))


@pytest.mark.parametrize("flush_every", [1, 2, 200])
def test_table_writer_resumed_after_a_partial_run_as_the_old_frames(tmp_path, results, flush_every):
    fields = ["k"]
    writer = writers.TableWriter(tmp_path / "out", "csv", resume=False, flush_every=flush_every, fields=fields)
    _write(writer, results[:2])
    writer.flush()
    with (tmp_path / "out" / "sentences.csv").open("a") as fh:  # a killed run's uncommitted half row
        fh.write("half,a row")
    writer = writers.TableWriter(tmp_path / "out", "csv", resume=True, flush_every=flush_every, fields=fields)
    _write(writer, results[2:])
    writer.close()
    flushes = [results[:2][i:i + flush_every] for i in range(0, 2, flush_every)] + \
        [results[2:][i:i + flush_every] for i in range(0, len(results) - 2, flush_every)]
    for kind, rows_of in (("articles", lambda rs: [article_row(r) for r in rs]),
                          ("sentences", lambda rs: [s for r in rs for s in sentence_rows(r)])):
        expected = "".join(_old_csv(rows_of(rs), kind, fields if kind == "articles" else (),
                                    with_header=k == 0) for k, rs in enumerate(flushes))
        assert (tmp_path / "out" / f"{kind}.csv").read_text(encoding="utf-8") == expected


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("single", [False, True])
def test_batch_csv_as_the_old_frames(tmp_path, results, jobs, single):
    src = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": r["id"], "text": t, "k": k}) for r, t, k in zip(results, [
        '"=cmd|\' /C calc\'!A0," the official said. Officials said the plan failed, according to CNN.',
        "What a shameful day! +1 for honesty, @everyone. -5 degrees was the low, the agency reported.",
        "The minister said the report was false. A spokesman told Reuters it was a lie, she said."], [3, None, "=x"])]
    lines.append(json.dumps({"id": "bad", "text": 12, "k": 2.5}))
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / ("t.csv" if single else "t")
    sentences = tmp_path / "s.csv" if single else None
    ok, errors = run_batch(src, out, "csv", jobs=jobs, keep="all", sentences=sentences)
    assert (ok, errors) == (3, 1)
    from scorer.batch.records import read_records
    from scorer.pipeline import cached_scorer

    again = score_chunk(cached_scorer(None), list(read_records(src, "text", "id", None, "all")))
    articles = out if single else out / "articles.csv"
    sentences = sentences if single else out / "sentences.csv"
    assert articles.read_text(encoding="utf-8") == _old_csv([article_row(r) for r in again], "articles", ["k"])
    assert sentences.read_text(encoding="utf-8") == _old_csv([s for r in again for s in sentence_rows(r)],
                                                             "sentences")


def test_kept_timestamps_written_by_pandas_as_before(tmp_path, results):
    """Values of other types than None, bool, int, float and str (a timestamp from a Parquet input): pandas writes a
    column of midnight timestamps as dates, which the rows' own text (str) does not; such a flush is written from the
    rows by pandas, as before."""
    import datetime

    stamped = [dict(r, fields={"when": None if k == 1 else datetime.datetime(2020, 1, k + 1)})
               for k, r in enumerate(results)]
    parts = [writers.encode_csv_tables(r, (tuple(ARTICLE_COLUMNS + ["when"]), None))[1] for r in stamped]
    old = _old_csv([article_row(r) for r in stamped], "articles", ["when"], with_header=False)
    assert writers.has_other_values(parts, len(ARTICLE_COLUMNS) + 1)
    assert writers.join_csv(parts, ARTICLE_COLUMNS + ["when"]) != old  # 2020-01-01 00:00:00 against 2020-01-01
    writer = writers.TableWriter(tmp_path / "out", "csv", resume=False, fields=["when"])
    _write(writer, stamped)
    writer.close()
    assert (tmp_path / "out" / "articles.csv").read_text(encoding="utf-8") == _old_csv(
        [article_row(r) for r in stamped], "articles", ["when"])
    assert (tmp_path / "out" / "sentences.csv").read_text(encoding="utf-8") == _old_csv(
        [s for r in stamped for s in sentence_rows(r)], "sentences")
