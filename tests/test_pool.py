"""The worker pool (scorer/pool.py): input order, lazy input, errors and dead workers raised instead of a hang,
idle workers replaced, nothing left behind."""
import os
import signal
import sys
import time

import pytest

from scorer import pool
from scorer.pool import WorkerDied, ordered_map

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers, /proc (Linux)")


def square_all(chunk, offset=0):
    return [x * x + offset for x in chunk]


def slow_first(chunk):
    if chunk[0] == 0:
        time.sleep(1.0)
    return [(x, os.getpid()) for x in chunk]


def fail_on_13(chunk):
    if 13 in chunk:
        raise ValueError("thirteen")
    return chunk


def kill_me_on_40(chunk):
    if 40 in chunk:
        os.kill(os.getpid(), signal.SIGKILL)
    return chunk


def live_children():
    me = os.getpid()
    kids = open(f"/proc/{me}/task/{me}/children").read().split()
    return [k for k in kids if open(f"/proc/{k}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"]


@pytest.fixture(autouse=True)
def fresh_pool():
    """Each test starts without a pool, and leaves no child process behind (other than those the process had
    before: earlier tests' helpers such as multiprocessing's resource tracker)."""
    if pool._POOL is not None:
        pool._discard(pool._POOL)
    before = set(live_children())
    yield before
    if pool._POOL is not None:
        pool._discard(pool._POOL)
    assert set(live_children()) <= before


@pytest.mark.parametrize("size", [1, 3, 32])
def test_results_in_input_order_as_in_process(size):
    items = list(range(200))
    assert list(ordered_map(square_all, items, jobs=2, args=(5,), size=size)) == square_all(items, 5)
    # a slow first chunk: later chunks finish first and wait their turn; both workers did work
    out = list(ordered_map(slow_first, range(20), jobs=2, size=2))
    assert [x for x, _ in out] == list(range(20)) and len({pid for _, pid in out}) == 2


def test_the_pool_is_reused_and_reads_the_input_as_it_goes(fresh_pool):
    list(ordered_map(square_all, range(10), jobs=2))
    workers = [w.pid for w in pool._POOL.workers]
    consumed = []

    def items():
        for i in range(10_000):
            consumed.append(i)
            yield i

    results = ordered_map(square_all, items(), jobs=2, size=10)
    assert next(results) == 0
    assert len(consumed) <= (pool.AHEAD * 2 + 1) * 10  # at most AHEAD chunks per worker in flight, and one more
    assert [w.pid for w in pool._POOL.workers] == workers
    results.close()  # stopping early stops the workers
    assert pool._POOL is None and set(live_children()) <= fresh_pool


def test_an_error_in_the_function_is_raised_with_its_traceback_and_stops_the_workers(fresh_pool):
    with pytest.raises(WorkerDied, match="ValueError: thirteen") as info:
        list(ordered_map(fail_on_13, range(100), jobs=2, size=4))
    assert "fail_on_13" in str(info.value)
    assert pool._POOL is None and set(live_children()) <= fresh_pool
    assert list(ordered_map(square_all, range(5), jobs=2)) == [0, 1, 4, 9, 16]  # the next call has new workers


def test_a_killed_worker_is_an_error_not_a_hang(fresh_pool):
    start = time.monotonic()
    got = []
    with pytest.raises(WorkerDied, match="killed by signal 9"):
        for x in ordered_map(kill_me_on_40, range(100), jobs=2, size=10):
            got.append(x)
    assert got == list(range(len(got))) and len(got) <= 40  # what came before, in order
    assert time.monotonic() - start < 30
    assert pool._POOL is None and set(live_children()) <= fresh_pool


def test_idle_workers_leave_and_are_replaced(monkeypatch):
    monkeypatch.setattr(pool, "IDLE_TIMEOUT", 0.3)  # the forked workers inherit it
    # one slow chunk: the other worker leaves idle during the call and is replaced; the results are whole
    assert [x for x, _ in ordered_map(slow_first, [0], jobs=2)] == [0]
    time.sleep(0.8)  # now both have left
    assert not pool._POOL.usable(2)
    assert list(ordered_map(square_all, range(50), jobs=2, size=5)) == square_all(range(50))


def test_workers_ignore_ctrl_c_and_take_sigterm():
    previous = signal.signal(signal.SIGTERM, lambda *_: None)  # the parent's handler, set before the fork
    try:
        list(ordered_map(square_all, range(4), jobs=2))
        worker = pool._POOL.workers[0]
        os.kill(worker.pid, signal.SIGINT)
        time.sleep(0.3)
        assert worker.exitcode is None
        os.kill(worker.pid, signal.SIGTERM)  # is not the workers' handler
        worker.join(10)
        assert worker.exitcode == -signal.SIGTERM
    finally:
        signal.signal(signal.SIGTERM, previous)


EXIT_WITH_IDLE_WORKERS = """
import sys, time
sys.path.insert(0, {tests!r})
from scorer.pool import ordered_map
from test_pool import square_all
print(list(ordered_map(square_all, range(6), jobs=2)))
"""


def test_exiting_with_a_kept_pool_does_not_wait_for_its_idle_workers():
    import subprocess
    from pathlib import Path

    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", EXIT_WITH_IDLE_WORKERS.format(tests=str(Path(__file__).parent))],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "[0, 1, 4, 9, 16, 25]", done.stderr
    assert time.monotonic() - start < 20 and "Traceback" not in done.stderr


def test_two_maps_read_together_each_get_their_own_results():
    """Two maps consumed in step (zip) never see each other's results: the second runs on a pool of its own."""
    a = ordered_map(square_all, range(200), jobs=2, args=(0,), size=4)
    b = ordered_map(square_all, range(200), jobs=2, args=(1,), size=4)
    pairs = list(zip(a, b))
    assert [x for x, _ in pairs] == square_all(range(200), 0)
    assert [y for _, y in pairs] == square_all(range(200), 1)
    # the kept pool is free again for the next map
    assert list(ordered_map(square_all, range(10), jobs=2)) == square_all(range(10))


def collector_state(chunk):
    import gc

    return [(gc.get_threshold()[0], gc.get_freeze_count() > 0) for _ in chunk]


def test_workers_collect_garbage_less_often_and_never_walk_what_they_started_with():
    import gc

    before = gc.get_threshold()
    assert set(ordered_map(collector_state, range(4), jobs=2, size=1)) == {(pool.WORKER_GC_THRESHOLD, True)}
    assert gc.get_threshold() == before  # this process's collector is left as it was


class _OwnError(pool.ScorerError):
    pass


def raise_input_error(chunk):
    from scorer.errors import InputError

    raise InputError("bad.txt: not a text")


def raise_other_scorer_error(chunk):
    raise _OwnError("something of the test's own")


def test_a_workers_scorer_error_is_raised_as_itself_and_others_as_worker_died():
    from scorer.errors import InputError

    with pytest.raises(InputError, match="^bad.txt: not a text$"):
        list(ordered_map(raise_input_error, range(4), jobs=2, size=1))
    with pytest.raises(WorkerDied, match="_OwnError: something of the test's own"):
        list(ordered_map(raise_other_scorer_error, range(4), jobs=2, size=1))
