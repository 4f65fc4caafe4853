"""A batch run's fixed costs (issue #21, session 14): the batch parent reads and checks the model files in a thread
while it imports and checks the rest (`store.prefetch(parse=False)`, `verify_prefetched`); its workers, forked then,
load the model from the checked bytes they inherit at once (`pool.start` with a per-worker init,
`batch.workers.start_workers`) while the parent opens the input and the output; the same outputs and errors as
before."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from scorer import pool
from scorer.batch import workers
from scorer.batch.run import run_batch
from scorer.batch.workers import MODEL_BATCH
from scorer.errors import ModelError
from scorer.model.store import _PREFETCHES, prefetch, release_prefetched, verify_model, verify_prefetched
from scorer.pool import ordered_map

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers, /proc (Linux)")

STATE: dict = {}  # in a worker: what its init left


def remember(value) -> None:
    STATE.setdefault("calls", []).append(value)
    STATE["pid"] = os.getpid()


def fail_init(value) -> None:
    raise RuntimeError("the init failed")


def what_init_left(chunk):
    return [(x, tuple(STATE.get("calls", ())), STATE.get("pid") == os.getpid()) for x in chunk]


def _read(path: str) -> str:
    with open(path) as fh:
        return fh.read()


def running(pid) -> bool:
    """True if process `pid` exists and is not a zombie."""
    try:
        return _read(f"/proc/{pid}/stat").rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def live_children():
    me = os.getpid()
    return [k for k in _read(f"/proc/{me}/task/{me}/children").split() if running(k)]


@pytest.fixture(autouse=True)
def fresh_pool():
    """Each test starts without a pool and leaves no worker behind."""
    if pool._POOL is not None:
        pool._discard(pool._POOL)
    before = set(live_children())
    yield
    if pool._POOL is not None:
        pool._discard(pool._POOL)
    assert set(live_children()) <= before


def test_each_worker_calls_init_once_before_its_tasks():
    assert "calls" not in STATE  # (this process never ran it)
    pool.start(2, (remember, ("loaded",)))
    started = [w.pid for w in pool._POOL.workers]
    out = list(ordered_map(what_init_left, range(40), jobs=2, size=2))
    assert [x for x, _, _ in out] == list(range(40))
    assert {(calls, own) for _, calls, own in out} == {(("loaded",), True)}  # once, in the worker itself
    assert [w.pid for w in pool._POOL.workers] == started  # the map took the started pool
    assert "calls" not in STATE


def test_a_failing_init_is_left_to_the_tasks():
    pool.start(2, (fail_init, (1,)))
    assert list(ordered_map(what_init_left, range(6), jobs=2, size=1)) == [(x, (), False) for x in range(6)]


def test_start_keeps_a_running_pool_and_does_nothing_for_one_job():
    pool.start(1, (remember, ("x",)))
    assert pool._POOL is None
    pool.start(2, (remember, ("first",)))
    pids = [w.pid for w in pool._POOL.workers]
    pool.start(2, (remember, ("second",)))
    assert [w.pid for w in pool._POOL.workers] == pids
    assert {calls for _, calls, _ in ordered_map(what_init_left, range(8), jobs=2, size=1)} == {("first",)}


def _records(path, n):
    path.write_text("".join(f'{{"id": "{i}", "text": "The mayor said on Tuesday that depot {i} would close."}}\n'
                            for i in range(n)) + '{"id": "blank", "text": "   "}\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("n, started", [(MODEL_BATCH, True), (MODEL_BATCH - 1, False), (1, False)])
def test_a_batch_run_starts_workers_that_load_the_model_when_each_gets_a_chunk(tmp_path, n, started):
    """With more records than `jobs - 1` chunks, the pool is started with the workers' model load; with fewer, the run
    starts it as before (a worker without a chunk never loads the model)."""
    src = _records(tmp_path / "in.jsonl", n)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run_batch(src, one, jobs=1) == run_batch(src, two, jobs=2) == (n, 1)
    assert two.read_bytes() == one.read_bytes()
    assert pool._POOL is not None
    assert pool._POOL.init == ((workers.load_model, (None,)) if started else None)


def test_start_workers_reads_only_what_it_needs_and_leaves_faults_to_the_run():
    read = []

    def records(n):
        for i in range(n):
            read.append(i)
            yield i

    assert workers.start_workers(2, None, records(100)) and len(read) == MODEL_BATCH + 1
    pool._discard(pool._POOL)

    def broken():
        yield 1
        raise OSError("unreadable")

    assert not workers.start_workers(2, None, broken()) and pool._POOL is None
    assert not workers.start_workers(1, None, records(100)) and pool._POOL is None


CLI = """
import os, sys
import scorer.model.store as store
from scorer.cli import cli
read = store._read_verified
def counted(*args):
    with open(os.path.join(sys.argv[1], f"read.{os.getpid()}"), "a") as fh:
        fh.write("x")
    return read(*args)
