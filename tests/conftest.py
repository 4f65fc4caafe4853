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


# session fixtures that take seconds to build: with pytest-xdist (`-n 2 --dist loadgroup`, the README's test command)
# the tests that use them run in one worker, which builds each once
_COSTLY_FIXTURES = frozenset({"corpus_frame", "small_training", "small_heads"})


def pytest_collection_modifyitems(config, items):
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "shared_data" in names:
            item.add_marker(pytest.mark.shared)
        if _COSTLY_FIXTURES.intersection(names):
            item.add_marker(pytest.mark.xdist_group("corpus"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "polnear").is_dir():
        message = f"{SHARED_DATA} not found: these tests need ../shared beside the repository"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI expects it)")
        pytest.skip(message)
    return SHARED_DATA


@pytest.fixture(scope="session")
def tiny_data(shared_data, tmp_path_factory) -> Path:
    """A `--data` directory with the layout of ../shared/data, as symlinks: the subjectivity corpora and the BBC
    pool whole, PolNeAR cut to its first 12 train and 8 dev documents (metadata.tsv rewritten to list only those),
    for end-to-end runs of the commands that would take a minute on the whole corpus."""
    root = tmp_path_factory.mktemp("tiny") / "data"
    polnear = root / "polnear" / "data"
    polnear.mkdir(parents=True)
    for entry in shared_data.iterdir():
        if entry.name != "polnear":
            (root / entry.name).symlink_to(entry)
    (root / "polnear" / "README.md").symlink_to(shared_data / "polnear" / "README.md")
    lines = (shared_data / "polnear" / "data" / "metadata.tsv").read_text(encoding="utf-8").splitlines()
    kept = {"train": [], "dev": []}
    for line in lines[1:]:
        compartment = line.split("\t", 1)[0]
        if len(kept.get(compartment, range(99))) < {"train": 12, "dev": 8}.get(compartment, 0):
            kept[compartment].append(line)
    (polnear / "metadata.tsv").write_text("\n".join([lines[0], *kept["train"], *kept["dev"]]) + "\n",
                                          encoding="utf-8")
    for compartment, rows in kept.items():
        for sub in ("text", "attributions"):
            (polnear / compartment / sub).mkdir(parents=True)
        for row in rows:
            name = row.split("\t")[1]
            source = shared_data / "polnear" / "data" / compartment
            (polnear / compartment / "text" / f"{name}.txt").symlink_to(source / "text" / f"{name}.txt")
            for ann in (source / "attributions").glob(f"{name}_*.ann"):
                (polnear / compartment / "attributions" / ann.name).symlink_to(ann)
    return root


@pytest.fixture(scope="session")
def polnear_texts(shared_data) -> list[str]:
    """The texts of the PolNeAR dev articles and of every sixth train article (224 of the 924), in a fixed order:
    the corpus of the old-vs-new and kernel parity checks (the whole corpus would add minutes to the suite)."""
    text_dir = shared_data / "polnear" / "data"
    paths = sorted((text_dir / "dev" / "text").glob("*.txt")) + sorted((text_dir / "train" / "text").glob("*.txt"))[::6]
    texts = [p.read_text(encoding="utf-8") for p in paths]
    assert len(texts) > 200
    return texts


@pytest.fixture(scope="session")
def polnear_sentences(polnear_texts) -> list[list[str]]:
    """The sentence texts of each of `polnear_texts`, as the pipeline splits them."""
    from scorer.text.segment import split_article

    return [[s.text for s in split_article(t)[0]] for t in polnear_texts]


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

    polnear = corpus_frame["corpus"] == "polnear"
    docs = sorted(corpus_frame.loc[polnear & (corpus_frame["split"] == "train"), "doc_id"].unique())[:60]
    # only the kept documents go through the tagger (the cue lexicon is still learned from all of train)
    kept = ~polnear | corpus_frame["doc_id"].isin(docs) | (corpus_frame["split"] == "dev")
    _, cues, small, subj = prepare(shared_data, corpus=corpus_frame[kept].reset_index(drop=True),
                                   tagger=load_bundle()["spans"])
    return cues, small, subj


@pytest.fixture(scope="session")
def small_heads(small_training):
    """The three scikit-learn heads fitted on `small_training`."""
    from scorer.training.heads import fit_heads

    cues, pol, subj = small_training
    return fit_heads(pol, subj, cues)
