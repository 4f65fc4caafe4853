"""Shared fixtures: where the read-only corpora and examples live (../shared beside the repo).

Tests that need the corpora in ../shared/data use the `shared_data` fixture (directly or through another
fixture) and are marked `shared` for it: `pytest -m "not shared"` runs the rest. Without ../shared they are
skipped with the reason, except under CI (env CI set), where a missing ../shared is a failure.
"""
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
EXAMPLE = REPO / "examples" / "iran-bounties-commune.txt"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "shared_data" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.shared)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "polnear").is_dir():
        message = f"{SHARED_DATA} not found: these tests need ../shared beside the repository"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI expects it)")
        pytest.skip(message)
    return SHARED_DATA


@pytest.fixture(scope="session")
def corpus_frame(shared_data):
    """The labelled sentence table of the corpora, built once per run (`small_training` reuses it)."""
    from scorer.training.corpus import build_corpus

    return build_corpus(shared_data)


@pytest.fixture(scope="session")
def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def example_path() -> Path:
    return EXAMPLE


@pytest.fixture(scope="session")
def small_training(shared_data, corpus_frame):
    """(cue lexicon, PolNeAR model frames of 60 train documents + all dev, subjectivity frames): quick to fit. The
    frames carry the shipped span tagger's spans, as the shipped model's inputs do."""
    from scorer.model.store import load_bundle
    from scorer.training.frames import prepare

    corpus, cues, pol, subj = prepare(shared_data, corpus=corpus_frame, tagger=load_bundle()["spans"])
    docs = sorted(pol[pol["split"] == "train"]["doc_id"].unique())[:60]
    small = pol[pol["doc_id"].isin(docs) | (pol["split"] == "dev")]
    return cues, small, subj


@pytest.fixture(scope="session")
def small_heads(small_training):
    """The three scikit-learn heads fitted on `small_training`."""
    from scorer.training.heads import fit_heads

    cues, pol, subj = small_training
    return fit_heads(pol, subj, cues)
