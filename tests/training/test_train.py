"""Training is deterministic and trains only on training splits (a small subset keeps this quick)."""
import pickle
from pathlib import Path

import numpy as np
import pytest

from scorer.model.support import corroboration
from scorer.training.compile import compile_attribution
from scorer.training.cuelexicon import learn_cue_lexicon
from scorer.training.evaluate import expected_calibration_error, keyword_rule
from scorer.training.heads import fit_heads
from scorer.training.train import fit_support


@pytest.fixture(scope="module")
def prepared(small_training):
    return small_training


def test_same_data_same_model(prepared, small_heads):
    cues, pol, subj = prepared
    again = fit_heads(pol, subj, cues)
    assert pickle.dumps(small_heads.attributed["clf"].coef_) == pickle.dumps(again.attributed["clf"].coef_)
    a, b = compile_attribution(small_heads), compile_attribution(again)
    dev = pol[pol["split"] == "dev"].head(300)
    assert np.array_equal(a.predict_proba(dev), b.predict_proba(dev))
    assert pickle.dumps(a.source_type.coef_words) == pickle.dumps(b.source_type.coef_words)


def test_heads_never_see_dev_rows(prepared, monkeypatch):
    cues, pol, subj = prepared
    seen = []
    import scorer.training.heads as train_module  # fit_heads builds its pipelines there

    real = train_module.build_pipeline

    def spy(*args, **kwargs):
        pipe = real(*args, **kwargs)
        fit = pipe.fit

        def recording_fit(X, y):
            seen.append(set(X["split"]))
            return fit(X, y)

        pipe.fit = recording_fit
        return pipe

    monkeypatch.setattr(train_module, "build_pipeline", spy)
    fit_heads(pol, subj, cues)
    assert seen == [{"train"}, {"train"}, {"train"}]


def test_cue_lexicon_learns_marked_words():
    docs = [("Smith said it. Jones said no. Officials warned. The cat sat.", [(6, 10), (20, 24), (38, 44)])] * 5
    lexicon = learn_cue_lexicon(docs, min_count=5, min_share=0.5)
    assert {"said", "warned"} <= lexicon and "cat" not in lexicon and "officials" not in lexicon


def test_support_model_orders_grades():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    y = np.clip(np.round(1.5 + X[:, 0]), 0, 3).astype(int)
    model = fit_support(X, y)
    support, grade = model.predict(np.array([[-2, 0, 0], [2, 0, 0]]))
    assert support[0] < 0.3 < 0.7 < support[1] and list(grade) == [0, 3]


def test_corroboration_links_differently_typed_sentences():
    texts = ["Officials said the Bagram airbase attack killed six soldiers in December.",
             "The Pentagon confirmed six soldiers died at Bagram airbase in December.",
             "Unrelated weather news today."]
    assert corroboration(texts, ["anonymous_intelligence", "named_source", "outlet_claim"]) == [1, 0, None]
    assert corroboration(texts, ["named_source", "named_source", "outlet_claim"]) == [None, None, None]


def test_baseline_and_calibration_helpers():
    assert keyword_rule("Officials said the deal was off.") == "anonymous_intelligence"
    assert keyword_rule("The Pentagon said the deal was off.") == "named_source"
    assert keyword_rule("This reckless decision should be reversed.") == "editorial_opinion"
    probs = np.array([[0.9, 0.1], [0.9, 0.1]])
    assert expected_calibration_error(probs, np.array([0, 1])) == pytest.approx(0.4)



def test_corroboration_ties_do_not_follow_set_order(monkeypatch):
    """Sentence 1 shares six words with sentence 0 and six with sentence 2, at the same distance. The
    earlier one must win whatever order the word sets iterate in: that order follows the string-hash
    seed, which differs per process, and once made 'corroborated by' and the flags change run to run."""
    import scorer.model.support as support

    texts = ["Six soldiers died at Bagram airbase this morning.",
             "Officials said six soldiers died at Bagram airbase yesterday morning.",
             "The Pentagon said six soldiers died at Bagram airbase yesterday."]
    labels = ["outlet_claim", "anonymous_intelligence", "named_source"]
    real = support.content_words
    for first in ("yesterday", "morning", "six"):
        monkeypatch.setattr(support, "content_words",
                            lambda text, first=first: sorted(real(text), key=lambda w: (w != first, w)))
        assert support.corroboration(texts, labels)[1] == 0


