"""Model file checks: every file's checksum before parsing, the model format version, clear exit-3 errors.
(tests/model/test_model_files.py: malformed and forged files, the no-pickle scan, save/load round trips.)"""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scorer.errors import ModelError
from scorer.model.store import (ARRAYS_FILE, CARD_FILE, FORMAT_VERSION, MANIFEST_FILE, default_model_dir, load_bundle,
                                read_card, sha256_file)


@pytest.fixture()
def model_copy(tmp_path):
    src = default_model_dir()
    for name in (CARD_FILE, MANIFEST_FILE, ARRAYS_FILE):
        shutil.copy(src / name, tmp_path / name)
    return tmp_path


def test_card_describes_the_model():
    card, base = read_card(), default_model_dir()
    assert card["format_version"] == FORMAT_VERSION
    assert set(card["files"]) == {MANIFEST_FILE, ARRAYS_FILE}
    for name, info in card["files"].items():
        assert info["sha256"] == sha256_file(base / name) and info["size_bytes"] == (base / name).stat().st_size
    assert card["sha256"] == card["files"][MANIFEST_FILE]["sha256"]  # what reports carry
    manifest = json.loads((base / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["arrays"] == {"file": ARRAYS_FILE, "sha256": card["files"][ARRAYS_FILE]["sha256"]}
    assert {"python", "scikit-learn", "numpy"} <= set(card["versions"])
    assert {"polnear", "checkthat2025_en", "newssd_eng"} <= set(card["training_data"])
    assert card["dev_metrics"]["four_class"]["macro_f1"] > 0
    assert sum(info["size_bytes"] for info in card["files"].values()) <= 20 * 1024 * 1024
    assert not list(base.glob("*.joblib")) and not list(base.glob("*.pkl"))


def test_report_names_the_model_by_the_cards_checksum(example_text):
    from scorer import score

    assert score(example_text).to_dict()["model"] == {"id": "attribution-v1", "sha256": read_card()["sha256"]}


@pytest.mark.parametrize("name", [MANIFEST_FILE, ARRAYS_FILE])
def test_corrupt_file_refused_before_parsing(model_copy, name):
    path = model_copy / name
    path.write_bytes(b"not a model" + path.read_bytes()[11:])
    with pytest.raises(ModelError, match=f"{name}: checksum .* does not match .*scorer train --data"):
        load_bundle(model_copy)


def test_another_scikit_learn_version_is_no_reason_to_refuse(model_copy):
    """Compatibility is the model format version: the files hold only arrays and JSON."""
    card_path = model_copy / CARD_FILE
    card = json.loads(card_path.read_text())
    card["versions"]["scikit-learn"] = "0.24.2"
    card_path.write_text(json.dumps(card))
    assert load_bundle(model_copy)["card"]["versions"]["scikit-learn"] == "0.24.2"


@pytest.mark.parametrize("version, message", [(1, "model format version 1, but this scorer reads version 3"),
                                              (2, "model format version 2, but this scorer reads version 3"),
                                              ("3", "model format version '3', but this scorer reads version 3"),
                                              (True, "model format version True, but this scorer reads version 3"),
                                              (None, "no model format version .*pickled .joblib file")])
def test_other_model_format_refused(model_copy, version, message):
    card_path = model_copy / CARD_FILE
    card = json.loads(card_path.read_text())
    if version is None:  # a card of the pickled format
        for key in ("format_version", "files"):
            del card[key]
    else:
        card["format_version"] = version
    card_path.write_text(json.dumps(card))
    with pytest.raises(ModelError, match=f"{CARD_FILE}: {message}.*scorer train --data"):
        load_bundle(model_copy)


def test_missing_model(tmp_path):
    with pytest.raises(ModelError, match="model not trained yet"):
        load_bundle(tmp_path)


def test_installed_package_finds_its_model(tmp_path):
    """From outside the checkout, the installed package (not the source tree) must find the model."""
    code = "from scorer.model.store import load_bundle; b = load_bundle(); print(b['card']['id'])"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "attribution-v1"


def test_the_default_model_is_the_installed_package_data(monkeypatch, tmp_path):
    """Never the checkout around the package: `scorer.models` when it imports (an editable or plain install), else
    the installed copy's scorer/models found along sys.path (as when a checkout's tests import its source tree
    beside a plain install), else a one-line ModelError."""
    import importlib.resources
    import sys

    try:
        expected = Path(str(importlib.resources.files("scorer.models")))
    except ModuleNotFoundError:  # a source tree imported beside a plain install (CI): the installed copy
        expected = next(Path(p or ".") / "scorer" / "models" for p in sys.path
                        if (Path(p or ".") / "scorer" / "models" / CARD_FILE).is_file())
    assert default_model_dir() == expected
    assert (expected / CARD_FILE).is_file() and expected.parent.parent != Path(__file__).resolve().parents[2]

    import scorer.model.store as store

    monkeypatch.setattr(store, "_package_dir", lambda name: None)  # scorer.models not importable
    monkeypatch.setattr(sys, "path", [str(tmp_path)])  # nothing installed anywhere
    with pytest.raises(ModelError, match=r"^the shipped model is not installed .*--model DIR$"):
        default_model_dir()
    with pytest.raises(ModelError, match="not installed"):
        load_bundle()


def test_verify_model_checks_without_parsing(model_copy, monkeypatch):
    import numpy as np

    import scorer.model.store as model

    def never(*args, **kwargs):
        raise AssertionError("verify_model parsed a model file")

    for name in ("_parse_manifest", "_parse_arrays", "_build"):
        monkeypatch.setattr(model, name, never)
    monkeypatch.setattr(np, "load", never)
    path, card = model.verify_model(model_copy)
    assert path == model_copy / MANIFEST_FILE and card["id"] == "attribution-v1"
    (model_copy / ARRAYS_FILE).write_bytes(b"\x80\x04garbage that would fail to unpickle")
    with pytest.raises(ModelError, match="checksum"):
        model.verify_model(model_copy)


class _WritesAFile:
    """A pickle payload that creates a file when unpickled: loading it must never happen."""

    def __init__(self, target):
        self.target = str(target)

    def __reduce__(self):
        return (exec, (f"open({self.target!r}, 'w').write('executed')",))


@pytest.mark.parametrize("kind", ["malicious", "truncated", "foreign"])
@pytest.mark.parametrize("name", [ARRAYS_FILE, MANIFEST_FILE])
def test_untrusted_model_file_refused_exit_3_nothing_executed(model_copy, tmp_path_factory, example_path, kind, name):
    """Files replaced without updating the card: refused on the checksum (tests/model/test_model_files.py forges the
    card too)."""
    import pickle

    import numpy as np
    from click.testing import CliRunner

    from scorer.cli import cli

    marker = tmp_path_factory.mktemp("marker") / "pwned.txt"
    path = model_copy / name
    if kind == "malicious":
        path.write_bytes(pickle.dumps(_WritesAFile(marker)))
    elif kind == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    else:  # a valid file of the right kind holding something else
        if name == ARRAYS_FILE:
            np.savez(path, a=np.zeros(3))
        else:
            path.write_text(json.dumps({"format_version": 1}))
    for args in (["score", str(example_path)], ["model-info"]):
        result = CliRunner().invoke(cli, args + ["--model", str(model_copy)])
        assert result.exit_code == 3
        assert f"{name}: checksum" in result.stderr and "scorer train --data" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert not marker.exists()


def test_the_payload_would_have_run(tmp_path):
    """Guards the test above: unpickling the payload really does create the file."""
    import pickle

    marker = tmp_path / "pwned.txt"
    pickle.loads(pickle.dumps(_WritesAFile(marker)))
    assert marker.read_text() == "executed"


def test_model_option_missing_or_empty_directory(tmp_path, example_path):
    from click.testing import CliRunner

    from scorer.cli import cli

    runner = CliRunner()
    missing = runner.invoke(cli, ["score", str(example_path), "--model", str(tmp_path / "nope")])
    assert missing.exit_code == 3
    assert f"{tmp_path / 'nope'}: model directory not found" in missing.stderr
    empty = runner.invoke(cli, ["batch", str(example_path.parent), "-o", str(tmp_path / "o.jsonl"),
                                "--model", str(tmp_path)])
    assert empty.exit_code == 3
    assert "model card not found (model not trained yet?)" in empty.stderr
