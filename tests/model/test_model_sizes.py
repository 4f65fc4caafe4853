"""A hostile model directory's oversized files are refused before they are read whole: a model file larger than the
card's size_bytes (or, without one, than MAX_MODEL_FILE_BYTES) and a card larger than MAX_CARD_BYTES give one-line
ModelErrors (exit 3) naming the file; a card whose size_bytes is not a size is refused."""
import json

import pytest

import scorer.model.store as store
from scorer.errors import ModelError
from scorer.model.store import ARRAYS_FILE, CARD_FILE, MANIFEST_FILE, RETRAIN, load_bundle


def _refused(model_dir, file_name, text) -> None:
    with pytest.raises(ModelError) as info:
        load_bundle(model_dir)
    message = str(info.value)
    assert info.value.exit_code == 3 and "\n" not in message, message
    assert message.startswith(f"{model_dir / file_name}: ") and message.endswith(RETRAIN), message
    assert text in message, message


def _card(model_dir) -> dict:
    return json.loads((model_dir / CARD_FILE).read_text())


def test_a_file_larger_than_the_cards_size_is_not_read_past_it(model_dir, monkeypatch):
    with open(model_dir / ARRAYS_FILE, "ab") as fh:
        fh.write(b"\0" * 4096)  # grown past the size the card records (the checksum would fail too, later)
    reads = []
    real = store._read_at_most
    monkeypatch.setattr(store, "_read_at_most", lambda path, limit: reads.append(limit) or real(path, limit))
    size = _card(model_dir)["files"][ARRAYS_FILE]["size_bytes"]
    _refused(model_dir, ARRAYS_FILE, f"larger than the card's {size:,} bytes")
    assert reads[-1] == size


def test_without_a_size_the_cap_holds(model_dir, monkeypatch):
    card = _card(model_dir)
    for entry in card["files"].values():
        del entry["size_bytes"]
    (model_dir / CARD_FILE).write_text(json.dumps(card))
    monkeypatch.setattr(store, "MAX_MODEL_FILE_BYTES", 1000)
    _refused(model_dir, MANIFEST_FILE, "larger than 1,000 bytes")


def test_a_card_with_a_bad_size_is_refused(model_dir):
    for bad in (-1, "9542", 1.5, True, 2 ** 40):
        card = _card(model_dir)
        card["files"][MANIFEST_FILE]["size_bytes"] = bad
        (model_dir / CARD_FILE).write_text(json.dumps(card))
        _refused(model_dir, CARD_FILE, "size_bytes")


def test_a_huge_card_is_refused_unparsed(model_dir, monkeypatch):
    card = _card(model_dir)
    card["padding"] = "x" * 5000
    (model_dir / CARD_FILE).write_text(json.dumps(card))
    monkeypatch.setattr(store, "MAX_CARD_BYTES", 4000)
    _refused(model_dir, CARD_FILE, "model card larger than 4,000 bytes")


def test_the_shipped_model_loads_within_its_sizes(model_dir):
    assert load_bundle(model_dir)  # the card's sizes are the files' sizes
