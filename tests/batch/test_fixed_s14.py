"""A batch run's fixed costs (issue #21, session 14): the workers start and load the model (`pool.start` with a
per-worker init, `batch.workers.start_workers`) while the parent checks the model and opens the input and the output,
with the same outputs and errors as before."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from scorer import pool
from scorer.batch import workers
from scorer.batch.run import run_batch
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


def test_a_batch_run_starts_workers_that_load_the_model(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "The mayor said the depot would close."}\n{"id": "b", "text": "   "}\n'
                   '{"id": "c", "text": "Officials, speaking on condition of anonymity, said the talks failed."}\n',
                   encoding="utf-8")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run_batch(src, one, jobs=1) == run_batch(src, two, jobs=2) == (2, 1)
    assert two.read_bytes() == one.read_bytes()
    assert pool._POOL is not None and pool._POOL.init == (workers.load_model, (None,))


def test_batch_with_a_broken_model_and_two_jobs_exits_3_at_once_leaving_no_worker(tmp_path):
    """The parent still checks the model before reading the corpus (exit 3, nothing written), and the workers it
    started are stopped as it exits."""
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "The mayor said the depot would close."}\n', encoding="utf-8")
    model = tmp_path / "model"
    model.mkdir()
    out = tmp_path / "out.jsonl"
    code = ("import os, sys\n"
            "from scorer.cli import cli\n"
            "try:\n"
            f"    cli(['batch', {str(src)!r}, '-o', {str(out)!r}, '--jobs', '2', '--no-progress', '--model', "
            f"{str(model)!r}])\n"
            "finally:\n"
            "    import scorer.pool as p\n"
            "    print('workers', [w.pid for w in p._POOL.workers] if p._POOL else [], flush=True)\n")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)), check=False)
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.startswith("scorer: error: ") and str(model) in proc.stderr
    assert not out.exists()
    assert time.perf_counter() - start < 20
    pids = [int(p) for p in proc.stdout.split("[", 1)[1].rstrip("]\n").split(",") if p.strip()]
    assert len(pids) == 2  # they were started, and are gone
    assert not any(map(running, pids))
