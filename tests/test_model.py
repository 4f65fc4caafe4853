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


class _WritesAFile:
    """A pickle payload that creates a file when unpickled: loading it must never happen."""

    def __init__(self, target):
        self.target = str(target)

    def __reduce__(self):
        return (exec, (f"open({self.target!r}, 'w').write('executed')",))


@pytest.mark.parametrize("kind", ["malicious", "truncated", "foreign"])
def test_untrusted_model_file_refused_exit_3_nothing_executed(model_copy, tmp_path_factory, example_path, kind):
    import pickle

    from click.testing import CliRunner

    from scorer.cli import cli

    marker = tmp_path_factory.mktemp("marker") / "pwned.txt"
    path = model_copy / "attribution-v1.joblib"
    if kind == "malicious":
        path.write_bytes(pickle.dumps(_WritesAFile(marker)))
    elif kind == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    else:  # a valid joblib file of something else
        import joblib

        joblib.dump({"attribution": None, "support": None}, path)
    result = CliRunner().invoke(cli, ["score", str(example_path), "--model", str(model_copy)])
    assert result.exit_code == 3
    assert "checksum" in result.stderr and "scorer train --data" in result.stderr
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
