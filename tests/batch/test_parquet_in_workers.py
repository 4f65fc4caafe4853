"""Parquet tables packed in the workers (tables17): each result's articles and sentences columns as byte strings
(`tables.pack_rows`, `pack_columns`), joined by the parent as Arrow buffers (`tables.join_tables`). The table must
equal `arrow_table` of the same rows, and the files written must be byte for byte those written from it."""
import json
import math
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scorer.batch import writers
from scorer.report import tables
from scorer.batch.run import run_batch
from scorer.batch.workers import score_chunk
from scorer.report.tables import (ARTICLE_TYPES, SENTENCE_COLUMNS, SENTENCE_TYPES, arrow_table, article_row,
                                  join_tables, pack_rows, sentence_columns, sentence_rows, table_schema)

ODD = {"integer": [None, 0, -1, 2 ** 63 - 1, -2 ** 63, 2 ** 64, True, 2.0],
       "number": [None, 0.5, -0.0, math.nan, math.inf, 1e300, 3, False],
       "flag": [None, True, False, 1, 0.0]}


def _row(rng, i):
    row = {"article_id": f"a{i}", "sentence_index": i, "start": i, "end": i + 3, "text": rng.choice(["x", "", None]),
           "reasons": rng.choice([[], ["r"], ["a", None]]), "is_headline": rng.choice([True, False]),
           "support": rng.random(), "corroborated_by": rng.choice([None, 2])}
    return {k: v for k, v in row.items() if rng.random() < 0.95}


@pytest.mark.parametrize("run_bytes", [None, 1, 300])
@pytest.mark.parametrize("seed", range(60))
def test_joined_packed_results_equal_arrow_table_of_their_rows(seed, tmp_path, run_bytes, monkeypatch):
    if run_bytes is not None:  # a flush joined in several runs (large articles: int32 offsets), written the same
        monkeypatch.setattr(tables, "RUN_BYTES", run_bytes)
    rng = random.Random(seed)
    results = [[_row(rng, i) for i in range(rng.randint(0, 6))] for _ in range(rng.randint(1, 5))]
    for rows in results:  # now and then an odd value: beyond 64 bits, of another type, NaN
        for row in rows:
            if rng.random() < 0.3:
                column = rng.choice(SENTENCE_COLUMNS)
                kind = SENTENCE_TYPES[column]
                row[column] = rng.choice(ODD.get(kind, [None, "t"]))
    flat = [row for rows in results for row in rows]
    try:
        expected = arrow_table(flat, "sentences")
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError) as exc:
        with pytest.raises(type(exc)):
            join_tables([pack_rows(rows, "sentences") for rows in results], "sentences")
        return
    table = join_tables([pack_rows(rows, "sentences") for rows in results], "sentences")
    _assert_same_parquet(table, expected, tmp_path)

def _assert_same_parquet(table, expected, tmp_path):
    """`table` is `expected`: the same schema and values, and the same bytes written as Parquet."""
    assert table.schema == expected.schema
    assert table.equals(expected) or not expected.equals(expected)  # (a NaN is not equal to itself)
    pq.write_table(expected, tmp_path / "old.parquet")
    pq.write_table(table, tmp_path / "new.parquet")
    assert (tmp_path / "old.parquet").read_bytes() == (tmp_path / "new.parquet").read_bytes()



def test_numbers_are_packed_and_rows_with_other_values_kept_as_rows():
    n, columns = pack_rows([{"sentence_index": 1, "support": 0.5, "is_headline": True, "corroborated_by": None}],
                           "sentences")
    packed = dict(zip(SENTENCE_TYPES, columns))
    assert n == 1
    assert packed["sentence_index"][0] is None  # no value missing
    assert packed["corroborated_by"][0] == b"\x00"  # missing
    rows = [{"start": 2 ** 64}]
    assert pack_rows(rows, "sentences") == rows  # beyond 64 bits: Arrow's own conversion (an error) as before


def _article(rng, i):
    source = {"name": rng.choice(["n", None]), "type": "t", "count": rng.choice([1, None]),
              "sentences": rng.choice([[0, 2], [], None])}
    row = {"id": f"a{i}", "input": "in", "status": "ok", "error": rng.choice([None, "e"]), "n_sentences": 3,
           "support_score": rng.choice([1.5, None]), "article_flags": rng.choice([["f", "g"], [], None]),
           "sources": rng.choice([[source, source], [], None, [None], [{"name": "x"}]]), "weakest": [1],
           "share_named_source": 0.25}
    if rng.random() < 0.1:
        row[rng.choice(list(ARTICLE_TYPES))] = rng.choice([2 ** 64, "t", 1, 2.5, [1], {"a": 1}])
    return {k: v for k, v in row.items() if rng.random() < 0.9}


