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
    from scorer.corpus import build_corpus

    return build_corpus(shared_data)


@pytest.fixture(scope="session")
def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def example_path() -> Path:
    return EXAMPLE
