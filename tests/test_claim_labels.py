"""The claim-level reading (data/claims/): every stored unit still matches its text in ../shared by hash,
every label and reading refers to a dealt unit, and the values are the guide's."""
import csv
import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLAIMS = REPO / "data" / "claims"
TYPES = {"named_source", "anonymous_intelligence", "outlet_claim", "editorial_opinion", "furniture"}


def _tool():
    spec = importlib.util.spec_from_file_location("reading", REPO / "tools" / "reading.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows(name):
    with (CLAIMS / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_units_match_their_text_hashes(shared_data):
    reading = _tool()
    units = _rows("units.tsv")
    assert len(units) >= 6000
    texts = {}
    for u in units:
        if u["article_id"] not in texts:
            texts[u["article_id"]] = reading.article_text(shared_data, u["article_id"])
        text = texts[u["article_id"]]
        assert reading.text_hash(text[int(u["start"]):int(u["end"])]) == u["sha"], u


def test_labels_and_readings_refer_to_dealt_units():
    units = {(u["article_id"], u["index"]): u for u in _rows("units.tsv")}
    labels = _rows("labels.tsv")
    readings = _rows("readings.tsv")
    assert labels and readings
    for row in labels:
        unit = units[(row["article_id"], row["index"])]
        assert (row["start"], row["end"], row["sha"], row["set"]) == (unit["start"], unit["end"], unit["sha"], unit["set"])
        assert row["type"] in TYPES
        assert (row["grade"] == "") == (row["type"] == "furniture")
        assert row["status"] in {"single", "agreed", "settled"}
    for row in readings:
        assert (row["article_id"], row["index"]) in units
        assert row["type"] in TYPES and row["grade"] in {"", "0", "1", "2", "3"}
        assert "human" not in row["reader"].lower()


def test_no_article_text_is_stored():
    """Offsets and hashes only: no stored cell is as long as a sentence."""
    for name in ("units.tsv", "labels.tsv", "readings.tsv", "articles.tsv"):
        for row in _rows(name):
            assert all(len(v or "") < 120 for v in row.values()), (name, row)
