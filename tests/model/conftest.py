"""Fixtures of the model-file tests: the shipped model's arrays and manifest, and a copy of its directory to tamper
with."""
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
