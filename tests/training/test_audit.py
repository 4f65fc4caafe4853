"""The hand audits of derived source types (tests/data/source_type_audit*.tsv) against today's converter."""
from pathlib import Path

from scorer.training.audit import (AUDIT_FILE, CLAIM_AUDIT_FILE, FOURTH_FILE, HELDOUT_FILE, JUDGED_DEV_FILE,
                                   NARRATED_AUDIT_FILE, NARRATED_DRAFT_FILE, THIRD_FILE, audit_summary, load_audit,
                                   match_audit, measured_audits)
from scorer.training.corpus import ACT_METHOD, NARRATED_METHOD

AUDITS = Path(__file__).resolve().parents[1] / "data"


def test_measured_audits_read_the_directory_given_or_note_what_is_skipped(tmp_path):
    notes = []
    audit, judged = measured_audits(AUDITS, log=notes.append)
    assert len(audit) >= 200 and len(judged) == 120 and notes == []
    assert measured_audits(AUDITS, judged=False, log=notes.append)[1] is None and notes == []
    (tmp_path / AUDIT_FILE).write_bytes((AUDITS / AUDIT_FILE).read_bytes())
    audit, judged = measured_audits(tmp_path, log=notes.append)
    assert len(audit) >= 200 and judged is None
    assert notes == [f"note: {tmp_path / JUDGED_DEV_FILE} not found, so the figures 'four labels vs. the claim-level "
                     "dev judgement' are skipped (give --audits DIR)"]
    assert measured_audits(None, log=notes.append) == (None, None) and len(notes) == 3


def test_audit_file_shape():
    audit = load_audit(AUDITS / AUDIT_FILE)
    assert len(audit) >= 200
    assert set(audit["verdict"]) <= {"named_source", "anonymous_intelligence", "outlet_claim", "none"}
    assert "text" not in audit.columns  # offsets and labels only, no article text


def test_mapping_accuracy_does_not_regress(corpus_frame):
    summary = audit_summary(match_audit(corpus_frame, load_audit(AUDITS / AUDIT_FILE)))
    # measured 0.951 on the 203 items a reader gave a source type (README; the target is 0.95),
    # after the rules were tuned on this sample: an upper estimate (see the held-out samples below); 0.945 on
    # the 183 left once the act rules' items (labelled at claim level, audited separately) are set aside
    assert summary["act_rule_items"] == 29, summary
    assert summary["accuracy_typed"] >= 0.945, summary
    assert summary["unresolved_typed"] <= 3, summary


def test_heldout_sample_accuracy(corpus_frame):
    """A second sample (80 items, seed 20261125, train split, none of the first sample) judged before
    its derived labels were looked at: 0.836 with the rules of the time, 0.918 after fixes it
    prompted (outlet gazetteer gaps, 'Another'/'Each' read as names, first-person 'I' resolved to an
    anonymous source), so now also an upper estimate; 0.900 on the 60 typed items outside the act rules."""
    heldout = load_audit(AUDITS / HELDOUT_FILE)
    assert len(heldout) == 80 and "text" not in heldout.columns
    summary = audit_summary(match_audit(corpus_frame, heldout))
    assert summary["typed_items"] == 60
    assert summary["accuracy_typed"] >= 0.9, summary


def _helper_sample_summary(corpus_frame, path) -> dict:
    """A 100-item sample judged by a helper session: its shape, then the mapping summary against it."""
    sample = load_audit(AUDITS / path)
    assert len(sample) == 100 and "text" not in sample.columns
    assert set(sample["verdict"]) <= {"named_source", "anonymous_intelligence", "outlet_claim", "none"}
    return audit_summary(match_audit(corpus_frame, sample))


def test_third_sample_accuracy(corpus_frame):
    """A third sample (100 items, seed 20261201, train split, none of the first two) judged by a helper
    session from reading sheets that hid the derived labels: 0.798 on its 89 typed items with the rules
    as they were (the honest estimate), 0.854 after the fixes its errors prompted (McConnell's
    'Majority Leader' read as a poll share, 'FEC reports' as anonymous, 'the officer' after an unnamed
    officer as named, a source who asked for anonymity, title-case headline capitals)."""
    summary = _helper_sample_summary(corpus_frame, THIRD_FILE)
    assert summary["typed_items"] == 75  # 89, less 14 the act rules now label (0.907 on the 75)
    assert summary["accuracy_typed"] >= 0.9, summary


def test_fourth_sample_accuracy(corpus_frame):
    """A fourth sample (100 items, seed 20261202, train split, none of the first three) judged blind by a
    helper session after this round's rules were written, and not used to change them: the estimate of
    the current rules' accuracy on new text (0.943 on its 88 typed items)."""
    summary = _helper_sample_summary(corpus_frame, FOURTH_FILE)
    assert summary["typed_items"] == 80  # 88, less 8 the act rules now label (0.938 on the 80)
    assert summary["accuracy_typed"] >= 0.93, summary


