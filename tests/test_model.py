"""Model file checks: checksum before unpickling, scikit-learn version, clear exit-3 errors."""
import json
import shutil
import subprocess
import sys

import pytest

from scorer.errors import ModelError
from scorer.model import default_model_dir, load_bundle, read_card, sha256_file


@pytest.fixture()
def model_copy(tmp_path):
    src = default_model_dir()
    for name in ("attribution-v1.joblib", "attribution-v1.json"):
        shutil.copy(src / name, tmp_path / name)
    return tmp_path


def test_card_describes_the_model():
    card = read_card()
    assert card["sha256"] == sha256_file(default_model_dir() / "attribution-v1.joblib")
    assert {"python", "scikit-learn", "joblib"} <= set(card["versions"])
    assert {"polnear", "checkthat2025_en", "newssd_eng"} <= set(card["training_data"])
    assert card["dev_metrics"]["four_class"]["macro_f1"] > 0
    assert (default_model_dir() / "attribution-v1.joblib").stat().st_size <= 20 * 1024 * 1024


def test_corrupt_file_refused_before_unpickling(model_copy):
    path = model_copy / "attribution-v1.joblib"
    path.write_bytes(b"not a pickle" + path.read_bytes()[12:])
    with pytest.raises(ModelError, match="checksum .* does not match .*scorer train --data"):
        load_bundle(model_copy)


def test_sklearn_version_mismatch_refused(model_copy):
    card_path = model_copy / "attribution-v1.json"
    card = json.loads(card_path.read_text())
    card["versions"]["scikit-learn"] = "0.24.2"
    card_path.write_text(json.dumps(card))
    with pytest.raises(ModelError, match="trained with scikit-learn 0.24.2.*scorer train"):
        load_bundle(model_copy)


def test_missing_model(tmp_path):
    with pytest.raises(ModelError, match="model not trained yet"):
        load_bundle(tmp_path)


def test_installed_package_finds_its_model(tmp_path):
    """From outside the checkout, the installed package (not the source tree) must find the model."""
    code = "from scorer.model import load_bundle; b = load_bundle(); print(b['card']['id'])"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "attribution-v1"


def test_verify_model_checks_without_unpickling(model_copy):
    from scorer.model import verify_model

    path, card = verify_model(model_copy)
    assert path.name == "attribution-v1.joblib" and card["id"] == "attribution-v1"
    (model_copy / "attribution-v1.joblib").write_bytes(b"\x80\x04garbage that would fail to unpickle")
    with pytest.raises(ModelError, match="checksum"):
        verify_model(model_copy)
