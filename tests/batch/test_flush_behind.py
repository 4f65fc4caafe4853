"""A batch run's table writers flush behind (`TableWriter._flush_behind`): each flush of `flush_every` articles runs
in a thread while the run goes on handing records to its workers (the parent used to stop for it, and the workers sat
idle: ~0.3 s a flush of 200 articles, the first also importing pandas or Arrow). The files are those a synchronous
writer writes, parts in order; one flush at a time; a fault in a flush is raised by the next write or by close."""
import threading

import pyarrow.parquet as pq
import pytest

from scorer.batch.writers import TableWriter, open_writer


def _rows(n: int):
    for i in range(n):
        yield {"id": f"a{i}", "input": f"in:{i}", "status": "error", "error": f"=bad {i}"}


def _write(out, fmt, behind, n=11, flush_every=3, **kwargs):
    writer = TableWriter(out, fmt, resume=False, flush_every=flush_every, behind=behind, **kwargs)
    for row in _rows(n):
        writer.write(row)
    writer.close()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_same_files_as_a_synchronous_writer(tmp_path, fmt):
    _write(tmp_path / "sync", fmt, behind=False)
    _write(tmp_path / "behind", fmt, behind=True)
    if fmt == "csv":
        for name in ("articles.csv", "sentences.csv", ".committed.json"):
            assert (tmp_path / "behind" / name).read_bytes() == (tmp_path / "sync" / name).read_bytes(), name
    else:
        for sub in ("articles", "sentences"):
            names = sorted(p.name for p in (tmp_path / "sync" / sub).iterdir())
            assert names == sorted(p.name for p in (tmp_path / "behind" / sub).iterdir())
            assert len(names) == 4  # 11 articles, 3 a flush: four parts, numbered in order
            for name in names:
                assert pq.read_table(tmp_path / "behind" / sub / name).equals(
                    pq.read_table(tmp_path / "sync" / sub / name))


def test_a_write_returns_while_its_flush_runs_and_flushes_run_one_at_a_time(tmp_path, monkeypatch):
    release, started, order = threading.Event(), threading.Event(), []
    real = TableWriter._write_rows

    def slow(self, articles, sentences, part):
        order.append(part)
        started.set()
        assert release.wait(10)
        real(self, articles, sentences, part)

    monkeypatch.setattr(TableWriter, "_write_rows", slow)
    writer = TableWriter(tmp_path, "parquet", resume=False, flush_every=2, behind=True)
    rows = _rows(5)
    writer.write(next(rows))
    writer.write(next(rows))  # the first flush starts and blocks in its thread: this write has returned
    assert started.wait(10) and not (tmp_path / "articles" / "part-0000-00000.parquet").exists()
    writer.write(next(rows))  # rows go on being taken while it runs
    release.set()
    for row in rows:
        writer.write(row)
    writer.close()
    assert order == ["part-0000-00000.parquet", "part-0000-00001.parquet", "part-0000-00002.parquet"]
    ids = [r["id"] for p in sorted((tmp_path / "articles").iterdir()) for r in pq.read_table(p).to_pylist()]
    assert ids == [f"a{i}" for i in range(5)]


def test_a_fault_in_a_flush_is_raised_by_the_next_write_and_by_close(tmp_path, monkeypatch):
    def full(self, articles, sentences, part):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(TableWriter, "_write_rows", full)
    writer = TableWriter(tmp_path, "csv", resume=False, flush_every=1, behind=True)
    rows = _rows(3)
    writer.write(next(rows))  # its flush fails in the thread
    with pytest.raises(OSError, match="No space left"):
        writer.write(next(rows))
    writer = TableWriter(tmp_path, "csv", resume=False, flush_every=1, behind=True)
    writer.write(next(rows))
    with pytest.raises(OSError, match="No space left"):
        writer.close()


def test_batch_writers_flush_behind_and_direct_writers_do_not(tmp_path):
    assert open_writer(tmp_path / "t", "csv", resume=False).behind
    assert open_writer(tmp_path / "p.parquet", "parquet", resume=False, single=True).tables.behind
    assert not TableWriter(tmp_path / "d", "csv", resume=False).behind
