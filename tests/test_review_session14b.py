"""Review of session 14's batch fixed costs (read-ahead of the first records, workers started early): faults found.

1. A batch input that is a named pipe (`mkfifo in.jsonl`, fed by `zcat big.jsonl.gz > in.jsonl`) was read ahead
   and closed before the run read it again: the writer lost its reader, and the run's open waited for another
   writer forever (`scorer batch in.jsonl -o out.jsonl --jobs 2` hung; dc1f77a scored every record).
2. A Parquet input was read ahead in the batch parent before the fork (pyarrow, numpy and pyarrow's threads in
   every worker's pages): peak tree RSS +60 MB against dc1f77a.
3. `scorer batch --jobs 2` refused after its model prefetch had started left the bytes (and the running thread) in
   the process: a later load of that model directory in the same process took them instead of the files.
4. `--resume` started both workers at once (their model loaded) by the count of all records, done ones included.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from scorer import pool
from scorer.batch.records import readahead_records
from scorer.batch.run import run_batch
from scorer.batch.workers import MODEL_BATCH

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="named pipes, forked workers")


@pytest.fixture(autouse=True)
def no_pool_left():
    yield
    if pool._POOL is not None:
        pool._discard(pool._POOL)


def _lines(n: int) -> bytes:
    return "".join(json.dumps({"id": f"a{i}", "text": f"The mayor said on Tuesday that depot {i} would close."}) + "\n"
                   for i in range(n)).encode()


def test_a_named_pipe_input_is_read_once(tmp_path):
    """More records than a worker's share, from a named pipe, with --jobs 2: every record is scored, in order (the
    pipe is not read ahead: a second open of it would wait for a writer that has gone)."""
    n = MODEL_BATCH + 4
    fifo, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    os.mkfifo(fifo)

    def feed():
        try:
            with open(fifo, "wb") as fh:
                fh.write(_lines(n))
        except BrokenPipeError:  # the reader went away before the end
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    result: list = []
    runner = threading.Thread(target=lambda: result.append(run_batch(fifo, out, jobs=2)), daemon=True)
    runner.start()
    runner.join(60)
    hung = runner.is_alive()
    if hung:  # let the run's open of the pipe go (it sees an empty input) so that the thread ends
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        runner.join(30)
    writer.join(5)
    assert not hung, "the run waited forever for a second writer of the named pipe"
    assert result == [(n, 0)]
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == [f"a{i}" for i in range(n)]


def test_only_a_regular_file_or_a_directory_is_read_ahead(tmp_path):
    fifo = tmp_path / "in.jsonl"
    os.mkfifo(fifo)
    assert list(readahead_records(fifo)) == []  # nothing read (opening it would already block)
    plain = tmp_path / "plain.jsonl"
    plain.write_bytes(_lines(2))
    assert [r.id for r in readahead_records(plain)] == ["a0", "a1"]
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "one.txt").write_text("The mayor said the depot would close.\n", encoding="utf-8")
    assert [r.id for r in readahead_records(folder)] == ["one"]


PARQUET_READ_AHEAD = """
import sys
from scorer.batch.records import readahead_records
assert "pyarrow" not in sys.modules
print(list(readahead_records(sys.argv[1])), list(readahead_records(sys.argv[2])), "pyarrow" in sys.modules)
"""


def test_parquet_is_not_read_ahead(tmp_path):
    """2. A Parquet input (a file, or a directory of Parquet shards) is not read ahead: reading it would import
    pyarrow and numpy and start pyarrow's threads in the batch parent before it forks its workers (each worker's RSS
    then holds those pages: peak tree RSS 309 MB against dc1f77a's 247 for 170 dev articles, Parquet in, --jobs 2)."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    shards = tmp_path / "shards"
    shards.mkdir()
    table = pa.table({"id": ["a0", "a1"], "text": ["The mayor said it.", "The mayor said it again."]})
    pq.write_table(table, tmp_path / "in.parquet")
    pq.write_table(table, shards / "part-0.parquet")
    proc = subprocess.run([sys.executable, "-c", PARQUET_READ_AHEAD, str(tmp_path / "in.parquet"), str(shards)],
                          capture_output=True, text=True, timeout=60, check=False,
                          env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert proc.stdout.split() == ["[]", "[]", "False"], proc.stderr


@pytest.mark.parametrize("out, extra, code", [("out.jsonl", (), 2), ("out.jsonl", ("--sentences", "s.csv"), 2),
                                             ("missing/out.jsonl", (), 1)])
def test_a_batch_command_that_stops_early_leaves_no_prefetch(tmp_path, monkeypatch, out, extra, code):
    """3. `scorer batch --jobs 2` refused after its prefetch had started (an existing output, a usage error) left the
    model files' bytes held in the process (and the thread reading them running): in the same process (the CLI
    invoked in a notebook or a test) the next load of that model directory took those old bytes, not the files as
    they are now."""
    from click.testing import CliRunner

    from scorer.cli import cli
    from scorer.model import store

    monkeypatch.chdir(tmp_path)
    model = tmp_path / "model"
    model.mkdir()
    for name in (store.CARD_FILE, store.MANIFEST_FILE, store.ARRAYS_FILE):
        (model / name).symlink_to(store.default_model_dir() / name)
    (tmp_path / "in.jsonl").write_bytes(_lines(1))
    (tmp_path / "out.jsonl").write_text("x\n", encoding="utf-8")
    monkeypatch.setattr(store, "_PREFETCHES", {})
    result = CliRunner().invoke(cli, ["batch", "in.jsonl", "-o", out, "--jobs", "2", "--model", str(model),
                                      "--no-progress", *extra])
    assert result.exit_code == code, result.output
    assert store._PREFETCHES == {}
    assert not [t for t in threading.enumerate() if t.name == "scorer-model-prefetch"]


def test_resuming_a_finished_run_starts_no_worker_that_loads_the_model(tmp_path):
    """4. `--resume` of a run whose output has every record: the read-ahead counted the records done already, so both
    workers were started at once and loaded the model for no chunk (peak tree RSS 108 MB against dc1f77a's 56 on
    170 records); a resumed run starts its workers as dc1f77a did, when its first chunk is sent."""
    n = MODEL_BATCH + 4
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(_lines(n))
    out.write_text("".join(json.dumps({"id": f"a{i}", "input": f"{src}:{i + 1}", "status": "error", "error": "x"})
                           + "\n" for i in range(n)), encoding="utf-8")
    assert run_batch(src, out, jobs=2, resume=True) == (0, 0)
    assert pool._POOL is None or pool._POOL.init is None
