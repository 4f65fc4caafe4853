"""The hand audit of derived PolNeAR source types: stored verdicts vs. what the converter derives now.

The audit files hold document ids, sentence offsets and a reader's verdict per ANNOTATION.md; no article
text. They live in the source repository's tests/data/ (not in the package): `scorer evaluate` and
`scorer train` read them from the directory given with --audits. Sentences are matched to the current
corpus by largest overlap, so a later segmentation change does not silently drop items.
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..labels import SOURCE_LABELS
from .corpus import CLAIM_LEVEL_METHODS, best_overlap

# the audit files, by name, in an audits directory (tests/data/ of the source repository)
AUDIT_FILE = "source_type_audit.tsv"  # the first sample of derived source types, judged by a reader
HELDOUT_FILE = "source_type_audit_heldout.tsv"  # a second sample, judged blind
THIRD_FILE = "source_type_audit_third.tsv"  # a third, judged blind by a helper session
FOURTH_FILE = "source_type_audit_fourth.tsv"  # a fourth, judged after the rules were final
CLAIM_AUDIT_FILE = "act_rule_claim_audit.tsv"  # the act rule, judged blind at claim level
NARRATED_AUDIT_FILE = "narrated_rule_claim_audit.tsv"  # the narrated-act rule, likewise
NARRATED_DRAFT_FILE = "narrated_rule_claim_audit_draft.tsv"  # its first draft, likewise
JUDGED_DEV_FILE = "dev_claim_judgement.tsv"  # random dev sentences, four labels, judged blind


def load_audit(path: str | Path) -> pd.DataFrame:
    """The stored verdicts: doc_id, split, start, end, verdict, note."""
    return pd.read_csv(path, sep="\t", dtype={"doc_id": str, "verdict": str, "note": str})


def measured_audits(audits_dir: str | Path | None, judged: bool = True, log=print) -> tuple:
    """(source-type audit, claim-level dev judgement) from `audits_dir`, the verdicts that `scorer evaluate` and
    `scorer train` measure the model against. A file that is not there (or no directory) is None, and `log` gets a
    one-line note naming the figure that is skipped. `judged`: False when the dev judgement is not wanted."""
    found = []
    for name, figure, wanted in ((AUDIT_FILE, "source type vs. the hand audit", True),
                                 (JUDGED_DEV_FILE, "four labels vs. the claim-level dev judgement", judged)):
        path = Path(audits_dir) / name if audits_dir is not None else None
        if not wanted:
            found.append(None)
        elif path is not None and path.is_file():
            found.append(load_audit(path))
        else:
            where = os.fspath(path) if path is not None else name
            log(f"note: {where} not found, so the figures '{figure}' are skipped (give --audits DIR)")
            found.append(None)
    return tuple(found)


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
