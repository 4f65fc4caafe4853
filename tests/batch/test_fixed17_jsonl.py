"""fixed17 (session 17): a JSONL batch run's workers hand the parent one item per chunk, (the records' statuses, the
chunk's lines as UTF-8 bytes: `writers.join_jsonl`), which the parent writes in one write, instead of a str per
record that it decoded from the pipe and encoded again to write line by line. The same bytes in the file."""
from __future__ import annotations

import json

import pytest

from scorer.batch import writers
from scorer.batch.run import run_batch
from scorer.batch.workers import MODEL_BATCH, score_record_chunk
from scorer.batch.records import Record
from scorer.batch.writers import JsonlWriter, encode_jsonl, encode_jsonl_bytes, join_jsonl

GOOD = "The council voted 7-2 on Tuesday to close the depot, the mayor said. Officials said it could reopen."


def records(n: int) -> list[Record]:
    return [Record(f"r{i}", f"in:{i + 1}", text=GOOD if i % 3 else "") for i in range(n)]


def test_a_chunk_is_one_item_of_its_statuses_and_its_lines_as_bytes():
    chunk = records(5)
    per_record = score_record_chunk(chunk, encode=encode_jsonl)
    joined = score_record_chunk(chunk, encode=JsonlWriter.encode, join=JsonlWriter.join)
    assert len(joined) == 1
    statuses, data = joined[0]
    assert statuses == tuple(status for status, _ in per_record) and "error" in statuses and "ok" in statuses
    assert type(data) is bytes and data == "".join(line for _, line in per_record).encode("utf-8")
    assert join_jsonl([]) == []


@pytest.mark.parametrize("orjson", [True, False])
def test_a_lines_bytes_are_its_texts_utf8(monkeypatch, orjson):
    from scorer.report import report

    if not orjson:
        monkeypatch.setattr(report, "_fast", None)  # the standard library's writer
    rows = [{"id": "é\ud800", "input": "in:1", "status": "error", "error": "“x”\n"},
            {"id": "a", "input": "in:2", "status": "ok", "fields": {"n": float("nan"), "k": "\udfff"}},
            {"id": "b", "input": "in:3", "status": "ok", "sentences": [{"text": "Ünïcode ’quotes’ 🙂", "p": 0.1}]}]
    for row in rows:
        status, line = encode_jsonl_bytes(row)
        assert type(line) is bytes and (status, line) == (row["status"], encode_jsonl(row)[1].encode("utf-8"))


def test_a_run_writes_once_per_chunk_and_the_same_lines(tmp_path, monkeypatch):
    n = 2 * MODEL_BATCH + 3
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"r{i}", "text": GOOD if i % 4 else "", "k": "é\ud800"}) + "\n"
                           for i in range(n)), encoding="utf-8")
    written = []
    real = JsonlWriter.write_encoded

    def counted(self, item):
        written.append(item)
        real(self, item)

    monkeypatch.setattr(JsonlWriter, "write_encoded", counted)
    seen = []
    ok, errors = run_batch(src, tmp_path / "o.jsonl", keep="all", progress=seen.append)
    assert len(written) == 3 and all(type(data) is bytes for _, data in written)  # chunks of 8, 8 and 3 records
    assert (ok, errors) == (n - 5, 5) and seen == list(range(n + 1))
    lines = (tmp_path / "o.jsonl").read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) == n + 1
    rows = [json.loads(line) for line in lines[:-1]]
    assert [r["id"] for r in rows] == [f"r{i}" for i in range(n)]
    assert rows[1]["fields"]["k"] == "é\ufffd"  # a lone surrogate written as U+FFFD, as before


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
def test_a_lines_end_is_the_platforms_as_a_text_file_wrote_it(tmp_path, monkeypatch, newline):
    monkeypatch.setattr(writers, "_NEWLINE", newline)
    out = tmp_path / "o.jsonl"
    writer = JsonlWriter(out, resume=False)
    writer.write({"id": "a", "input": "in:1", "status": "error", "error": "x\ny"})
    writer.write_encoded(join_jsonl([encode_jsonl_bytes({"id": "b", "input": "in:2", "status": "ok"})] * 2)[0])
    writer.close()
    data = out.read_bytes()
    assert data.count(newline) == 3 and data.endswith(newline) and b"x\\ny" in data
    if newline == b"\r\n":
        assert data.count(b"\n") == 3