@pytest.mark.parametrize("seed", range(60))
def test_joined_packed_articles_with_kept_fields_equal_arrow_table(seed, tmp_path):
    rng = random.Random(seed)
    rows = [_article(rng, i) for i in range(rng.randint(1, 6))]
    fields = ["k", "m"]
    for row in rows:
        row.update(k=rng.choice([1, "x", None, 2.5, [1], True]), m=rng.choice([None, 3]))
    try:
        expected = arrow_table(rows, "articles", fields)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError) as exc:
        with pytest.raises(type(exc)):
            join_tables([pack_rows([row], "articles") for row in rows], "articles", fields,
                        [[row.get(c) for c in fields] for row in rows])
        return
    table = join_tables([pack_rows([row], "articles") for row in rows], "articles", fields,
                        [[row.get(c) for c in fields] for row in rows])
    _assert_same_parquet(table, expected, tmp_path)


def test_schema_of_no_rows_as_arrow_table():
    assert join_tables([], "articles", ["k"]).equals(arrow_table([], "articles", ["k"]))
    assert table_schema("articles", ["k"]) == arrow_table([], "articles", ["k"]).schema
    assert table_schema("sentences") == arrow_table([], "sentences").schema


def test_sentence_columns_are_those_of_the_rows(tmp_path):
    src, results = _input(tmp_path)
    results.append({"id": "old", "sentences": [{"index": 0, "reasons": [], "probabilities": {
        k[2:]: 0.25 for k in SENTENCE_COLUMNS if k.startswith("p_")}, "text": "t"}]})  # no spans, no other keys
    for result in results:
        rows = sentence_rows(result)
        assert sentence_columns(result) == {c: [row.get(c) for row in rows] for c in SENTENCE_COLUMNS}


TEXTS = ['"=cmd|\' /C calc\'!A0," the official said. Officials said the plan failed, according to CNN.',
         "What a shameful day! +1 for honesty, @everyone. -5 degrees was the low, the agency reported.",
         "The minister said the report was false. A spokesman told Reuters it was a lie, she said."]


def _input(tmp_path):
    src = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": f"r{i}", "text": t, "k": [3, None, "x"][i]}) for i, t in enumerate(TEXTS)]
    lines.insert(1, json.dumps({"id": "bad", "text": 12, "k": 2.5}))
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from scorer.batch.records import read_records
    from scorer.pipeline import cached_scorer

    return src, score_chunk(cached_scorer(None), list(read_records(src, "text", "id", None, "all")))


def _old_part(results, kind, path, fields=("k",)):
    rows = [article_row(r) for r in results] if kind == "articles" else [s for r in results for s in sentence_rows(r)]
    pq.write_table(arrow_table(rows, kind, list(fields) if kind == "articles" else ()), path)
    return path.read_bytes()


@pytest.mark.parametrize("jobs", [1, 2])
def test_batch_parquet_directory_parts_as_the_old_tables(tmp_path, jobs):
    src, results = _input(tmp_path)
    assert run_batch(src, tmp_path / "out", "parquet", jobs=jobs, keep="all") == (3, 1)
    for kind in ("articles", "sentences"):
        (part,) = (tmp_path / "out" / kind).glob("*.parquet")
        assert part.read_bytes() == _old_part(results, kind, tmp_path / f"{kind}.ref.parquet")


@pytest.mark.parametrize("jobs", [1, 2])
def test_batch_parquet_single_file_resumed_as_the_old_tables(tmp_path, jobs):
    src, results = _input(tmp_path)
    out, sentences = tmp_path / "t.parquet", tmp_path / "s.parquet"
    writer = writers.ParquetFileWriter(out, resume=False, flush_every=2, fields=["k"], sentences=sentences)
    for result in results[:3]:  # a killed run: two parts written, the third result never flushed
        writer.write(result)
    assert len(list((writers.parts_directory(out) / "sentences").glob("*.parquet"))) == 1
    assert run_batch(src, out, "parquet", jobs=jobs, keep="all", resume=True, sentences=sentences) == (2, 0)
    for path, kind in ((out, "articles"), (sentences, "sentences")):
        parts = [tmp_path / f"{kind}{k}.parquet" for k in range(2)]
        for rs, part in zip([results[:2], results[2:]], parts):  # the old tables, a part per flush, merged
            _old_part(rs, kind, part)
        writers.merge_parquet(parts, tmp_path / f"{kind}.ref.parquet", None)
        assert pq.read_table(path).equals(pq.read_table(tmp_path / f"{kind}.ref.parquet"))
        assert path.read_bytes() == (tmp_path / f"{kind}.ref.parquet").read_bytes()
        assert pq.ParquetFile(path).num_row_groups == 2
