"""Training the claim-level head: the readings load by offsets and hashes (a changed corpus is refused), the
fitted head compiles to the same probabilities, and the out-of-fold folds follow articles."""
import shutil
from pathlib import Path

import numpy as np
import pytest

from scorer.errors import InputError
from scorer.model.claims import CLAIM_CLASSES
from scorer.training.claims import (ClaimRows, claim_inputs, compile_claim_model, document_folds_of,
                                    fit_claim_model, load_claims)

REPO = Path(__file__).resolve().parents[2]
CLAIMS = REPO / "data" / "claims"


@pytest.fixture(scope="module")
def read_articles(shared_data):
    return load_claims(CLAIMS, shared_data, REPO / "examples")


def test_readings_load_with_their_sets(read_articles):
    sets = {a.set for a in read_articles}
    assert sets == {"train", "dev", "example"}
    example = next(a for a in read_articles if a.article_id == "example/iran-bounties-commune")
    assert example.units[0].text == "Site icon The Commune" and example.labels[0]["type"] == "furniture"
    assert sum(len(a.labels) for a in read_articles if a.set == "dev") >= 800


def test_a_unit_whose_text_changed_is_refused(tmp_path, shared_data):
    for name in ("units.tsv", "labels.tsv"):
        shutil.copy(CLAIMS / name, tmp_path / name)
    lines = (tmp_path / "units.tsv").read_text(encoding="utf-8").splitlines()
    fields = lines[1].split("\t")
    fields[-1] = "0" * 16
    lines[1] = "\t".join(fields)
    (tmp_path / "units.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="no longer matches its text hash"):
        load_claims(tmp_path, shared_data)


def test_a_small_head_compiles_to_the_fitted_probabilities(read_articles):
    from scipy.sparse import csr_matrix, hstack

    from scorer.model.store import load_bundle
    from scorer.training.claims import SOURCE_WEIGHT, WORD_WEIGHT

    heads = load_bundle()["attribution"]
    part = [a for a in read_articles if a.set == "dev"][:20]  # (20 read articles hold every class; all 40: 2x slower)
    rows = ClaimRows(part, claim_inputs(part, lambda _: heads, heads.cues))
    assert set(rows.y) == set(CLAIM_CLASSES)
    words, sources, scaler, clf, grade = fit_claim_model(rows.texts, rows.tokens, rows.dense, list(rows.y), rows.grades)
    model = compile_claim_model(words, sources, scaler, clf, grade)
    X = hstack([words.transform(rows.texts) * WORD_WEIGHT, sources.transform(rows.tokens) * SOURCE_WEIGHT,
                csr_matrix(scaler.transform(rows.dense))]).tocsr()
    order = [list(clf.classes_).index(c) for c in CLAIM_CLASSES]
    probs, grades = model.predict(rows.texts, rows.tokens, rows.dense)
    assert np.allclose(probs, clf.predict_proba(X)[:, order], atol=1e-6)
    assert np.allclose(grades, np.clip(grade.predict(X), 0, 3), atol=1e-6)
    graded = ~np.isnan(rows.grades)  # furniture has no grade and is left out of the grade row's fit
    assert graded.sum() < len(rows.y) and np.corrcoef(grades[graded], rows.grades[graded])[0, 1] > 0.5


def test_folds_keep_an_article_together():
    groups = np.array(["a", "a", "b", "c", "c", "c", "d"])
    folds = document_folds_of(groups)
    for g in set(groups):
        assert len(set(folds[groups == g])) == 1
    assert np.array_equal(folds, document_folds_of(groups))  # seeded: the same every run
