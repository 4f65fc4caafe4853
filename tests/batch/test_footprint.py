"""The batch footprint (issue #21): workers score a task in model calls of `MODEL_BATCH` articles with the same results
as one call for all; the allocator of a worker (and of the batch CLI) gives freed memory back; the shipped model is
found without importlib.resources."""
from __future__ import annotations

import subprocess
import sys

import pytest

from scorer.batch import workers
from scorer.batch.records import Record
from scorer.batch.workers import MODEL_BATCH, score_chunk, score_records
from scorer.pipeline import Scorer

TEXTS = ["The mayor said on Tuesday that the depot would close. Officials declined to comment.",
         "Officials, speaking on condition of anonymity, said the talks had failed.",
         "The report shows the policy failed. It is a disgrace, and everyone knows it.",
         "   ",  # nothing to score: an error row, in its place
         "According to a senior intelligence official, the drones were moved last week.",
         "Prices rose 3% in May, the statistics office said. Analysts had expected 2%."]


@pytest.fixture(scope="module")
def scorer():
    return Scorer()


def records():
    return [Record(f"r{i}", f"in:{i}", text=text) for i, text in enumerate(TEXTS)] + [
        Record("bad", "in:99", error="in:99: bad JSON")]


def test_model_calls_of_a_few_articles_give_the_results_of_one_call(scorer):
    one_call = score_chunk(scorer, records(), batch=len(TEXTS) + 1)
    assert [r["status"] for r in one_call] == ["ok", "ok", "ok", "error", "ok", "ok", "error"]
    for batch in (1, 2, 4):
        assert score_chunk(scorer, records(), batch=batch) == one_call, batch


def test_model_calls_are_of_model_batch_articles(scorer, monkeypatch):
    from scorer import pipeline

    calls, original = [], pipeline.score_items
    monkeypatch.setattr(pipeline, "score_items", lambda s, items: (calls.append(len(items)), original(s, items))[1])
    score_chunk(scorer, [Record(f"r{i}", f"in:{i}", text=TEXTS[0]) for i in range(MODEL_BATCH + 3)])
    assert calls == [MODEL_BATCH, 3]


def test_tasks_sent_to_workers_hold_model_batch_records(monkeypatch):
    seen = {}

    def fake_map(func, items, jobs, args, size):
        seen.update(func=func, jobs=jobs, size=size)
        return iter(())

    monkeypatch.setattr(workers, "ordered_map", fake_map)
    list(score_records(iter(records()), jobs=2))
    assert seen == {"func": workers.score_record_chunk, "jobs": 2, "size": MODEL_BATCH}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_tune_malloc_returns_freed_large_blocks_to_the_system():
    """After tune_malloc, 64 MB allocated in 1 MB blocks and freed leave the process's RSS (by default glibc keeps them
    in its heap once its mapping threshold has risen)."""
    code = """
import ctypes
from scorer.pool import tune_malloc
def rss():
    return int(open('/proc/self/status').read().split('VmRSS:')[1].split()[0]) // 1024
trim = tune_malloc()
assert trim is not None
big = bytearray(40 << 20); del big  # raises glibc's dynamic threshold when the tuning is absent
before = rss()
blocks = [bytearray(b'x' * (1 << 20)) for _ in range(64)]
grown = rss()
del blocks
print(before, grown, rss())
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    before, grown, after = map(int, out)
    assert grown - before >= 60, out
    assert after - before <= 8, out


def test_the_batch_parent_imports_neither_numpy_nor_importlib_resources(tmp_path):
    """The parent of a --jobs 2 run: no numpy (the workers import it) and no importlib.resources (zipfile and what it
    imports), which every forked worker would inherit."""
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "The mayor said the depot would close."}\n', encoding="utf-8")
    code = ("import sys; from scorer.cli import cli\n"
            f"try: cli(['batch', {str(src)!r}, '-o', {str(tmp_path / 'o.jsonl')!r}, '--jobs', '2', '--no-progress'])\n"
            "except SystemExit as exc: assert not exc.code, exc.code\n"
            "print(sorted(m for m in ('numpy', 'importlib.resources', 'zipfile') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stderr
    assert '"status": "ok"' in (tmp_path / "o.jsonl").read_text(encoding="utf-8").replace('":"', '": "')