store._read_verified = counted
try:
    cli(["batch", *sys.argv[2:], "--jobs", "2", "--no-progress"])
finally:
    import scorer.pool as p
    print("workers", [w.pid for w in p._POOL.workers] if p._POOL else [], "numpy" in sys.modules,
          sorted(store._PREFETCHES), flush=True)
"""


def run_cli(tmp_path, *args):
    """`scorer batch ARGS --jobs 2` in a fresh interpreter: (process, its worker pids, numpy imported in it, the model
    prefetches it still held, how many times each process read and checked the model files)."""
    proc = subprocess.run([sys.executable, "-c", CLI, str(tmp_path), *map(str, args)], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)), check=False)
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith("workers ["), proc.stdout + proc.stderr
    pids = [int(p) for p in last.split("[", 1)[1].split("]", 1)[0].split(",") if p.strip()]
    numpy, held = last.split("] ", 1)[1].split(" ", 1)
    reads = {int(f.name.split(".")[1]): len(f.read_text()) for f in tmp_path.glob("read.*")}
    return proc, pids, numpy == "True", held, reads


@pytest.mark.parametrize("n", [20, 3])
def test_the_parent_checks_the_model_once_and_its_workers_load_those_bytes(tmp_path, n):
    """20 records: both workers start at once and load the model from the bytes the parent checked; 3 (one chunk):
    as before, the worker that gets the chunk reads and checks the files itself, the other never loads the model."""
    src = _records(tmp_path / "in.jsonl", n)
    proc, pids, numpy, held, reads = run_cli(tmp_path, src, "-o", tmp_path / "out.jsonl")
    assert proc.returncode == 0, proc.stderr
    assert len(pids) == 2 and not numpy and held == "[]"  # the parent let the files' bytes go
    parent = next(iter(set(reads) - set(pids)))
    assert reads[parent] == 1 and sorted(reads.values()) == ([1] if n == 20 else [1, 1])
    one = tmp_path / "one.jsonl"
    run_batch(src, one, jobs=1)
    assert (tmp_path / "out.jsonl").read_bytes() == one.read_bytes()


def test_batch_with_a_broken_model_and_two_jobs_exits_3_before_starting_workers(tmp_path):
    """The parent checks the model before reading the corpus (exit 3, nothing written, the error verify_model
    gives), and starts no worker for it."""
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "The mayor said the depot would close."}\n', encoding="utf-8")
    model = tmp_path / "model"
    model.mkdir()
    out = tmp_path / "out.jsonl"
    proc, pids, numpy, _, _ = run_cli(tmp_path, src, "-o", out, "--model", model)
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.startswith("scorer: error: ") and str(model) in proc.stderr
    with pytest.raises(ModelError) as exc:
        verify_model(model)
    assert proc.stderr.strip() == f"scorer: error: {exc.value}"
    assert not out.exists() and pids == [] and not numpy


def test_verify_prefetched_raises_what_verify_model_raises_and_keeps_a_good_prefetch(tmp_path):
    bad = tmp_path / "missing"
    prefetch(bad, parse=False)
    with pytest.raises(ModelError) as exc:
        verify_prefetched(bad)
    with pytest.raises(ModelError) as direct:
        verify_model(bad)
    assert str(exc.value) == str(direct.value) and str(bad) not in _PREFETCHES
    prefetch(None, parse=False)
    try:
        assert verify_prefetched(None) == verify_model(None)
        assert str(None) in _PREFETCHES  # kept for the next load_bundle (a forked worker's)
    finally:
        release_prefetched(None)
    assert str(None) not in _PREFETCHES
    assert verify_prefetched(None) == verify_model(None)  # no prefetch: read here
