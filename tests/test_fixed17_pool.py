"""fixed17 (session 17): the pool's task and result queues run on pipes widened to PIPE_BYTES (Linux), so a chunk's
results (~200 KB of JSONL for 8 dev articles) pass in one write instead of a dozen 64 KB turns of the two processes;
what passes through is the same."""
from __future__ import annotations

import os
import sys

import pytest

from scorer import pool

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="F_GETPIPE_SZ is Linux's")


def _pipe_size(conn) -> int:
    import fcntl

    return fcntl.fcntl(conn.fileno(), 1032)  # F_GETPIPE_SZ


def _double(chunk):
    return [2 * x for x in chunk]


def test_the_pools_queues_have_wide_pipes():
    p = pool._Pool(1)
    try:
        for q in (p.tasks, p.results):
            assert _pipe_size(q._reader) >= pool.PIPE_BYTES
    finally:
        p.stop()


def test_a_pipe_is_never_narrowed_and_odd_sizes_are_ignored():
    import multiprocessing

    q = multiprocessing.get_context("fork").Queue()
    pool.widen_pipes(q, size=1 << 18)
    assert _pipe_size(q._reader) == 1 << 18
    for size in (1 << 16, 4096, 0, -1, 1 << 40):  # narrower, zero, negative, beyond a C int: left as it is
        pool.widen_pipes(q, size=size)
        assert _pipe_size(q._reader) == _pipe_size(q._writer) == 1 << 18
    pool.widen_pipes(object())  # not a queue: nothing to widen
    q.put(b"x" * 300_000)
    assert q.get(timeout=10) == b"x" * 300_000
    q.close()


def test_large_results_come_through_the_wide_pipe_in_order():
    items = list(range(5000))
    out = list(pool.ordered_map(_double, items, jobs=2, size=700))
    assert out == [2 * x for x in items]
    big = list(pool.ordered_map(_double, ["y" * 250_000] * 6, jobs=2, size=2))
    assert big == ["y" * 500_000] * 6


def _statm_descriptors() -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}").endswith("/statm")
        except OSError:
            pass
    return count


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs Linux /proc")
def test_resident_bytes_keeps_no_descriptor_open_even_from_many_threads():
    """`resident_bytes` reads /proc/self/statm and closes it: a kept descriptor was closed by a forked child that no
    longer owned its number, read another process inside a PID namespace, and leaked from concurrent first calls
    (review of fixed17, session 17)."""
    import threading

    from scorer import pool

    before = _statm_descriptors()
    barrier = threading.Barrier(4)

    def call():
        barrier.wait()
        for _ in range(50):
            assert pool.resident_bytes() is None or pool.resident_bytes() > 0

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _statm_descriptors() == before
