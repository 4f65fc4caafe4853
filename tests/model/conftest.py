"""Fixtures of the model tests: the shipped model's arrays and manifest, a copy of its directory to tamper with, and
`looks_english`'s pure-Python paths."""
import json
import shutil

import numpy as np
import pytest

from scorer.model.store import ARRAYS_FILE, CARD_FILE, MANIFEST_FILE, MODEL_FILES, default_model_dir


@pytest.fixture(scope="module")
def shipped():
    """(arrays, manifest) of the shipped model, read independently of the loader."""
    base = default_model_dir()
    with np.load(base / ARRAYS_FILE, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    return arrays, json.loads((base / MANIFEST_FILE).read_text(encoding="utf-8"))


@pytest.fixture()
def model_dir(tmp_path):
    for name in (CARD_FILE, *MODEL_FILES):
        shutil.copy(default_model_dir() / name, tmp_path / name)
    return tmp_path


@pytest.fixture()
def pure_english(monkeypatch):
    """`looks_english` with the compiled counts switched off: its pure-Python paths (against `ref_looks_english`,
    tests/model/english_reference.py)."""
    from scorer.text import language

    monkeypatch.setattr(language, "_english_counts", None)
    return language.looks_english