def test_support_features_come_from_heads_that_never_saw_the_graded_document(prepared, monkeypatch):
    """Graded training sentences get type probabilities from heads refitted without their document
    (as on new text); graded dev sentences get the shipped heads."""
    import pandas as pd

    import scorer.training.train as train_module

    cues, pol, subj = prepared
    train_docs = sorted(pol.loc[pol["split"] == "train", "doc_id"].unique())[:6]
    dev_doc = pol.loc[pol["split"] == "dev", "doc_id"].iloc[0]
    subj_doc = subj.loc[subj["split"] == "train", "doc_id"].iloc[0]
    grades = pd.DataFrame({"corpus": ["polnear"] * 7 + ["checkthat2025"], "doc_id": train_docs + [dev_doc, subj_doc],
                           "start": 0, "end": 10, "grade": 1})
    fitted, used = [], []

    def fake_fit(p, s, c):
        fitted.append(set(p.loc[p["split"] == "train", "doc_id"]) | set(s.loc[s["split"] == "train", "doc_id"]))
        return len(fitted) - 1  # stands for the heads fitted on those documents

    def fake_features(g, p, texts, model, claims):
        used.append((list(g["doc_id"]), model))
        return np.ones((len(g), len(train_module.SUPPORT_FEATURES)))

    monkeypatch.setattr(train_module, "fit_heads", fake_fit)
    monkeypatch.setattr(train_module, "compile_attribution", lambda heads: heads)
    monkeypatch.setattr(train_module, "graded_features", fake_features)
    shipped = type("Shipped", (), {"cues": cues})()
    X = train_module.out_of_fold_support_features(grades, pol, subj, {}, shipped, None, folds=5)
    assert X.shape == (8, len(train_module.SUPPORT_FEATURES)) and (X == 1).all()
    covered = []
    for docs, model in used:
        covered += docs
        if isinstance(model, int):  # refitted heads: none of this call's documents were in their training set
            assert not set(docs) & fitted[model], docs
        else:
            assert model is shipped and set(docs) == {dev_doc}
    assert sorted(covered) == sorted(grades["doc_id"])


def test_train_from_the_command_lines_paths_writes_a_model_that_loads(tmp_path, shared_data, corpus_frame,
                                                                       small_training, small_heads, monkeypatch):
    """`train()` as `scorer train` calls it, with the data paths as the strings the options give, on the small
    heads: the model it writes loads and scores, and the card names the claim-level reading's files and carries the
    audit and claim-level figures. The corpus and the heads are the tests' small stand-ins, and the claim head is
    fitted on 40 read articles without refitting the heads per fold (the full run takes minutes), so the audits are
    cut to the dev documents the small frames hold."""
    import pandas as pd

    import scorer.training.claims as claims_module
    import scorer.training.train as train_module
    from scorer.model.store import load_bundle
    from scorer.pipeline import Scorer
    from scorer.training.audit import AUDIT_FILE, JUDGED_DEV_FILE

    cues, pol, subj = small_training
    monkeypatch.setattr(train_module, "prepare", lambda data_dir, tagger=None: (corpus_frame, cues, pol, subj))
    # the span tagger on a few articles and iterations (the full fit takes minutes)
    real_docs, real_tagger = train_module.span_documents, train_module.train_tagger
    monkeypatch.setattr(train_module, "span_documents", lambda data_dir, split: real_docs(data_dir, split, limit=15))
    monkeypatch.setattr(train_module, "train_tagger", lambda docs, log=print: real_tagger(docs, {"max_iterations": 10},
                                                                                          log=log))
    monkeypatch.setattr(train_module, "fit_heads", lambda p, s, c: small_heads)
    real_load = claims_module.load_claims
    monkeypatch.setattr(claims_module, "load_claims", lambda *args: [a for a in real_load(*args)
                                                                     if a.set != "train"] + [
        a for a in real_load(*args) if a.set == "train"][:40])
    monkeypatch.setattr(claims_module, "heads_without", lambda arts, p, s, c, final, log=None:
                        {a.article_id: final for a in arts})
    monkeypatch.setattr(claims_module, "FOLDS", 2)  # the out-of-fold pass in two folds: 3 fits of the head, not 6
    repo = Path(__file__).resolve().parents[2]
    (tmp_path / "audits").mkdir()
    for name in (AUDIT_FILE, JUDGED_DEV_FILE):
        audit = pd.read_csv(repo / "tests" / "data" / name, sep="\t", dtype=str)
        audit[audit["split"] == "dev"].to_csv(tmp_path / "audits" / name, sep="\t", index=False)
    monkeypatch.chdir(repo)
    notes = []
    card = train_module.train(str(shared_data), str(tmp_path / "model"), "data/claims", str(tmp_path / "audits"),
                              "examples", log=notes.append)
    assert not [n for n in notes if n.startswith("note:")]
    assert set(card["claim_readings"]["files"]) == {"units.tsv", "labels.tsv", "readings.tsv"}
    assert card["claim_readings"]["training"]["n_articles"] == 40
    assert "language-model readers" in card["claim_readings"]["readers"]
    assert {"source_type_on_audit", "claim_level", "claim_reading", "spans"} <= set(card["dev_metrics"])
    assert {"tagger", "rules"} <= set(card["dev_metrics"]["spans"])
    assert card["dev_metrics"]["claim_reading"]["dev"]["n"] >= 800
    assert load_bundle(tmp_path / "model")["card"] == card
    assert Scorer(tmp_path / "model").score("Officials said the deal was off.").summary["type_shares"]