"""The hand audit of derived PolNeAR source types: stored verdicts vs. what the converter derives now.

The audit file (tests/data/source_type_audit.tsv) holds document ids, sentence offsets and a
reader's verdict per ANNOTATION.md; no article text. Sentences are matched to the current corpus
by largest overlap, so a later segmentation change does not silently drop items.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..labels import SOURCE_LABELS
from .corpus import CLAIM_LEVEL_METHODS, best_overlap

AUDIT_FILE = Path(__file__).resolve().parents[2] / "tests" / "data" / "source_type_audit.tsv"
HELDOUT_FILE = AUDIT_FILE.with_name("source_type_audit_heldout.tsv")  # a second sample, judged blind
THIRD_FILE = AUDIT_FILE.with_name("source_type_audit_third.tsv")  # a third, judged blind by a helper session
FOURTH_FILE = AUDIT_FILE.with_name("source_type_audit_fourth.tsv")  # a fourth, judged after the rules were final
CLAIM_AUDIT_FILE = AUDIT_FILE.with_name("act_rule_claim_audit.tsv")  # the act rule, judged blind at claim level
NARRATED_AUDIT_FILE = AUDIT_FILE.with_name("narrated_rule_claim_audit.tsv")  # the narrated-act rule, likewise
NARRATED_DRAFT_FILE = AUDIT_FILE.with_name("narrated_rule_claim_audit_draft.tsv")  # its first draft, likewise
JUDGED_DEV_FILE = AUDIT_FILE.with_name("dev_claim_judgement.tsv")  # random dev sentences, four labels, judged blind


def load_audit(path: str | Path = AUDIT_FILE) -> pd.DataFrame:
    """The stored verdicts: doc_id, split, start, end, verdict, note."""
    return pd.read_csv(path, sep="\t", dtype={"doc_id": str, "verdict": str, "note": str})


def match_audit(corpus: pd.DataFrame, audit: pd.DataFrame) -> pd.DataFrame:
    """Audit rows joined with the corpus sentence that overlaps each most: its index (`row`), derived label
    and label method."""
    pol = corpus[corpus["corpus"] == "polnear"]
    by_doc = {doc: g for doc, g in pol.groupby("doc_id")}
    rows, derived, methods = [], [], []
    for item in audit.itertuples():
        doc = by_doc.get(item.doc_id)
        if doc is None:
            rows.append(None)
            derived.append(None)
            methods.append("document missing")
            continue
        pos, shared = best_overlap(doc, item.start, item.end)
        best = doc.iloc[pos]
        rows.append(doc.index[pos])
        derived.append(best["label"] if shared > 0 else None)
        methods.append(best["label_method"])
    return audit.assign(row=rows, derived=derived, method=methods)


def phrase_level(matched: pd.DataFrame) -> pd.DataFrame:
    """The items these audits can judge: not those the act rules label. The readers typed the source phrase;
    the act rules label the sentence's claim (the outlet's), so they have their own claim-level audits."""
    return matched[~matched["method"].isin(CLAIM_LEVEL_METHODS)]


def audit_summary(matched: pd.DataFrame) -> dict:
    """Mapping accuracy on items the reader gave a source type, and overall (a 'none' verdict counts as a miss);
    items the act rules label are left out and counted."""
    act_items = int(matched["method"].isin(CLAIM_LEVEL_METHODS).sum())
    matched = phrase_level(matched)
    typed = matched[matched["verdict"].isin(SOURCE_LABELS)]
    return {
        "items": len(matched),
        "act_rule_items": act_items,
        "typed_items": len(typed),
        "accuracy_typed": float((typed["verdict"] == typed["derived"]).mean()),
        "accuracy_all": float((matched["verdict"] == matched["derived"].fillna("none")).mean()),
        "unresolved_typed": int(typed["derived"].isna().sum()),
    }