def test_act_rule_claim_audit(corpus_frame):
    """The act rule (wants, plans, stances, votes, questions -> the outlet's narration), judged blind at the level
    of the claim: 80 sentences it labelled mixed with 40 other attributed ones, shuffled, no labels or marks shown
    (tools/make_claim_audit_sample.py, seed 20261203), two helper sessions. On the 79 it still labels, the judges
    gave outlet_claim to 52 (0.66) and a source type to 10 (the derived type before the rule matched 9, 0.11)."""
    ruled, controls = _claim_audit(corpus_frame, CLAIM_AUDIT_FILE, ACT_METHOD)
    assert len(ruled) >= 79 and set(ruled["group"]) == {"rule"}
    assert (ruled["verdict"] == ruled["derived"]).mean() >= 0.65
    assert ruled["verdict"].isin(["named_source", "anonymous_intelligence"]).mean() <= 0.13
    # the controls were judged before the narrated-act rule existed: it now labels 9 of them, and the judges gave 8
    # of those 9 no source type; the derived labels of all 40 match on 0.675 (0.525 before that rule; README)
    narrated = controls[controls["method"] == NARRATED_METHOD]
    assert len(narrated) == 9 and narrated["verdict"].isin(["outlet_claim", "editorial_opinion"]).sum() == 8
    assert (controls["verdict"] == controls["derived"]).mean() >= 0.65


def _claim_audit(corpus_frame, path, method):
    """A claim-level audit file (120 items, ids and offsets only) matched to the corpus: the items `method` labels,
    and the controls."""
    audit = load_audit(AUDITS / path)
    assert len(audit) == 120 and "text" not in audit.columns and set(audit["group"]) == {"rule", "control"}
    matched = match_audit(corpus_frame, audit)
    return matched[matched["method"] == method], matched[matched["group"] == "control"]


def test_narrated_act_rule_claim_audit(corpus_frame):
    """The narrated-act rule (a PolNeAR cue with no word of saying, thinking or showing -> the outlet's narration),
    judged blind like the act rule (seed 20261205; none of the earlier samples). As judged: outlet_claim on 48 of 80
    (0.60), a source type on 12 (0.15; the old label matched 11). Its errors then prompted three fixes ("dismiss"
    stems, "liken", documents and polls kept as the data's), so the figures now are upper estimates."""
    ruled, controls = _claim_audit(corpus_frame, NARRATED_AUDIT_FILE, NARRATED_METHOD)
    assert len(ruled) == 73 and set(ruled["group"]) == {"rule"}
    assert (ruled["verdict"] == ruled["derived"]).mean() >= 0.65
    assert ruled["verdict"].isin(["named_source", "anonymous_intelligence"]).mean() <= 0.09
    # attributed sentences outside both rules: the derived label matches the claim-level reading on 0.75
    assert not controls["method"].isin([ACT_METHOD, NARRATED_METHOD]).any()
    assert (controls["verdict"] == controls["derived"]).mean() >= 0.75


def test_narrated_act_rule_draft_audit(corpus_frame):
    """A first draft of the rule (a smaller word list, quotes checked in the sentence only; seed 20261204), judged
    blind the same way: outlet_claim on 37 of its 80 (0.46), a source type on 22 (0.28; the old label matched 20).
    The final rule labels 65 of them, 0.54 as outlet_claim."""
    ruled, _ = _claim_audit(corpus_frame, NARRATED_DRAFT_FILE, NARRATED_METHOD)
    assert len(ruled) == 65
    assert (ruled["verdict"] == ruled["derived"]).mean() >= 0.53


def test_claim_level_dev_judgement(small_training):
    """120 random PolNeAR dev sentences (seed 20261206, any label) judged blind at claim level by two helper
    sessions: the shipped model's four labels agree on 0.583 (the previous round's model 0.467), PolNeAR's derived
    labels on 0.592 (0.517 before this round's act rules), the keyword rule on 0.442 (`scorer evaluate` prints it)."""
    from scorer.training.evaluate import claim_level_figures
    from scorer.model.store import load_bundle

    cues, pol, _ = small_training  # model inputs of every dev document
    judged = load_audit(AUDITS / JUDGED_DEV_FILE)
    assert len(judged) == 120 and "text" not in judged.columns and set(judged["split"]) == {"dev"}
    model = load_bundle()["attribution"]
    assert model.cues == cues
    figures = claim_level_figures(model, pol, judged)
    assert figures["n"] == 120
    assert figures["model"]["accuracy"] >= 0.55, figures
    assert figures["derived_labels"]["accuracy"] >= 0.55, figures
    assert figures["keyword_rule"]["accuracy"] < figures["model"]["accuracy"]
