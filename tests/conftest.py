"""Shared fixtures: where the read-only corpora and examples live (../shared beside the repo)."""
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
EXAMPLE = REPO / "examples" / "iran-bounties-commune.txt"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "polnear").is_dir():
        pytest.fail(f"{SHARED_DATA} not found: CI expects ../shared beside the repository")
    return SHARED_DATA


@pytest.fixture(scope="session")
def corpus_frame(shared_data):
    from scorer.training.corpus import build_corpus

    return build_corpus(shared_data)


@pytest.fixture(scope="session")
def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def example_path() -> Path:
    return EXAMPLE


@pytest.fixture(scope="session")
def small_training(shared_data):
    """(cue lexicon, PolNeAR model frames of 60 train documents + all dev, subjectivity frames): quick to fit."""
    from scorer.training.frames import prepare

    corpus, cues, pol, subj = prepare(shared_data)
    docs = sorted(pol[pol["split"] == "train"]["doc_id"].unique())[:60]
    small = pol[pol["doc_id"].isin(docs) | (pol["split"] == "dev")]
    return cues, small, subj


@pytest.fixture(scope="session")
def small_heads(small_training):
    """The three scikit-learn heads fitted on `small_training`."""
    from scorer.training.train import fit_heads

    cues, pol, subj = small_training
    return fit_heads(pol, subj, cues)
