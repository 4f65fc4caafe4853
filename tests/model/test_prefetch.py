"""`store.prefetch`: the model files read and checked in a thread give the same model as a plain load, a fault is
raised by the load that takes them (the same ModelError), and a prefetch serves one load only."""
import subprocess
import sys

import numpy as np
import pytest

from scorer.errors import ModelError
from scorer.model import store
from scorer.model.store import ARRAYS_FILE, CARD_FILE, load_bundle, prefetch


def _error(model_dir) -> str:
    with pytest.raises(ModelError) as info:
        load_bundle(model_dir)
    return str(info.value)


def test_prefetched_load_is_the_same_model(model_dir):
    prefetch(model_dir)
    fetched = load_bundle(model_dir)
    assert str(model_dir) not in store._PREFETCHES  # taken
    plain = load_bundle(model_dir)
    assert fetched["card"] == plain["card"]
    for name in ("attributed", "source_type", "opinion"):
        a, b = getattr(fetched["attribution"], name), getattr(plain["attribution"], name)
        assert np.array_equal(a.coef_words, b.coef_words) and np.array_equal(a.coef_dense, b.coef_dense)
        assert np.array_equal(a.idf, b.idf)
    assert np.array_equal(fetched["spans"].weights, plain["spans"].weights)


def test_prefetch_of_another_directory_is_not_used(model_dir, tmp_path_factory):
    other = tmp_path_factory.mktemp("other")
    prefetch(other)  # no model there: its fault stays with its own load
    assert load_bundle(model_dir)["card"]["sha256"]
    assert "model card not found" in _error(other)


@pytest.mark.parametrize("damage", ["card", "arrays"])
def test_prefetched_fault_is_the_plain_fault(model_dir, damage):
    if damage == "card":
        (model_dir / CARD_FILE).write_text("{not json", encoding="utf-8")
    else:
        raw = bytearray((model_dir / ARRAYS_FILE).read_bytes())
        raw[len(raw) // 2] ^= 1
        (model_dir / ARRAYS_FILE).write_bytes(bytes(raw))
    plain = _error(model_dir)
    prefetch(model_dir)
    assert _error(model_dir) == plain


def test_prefetch_serves_one_load(model_dir):
    """A later load reads the files again: a file changed after the first load is seen."""
    prefetch(model_dir)
    load_bundle(model_dir)
    (model_dir / ARRAYS_FILE).write_bytes(b"changed")
    assert "checksum" in _error(model_dir)


def test_cli_bad_model_one_line_exit_3(tmp_path, example_path):
    out = subprocess.run([sys.executable, "-m", "scorer", "score", str(example_path), "--model", str(tmp_path)],
                         capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 3 and out.stderr.count("\n") == 1 and "model card not found" in out.stderr, out.stderr


def _forge(model_dir, arrays_raw: bytes | None = None, manifest_text: str | None = None) -> None:
    """Replace model files and restamp every checksum (the manifest's of the arrays, the card's), so that the
    files pass their checksums and fail only when parsed."""
    import hashlib
    import json

    from scorer.model.store import MANIFEST_FILE

    if arrays_raw is not None:
        (model_dir / ARRAYS_FILE).write_bytes(arrays_raw)
    manifest = json.loads((model_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    manifest["arrays"]["sha256"] = hashlib.sha256((model_dir / ARRAYS_FILE).read_bytes()).hexdigest()
    text = manifest_text if manifest_text is not None else json.dumps(manifest)
    (model_dir / MANIFEST_FILE).write_text(text, encoding="utf-8")
    card = json.loads((model_dir / CARD_FILE).read_text(encoding="utf-8"))
    for name in (ARRAYS_FILE, MANIFEST_FILE):
        card["files"][name]["sha256"] = hashlib.sha256((model_dir / name).read_bytes()).hexdigest()
    card["sha256"] = card["files"][MANIFEST_FILE]["sha256"]
    (model_dir / CARD_FILE).write_text(json.dumps(card), encoding="utf-8")


@pytest.mark.parametrize("bad_manifest", [False, True])
def test_prefetched_parse_faults_in_the_plain_order(model_dir, bad_manifest):
    """Arrays that pass their checksum but are not an npz archive: the arrays' error; with a manifest that is not
    JSON as well, the manifest's error comes first, as without the prefetch."""
    _forge(model_dir, arrays_raw=b"PK\x03\x04 not really a zip archive", manifest_text="{" if bad_manifest else None)
    plain = _error(model_dir)
    assert (store.MANIFEST_FILE in plain) == bad_manifest and (ARRAYS_FILE in plain) != bad_manifest
    prefetch(model_dir)
    assert _error(model_dir) == plain


def test_prefetch_reads_no_arrays_behind_a_bad_manifest(model_dir, monkeypatch):
    """A manifest that fails its checks: the thread does not unpack the arrays (whatever they would cost), and the
    load raises the manifest's error as without the prefetch."""
    _forge(model_dir, manifest_text="{")
    plain = _error(model_dir)
    calls = []
    monkeypatch.setattr(store, "_parse_arrays", lambda raw: calls.append(len(raw)))
    prefetch(model_dir)
    assert _error(model_dir) == plain and store.MANIFEST_FILE in plain
    assert calls == []


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_batch_with_a_forged_manifest_one_line_exit_3(model_dir, tmp_path_factory, jobs):
    """A model whose files pass their checksums but whose manifest does not parse: `scorer batch` gives the same
    one-line ModelError and exit 3 with worker processes as without (it was a worker's traceback and exit 1)."""
    import json

    _forge(model_dir, manifest_text="{")
    work = tmp_path_factory.mktemp("batch")
    records = work / "in.jsonl"
    records.write_text("".join(json.dumps({"id": str(k), "text": f"Record {k} says the mayor. " * 3}) + "\n"
                               for k in range(40)), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "scorer", "batch", str(records), "-o", str(work / "out.jsonl"),
                          "--model", str(model_dir), "--jobs", jobs, "--no-progress"],
                         capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 3, out.stderr
    assert out.stderr.count("\n") == 1 and "not a JSON model manifest" in out.stderr, out.stderr
