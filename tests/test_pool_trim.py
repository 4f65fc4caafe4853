"""When a process of the pool gives its free heap pages back (`pool.Trimmer`): only once its resident memory has grown
by more than the slack since the last trim, so a worker reuses one task's freed pages for the next instead of faulting
them in again, and a batch worker's memory stays bounded as it did with a trim after every task."""
import subprocess
import sys

import pytest

from scorer import pool


class Calls:
    def __init__(self):
        self.args = []

    def __call__(self, pad):
        self.args.append(pad)


def test_trims_first_then_only_past_the_slack(monkeypatch):
    sizes = iter([100, 90,  # the first call trims: 100 before, 90 after
                  95, 98,  # within 90 + 10: no trim
                  101, 92,  # past it: trim, and the new floor is 92
                  100, 103, 93])  # within 92 + 10, then past it
    monkeypatch.setattr(pool, "resident_bytes", lambda: next(sizes))
    trim = Calls()
    trimmer = pool.Trimmer(trim, slack=10)
    trimmed = []
    for _ in range(6):
        before = len(trim.args)
        trimmer()
        trimmed.append(len(trim.args) > before)
    assert trimmed == [True, False, False, True, False, True]
    assert trim.args == [0, 0, 0] and trimmer.floor == 93


def test_trims_every_time_where_the_size_cannot_be_read(monkeypatch):
    monkeypatch.setattr(pool, "resident_bytes", lambda: None)
    trim = Calls()
    trimmer = pool.Trimmer(trim, slack=10)
    for _ in range(3):
        trimmer()
    assert trim.args == [0, 0, 0]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and glibc's allocator")
def test_resident_bytes_follow_the_heap_and_a_trim_returns_its_free_pages():
    """64 MB of small heap blocks (under the mapping threshold), every other one freed: the pages stay resident until
    the Trimmer of a process whose memory grew past the slack trims them."""
    code = """
from scorer import pool
trim = pool.tune_malloc()
trimmer = pool.Trimmer(trim, pool.WORKER_TRIM_SLACK)
trimmer()
start = pool.resident_bytes()
blocks = [bytearray(64 << 10) for _ in range(1024)]
grown = pool.resident_bytes()
del blocks[::2]
kept = pool.resident_bytes()
trimmer()
print(start >> 20, grown >> 20, kept >> 20, pool.resident_bytes() >> 20)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    start, grown, kept, after = map(int, out)
    assert grown - start >= 60, out
    assert kept - start >= 60, out  # freed blocks between live ones: not at the heap's top, so not trimmed by free()
    assert after - start <= 36, out
