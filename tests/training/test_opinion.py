"""The opinion head's setting (chosen by cross-validation on train) and the subjectivity figures' decision at equal
priors for sentences read alone."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scorer.training.claims import balanced_opinion, format_claim_figures, single_sentence_opinion_share
from scorer.training.heads import OPINION_C, build_opinion, opinion_cv

CLAIMS_DIR = Path(__file__).resolve().parents[2] / "data" / "claims"


def test_balanced_opinion_divides_the_odds_by_the_prior_odds():
    p = np.array([0.3, 0.49, 0.51, 0.7, 0.71, 0.9])
    assert balanced_opinion(p, 0.5).tolist() == (p > 0.5).tolist()  # equal priors: the most probable of the two
    # a head that saw opinion 70% of the time says opinion only where its odds beat 7:3
    assert balanced_opinion(p, 0.7).tolist() == [False, False, False, False, True, True]
    assert balanced_opinion(p, 0.2).tolist() == [True, True, True, True, True, True]


def _write(path: Path, rows: list[dict]) -> None:
    pd.DataFrame(rows).to_csv(path, sep="\t", index=False)


def test_single_sentence_share_counts_only_lone_training_sentences(tmp_path):
    _write(tmp_path / "articles.tsv", [
        {"article_id": "checkthat/train/1", "set": "train", "group": "checkthat-SUBJ", "n_units": 1},
        {"article_id": "checkthat/train/2", "set": "train", "group": "checkthat-OBJ", "n_units": 1},
        {"article_id": "checkthat/train/3", "set": "train", "group": "checkthat-OBJ", "n_units": 1},
        {"article_id": "polnear/train/a", "set": "train", "group": "nyt", "n_units": 2},
        {"article_id": "bbc/dev/b", "set": "dev", "group": "bbc-tech", "n_units": 1}])
    _write(tmp_path / "labels.tsv", [
        {"article_id": "checkthat/train/1", "index": 0, "type": "editorial_opinion"},
        {"article_id": "checkthat/train/2", "index": 0, "type": "editorial_opinion"},
        {"article_id": "checkthat/train/3", "index": 0, "type": "outlet_claim"},
        {"article_id": "polnear/train/a", "index": 0, "type": "editorial_opinion"},
        {"article_id": "polnear/train/a", "index": 1, "type": "editorial_opinion"},
        {"article_id": "bbc/dev/b", "index": 0, "type": "editorial_opinion"}])
    share, n = single_sentence_opinion_share(tmp_path)
    assert n == 3 and share == pytest.approx(2 / 3)
    _write(tmp_path / "labels.tsv", [{"article_id": "polnear/train/a", "index": 0, "type": "editorial_opinion"}])
    assert single_sentence_opinion_share(tmp_path) is None


def test_the_shipped_readings_give_the_lone_sentence_prior():
    share, n = single_sentence_opinion_share(CLAIMS_DIR)
    # 300 CheckThat train sentences drawn two SUBJ to one OBJ and read alone; most are read as opinion
    assert 250 <= n <= 300 and 0.6 < share < 0.8


def test_subjectivity_lines_show_every_figure():
    lines = format_claim_figures({"subjectivity": {"checkthat2025/dev": {
        "n": 462, "model_macro_f1": 0.61, "previous_model_macro_f1": 0.62, "opinion_head_macro_f1": 0.63,
        "model_balanced_macro_f1": 0.67, "single_sentence_opinion_share": {"share": 0.719, "n": 299}}}})
    assert len(lines) == 1
    for figure in ("0.610", "0.620", "0.630", "0.670", "299", "0.719"):
        assert figure in lines[0]


def _sentences(n_per_class: int, split: str, seed: int) -> pd.DataFrame:
    rng = np.random.RandomState(seed)
    opinion = ["we should", "this is shameful", "terrible", "must stop", "I think", "absurd", "a disgrace"]
    neutral = ["the council met", "on Tuesday", "the report said", "in 2016", "the company", "voted", "the budget"]
    rows = []
    for label, words in (("SUBJ", opinion), ("OBJ", neutral)):
        for _ in range(n_per_class):
            rows.append({"text": " ".join(rng.choice(words, 4)) + ".", "subjectivity": label, "split": split})
    return pd.DataFrame(rows)


def test_opinion_cv_is_seeded_and_reads_only_training_rows():
    train = _sentences(20, "train", 1)
    figures = opinion_cv(train, grid=(0.3, 3.0), repeats=2, folds=3)
    assert set(figures) == {0.3, 3.0}
    assert all(0.9 <= mean <= 1.0 and std >= 0 for mean, std in figures.values())  # separable words: learnt
    noisy_dev = _sentences(20, "dev", 2).assign(subjectivity="SUBJ")
    assert opinion_cv(pd.concat([train, noisy_dev], ignore_index=True), grid=(0.3, 3.0), repeats=2, folds=3) == figures


def test_the_opinion_head_uses_the_chosen_setting():
    head = build_opinion()
    assert head.named_steps["clf"].C == OPINION_C
    assert head.named_steps["clf"].class_weight == "balanced"
    words = head.named_steps["features"].transformer_list[0][1][-1]
    assert words.ngram_range == (1, 1) and words.min_df == 1
