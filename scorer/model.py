"""Saving and loading the model bundle with its card; loading checks the checksum before unpickling.

The card (attribution-v1.json) records the training data, code and library versions, metrics and
the SHA-256 of the .joblib file. A file whose checksum or scikit-learn minor version does not match
is refused (ModelError, exit 3) with the command that rebuilds it.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .errors import ModelError

MODEL_ID = "attribution-v1"
RETRAIN = "retrain with: scorer train --data ../shared/data --out models/"


def default_model_dir() -> Path:
    """The shipped model: the installed `scorer.models` package data, or `models/` of a source checkout."""
    checkout = Path(__file__).resolve().parents[1] / "models"
    if (checkout / f"{MODEL_ID}.json").is_file():
        return checkout
    from importlib.resources import files

    try:
        return Path(str(files("scorer.models")))
    except ModuleNotFoundError:
        return checkout


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def paths(model_dir: str | Path | None = None) -> tuple[Path, Path]:
    """(model file, card file) in `model_dir` (default: the shipped model)."""
    base = Path(model_dir) if model_dir is not None else default_model_dir()
    return base / f"{MODEL_ID}.joblib", base / f"{MODEL_ID}.json"


def read_card(model_dir: str | Path | None = None) -> dict:
    """The model card as a dict; ModelError if it is missing or unreadable."""
    _, card_path = paths(model_dir)
    if model_dir is not None and not Path(model_dir).is_dir():
        raise ModelError(f"{model_dir}: model directory not found (--model expects a directory holding "
                         f"{MODEL_ID}.joblib and {MODEL_ID}.json); {RETRAIN}")
    if not card_path.is_file():
        raise ModelError(f"{card_path}: model card not found (model not trained yet?); {RETRAIN}")
    try:
        return json.loads(card_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{card_path}: unreadable model card ({exc}); {RETRAIN}") from None


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def verify_model(model_dir: str | Path | None = None) -> tuple[Path, dict]:
    """(model file, card) after checking the file's SHA-256 against the card and the installed
    scikit-learn minor version against the one it was trained with; nothing is unpickled."""
    model_path, _ = paths(model_dir)
    card = read_card(model_dir)
    if not model_path.is_file():
        raise ModelError(f"{model_path}: model file not found; {RETRAIN}")
    actual = sha256_file(model_path)
    if actual != card.get("sha256"):
        raise ModelError(f"{model_path}: checksum {actual[:12]}... does not match the card's "
                         f"{str(card.get('sha256'))[:12]}... (corrupt or replaced file); {RETRAIN}")
    from importlib.metadata import version

    installed = version("scikit-learn")  # without importing scikit-learn itself
    trained_with = card.get("versions", {}).get("scikit-learn", "?")
    if _minor(trained_with) != _minor(installed):
        raise ModelError(f"{model_path}: trained with scikit-learn {trained_with}, but {installed} is "
                         f"installed; install scikit-learn=={trained_with} or {RETRAIN}")
    return model_path, card


def load_bundle(model_dir: str | Path | None = None) -> dict:
    """Verify the model (checksum before unpickling, scikit-learn version), then unpickle the bundle
    {attribution, support, labels} and attach its card."""
    model_path, card = verify_model(model_dir)
    import joblib

    try:
        bundle = joblib.load(model_path)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means an unusable model
        raise ModelError(f"{model_path}: cannot load model ({type(exc).__name__}: {exc}); {RETRAIN}") from None
    bundle["card"] = card
    return bundle


def save_bundle(bundle: dict, card: dict, model_dir: str | Path) -> tuple[Path, Path]:
    """Write the bundle (joblib, compress=3) and its card with the file's SHA-256 and size."""
    import joblib

    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    model_path, card_path = paths(model_dir)
    joblib.dump(bundle, model_path, compress=3)
    card = dict(card, sha256=sha256_file(model_path), size_bytes=model_path.stat().st_size)
    card_path.write_text(json.dumps(card, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    card_path.with_suffix(".md").write_text(card_markdown(card), encoding="utf-8")
    return model_path, card_path


def card_markdown(card: dict) -> str:
    """A human-readable rendering of the card (the JSON stays the source of truth)."""
    m = card.get("dev_metrics", {})
    lines = [f"# Model card: {card['id']}", "",
             f"- file SHA-256: `{card.get('sha256')}` ({card.get('size_bytes', 0) / 1e6:.1f} MB)",
             f"- code version: {card.get('code_version')}",
             "- versions: " + ", ".join(f"{k} {v}" for k, v in card.get("versions", {}).items()),
             f"- labels: {', '.join(card.get('labels', []))}",
             f"- retrain: `{card.get('retrain')}`", "", "## Training data", ""]
    for name, info in card.get("training_data", {}).items():
        lines.append(f"- {name}: {info['source']}; licence: {info['licence']}; "
                     f"content SHA-256 `{card.get('corpus_sha256', {}).get(name, '?')[:16]}...`")
    grades = card.get("support_grades", {})
    lines += [f"- support grades: {grades.get('file')} ({grades.get('n')} sentences)", "",
              f"{card.get('splits', '')}", "", "## Dev metrics", ""]
    if m:
        lines += [f"- four labels macro-F1 {m['four_class']['macro_f1']} (keyword rule "
                  f"{m['baseline_keyword_rule']['macro_f1']}, majority {m['baseline_majority']['macro_f1']}); "
                  f"ECE {m['four_class']['ece']}",
                  f"- attribution detection F1 {m['attribution_detection']['f1']}",
                  f"- source type macro-F1 given attributed {m['source_type_given_attributed']['macro_f1']}",
                  f"- editorial opinion vs not macro-F1 {m['opinion_vs_not']['macro_f1']}"]
        if "support_cross_validated" in m:
            lines.append(f"- support Spearman (5-fold CV) {m['support_cross_validated']['spearman']}")
        if "claim_level" in m:
            cl = m["claim_level"]
            lines.append(f"- four labels vs a blind claim-level reading of {cl['n']} random dev sentences: accuracy "
                         f"{cl['model']['accuracy']}, macro-F1 {cl['model']['macro_f1']} (PolNeAR's derived labels "
                         f"{cl['derived_labels']['accuracy']}, keyword rule {cl['keyword_rule']['accuracy']})")
    return "\n".join(lines) + "\n"
