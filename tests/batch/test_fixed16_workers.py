"""fixed16 (session 16): a batch worker started by `start_workers` (its init, `workers.load_model`) has its n-gram
look-ups build their integer coders at their first batch, instead of looking n-gram strings up for the first
CODER_AFTER texts; the ids are the same either way (and so are the outputs of a batch run with workers)."""
from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from scorer.batch import workers
from scorer.batch.run import run_batch
from scorer.model import heads
from scorer.model.heads import NgramLookup, ngram_ids_loop


@pytest.fixture
def thresholds(monkeypatch):
    """The module's thresholds restored after the test (load_model sets them in this process)."""
    monkeypatch.setattr(heads, "CODER_AFTER", heads.CODER_AFTER)
    monkeypatch.setattr(heads, "CODER_AFTER_COMPILED", heads.CODER_AFTER_COMPILED)


def test_load_model_makes_the_lookups_build_their_coders_at_once(thresholds):
    assert heads.CODER_AFTER > 0 and heads.CODER_AFTER_COMPILED > 0
    workers.load_model()
    assert heads.CODER_AFTER == 0 and heads.CODER_AFTER_COMPILED == 0
    from scorer.pipeline import cached_scorer

    tokens = cached_scorer().attribution.tokens
    lookup = NgramLookup(tokens.union, tokens.ngram_max, tokens.pattern.findall, tokens.pattern)
    texts = ["The minister said on Tuesday that talks had failed, according to officials.", "", "A b c, “d” e's."]
    rows, ids = lookup.ids(texts)
    assert lookup.coder is not None  # (built at the first call)
    old_rows, old_ids = ngram_ids_loop(texts, tokens.pattern.findall, tokens.union, tokens.ngram_max)
    assert np.array_equal(rows, old_rows) and np.array_equal(ids, old_ids)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers")
def test_batch_with_started_workers_writes_what_one_process_writes(tmp_path, polnear_texts):
    path = tmp_path / "in.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i, text in enumerate(polnear_texts[:20]):
            fh.write(json.dumps({"id": str(i), "text": text}) + "\n")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run_batch(path, one, jobs=1) == (20, 0)
    assert run_batch(path, two, jobs=2) == (20, 0)  # (20 records: the workers are started with their init)
    assert one.read_bytes() == two.read_bytes()


def test_same_bytes_all_equal_fast_path_and_mixed_ranges():
    """`vocab._same_bytes` (the pure-Python look-ups' byte check, which a batch worker runs for each new word): one
    comparison of the joined ranges when all are equal, else range by range; both as each range compared alone."""
    from scorer.text.vocab import _same_bytes

    rng = np.random.default_rng(16)
    for _ in range(200):
        n = int(rng.integers(0, 12))
        lengths = rng.integers(0, 6, n).astype(np.int64)
        a = rng.integers(0, 3, int(lengths.sum()) + 20).astype(np.uint8)
        a_starts = np.array([int(rng.integers(0, 21)) for _ in range(n)], dtype=np.int64)
        b = np.concatenate([a[s:s + k] for s, k in zip(a_starts, lengths)] + [np.zeros(0, np.uint8)])
        b_starts = np.cumsum(lengths) - lengths
        if len(b) and rng.random() < 0.5:  # (some ranges made to differ)
            b = b.copy()
            b[rng.integers(0, len(b), 2)] ^= 1
        expected = [a[s:s + k].tobytes() == b[t:t + k].tobytes() for s, t, k in zip(a_starts, b_starts, lengths)]
        assert _same_bytes(a, a_starts, b, b_starts, lengths).tolist() == expected
