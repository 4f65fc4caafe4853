"""Dev-set evaluation of the attribution model and two baselines computed in the same run.

Baselines: the majority class, and a reporting-verb keyword rule (the usual rule-of-thumb check).
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

from ..attribution.lexicon import (ANONYMOUS_HEADS, KEYWORD_RULE_INTENSIFIERS, LOADED_WORDS, REPORTING_VERBS,
                                   words_pattern)
from ..labels import LABELS, SOURCE_LABELS
from ..model.cues import ANON_PHRASE_RE, MODAL_RE, OUTLET_RE
from ..model.heads import CompiledAttributionModel
from .audit import match_audit, phrase_level

_VERB = re.compile(r"\b(" + "|".join(sorted(REPORTING_VERBS)) + r")\b|according to", re.I)
_INTENSIFIER = words_pattern(sorted(KEYWORD_RULE_INTENSIFIERS))


def keyword_rule(text: str) -> str:
    """Rule-of-thumb labelling: a reporting verb means attributed (outlet/anonymous/named by keywords)."""
    words = re.findall(r"[a-z'-]+", text.lower())
    if _VERB.search(text):
        if OUTLET_RE.search(text):
            return "outlet_claim"
        if ANON_PHRASE_RE.search(text) or any(w in ANONYMOUS_HEADS for w in words):
            return "anonymous_intelligence"
        return "named_source"
    if any(w in LOADED_WORDS for w in words) or MODAL_RE.search(text) or _INTENSIFIER.search(text) or "?" in text:
        return "editorial_opinion"
    return "outlet_claim"


def expected_calibration_error(probs: np.ndarray, y_true: np.ndarray, bins: int = 10) -> float:
    """Top-label ECE: |accuracy - confidence| averaged over equal-width confidence bins."""
    conf = probs.max(axis=1)
    correct = probs.argmax(axis=1) == y_true
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = (conf > lo) & (conf <= hi)
        if sel.any():
            ece += sel.mean() * abs(correct[sel].mean() - conf[sel].mean())
    return float(ece)


def per_class(y_true, y_pred, labels) -> dict:
    """Per-class precision/recall/F1/support, macro-F1 and the confusion matrix (rows = truth)."""
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=list(labels), zero_division=0)
    return {
        "per_class": {lab: {"precision": round(float(p[i]), 3), "recall": round(float(r[i]), 3),
                            "f1": round(float(f[i]), 3), "support": int(s[i])} for i, lab in enumerate(labels)},
        "macro_f1": round(float(f1_score(y_true, y_pred, labels=list(labels), average="macro", zero_division=0)), 3),
        "confusion": confusion_matrix(y_true, y_pred, labels=list(labels)).tolist(),
    }


def four_class_dev(pol: pd.DataFrame, subj: pd.DataFrame, split: str) -> pd.DataFrame:
    """The four-label dev set: PolNeAR sentences with a derived label + subjectivity SUBJ sentences."""
    a = pol[(pol["split"] == split) & pol["label"].notna()]
    b = subj[(subj["split"] == split) & (subj["subjectivity"] == "SUBJ")]
    return pd.concat([a, b], ignore_index=True)


def evaluate_model(model: CompiledAttributionModel, pol: pd.DataFrame, subj: pd.DataFrame, split: str = "dev",
                   audit: pd.DataFrame | None = None, judged: pd.DataFrame | None = None) -> dict:
    """All dev figures: four-class table with baselines, each head on its own task, and (with `judged`) the four
    labels against a blind claim-level reading of random dev sentences."""
    out: dict = {}
    dev = four_class_dev(pol, subj, split)
    y = dev["label"].to_numpy()
    probs = model.predict_proba(dev)
    pred = np.array(LABELS)[probs.argmax(axis=1)]
    y_idx = np.array([LABELS.index(v) for v in y])
    out["four_class"] = per_class(y, pred, LABELS)
    out["four_class"]["ece"] = round(expected_calibration_error(probs, y_idx), 3)
    out["four_class"]["n"] = int(len(y))
    majority = pd.Series(pol[(pol["split"] == "train") & pol["label"].notna()]["label"]).mode()[0]
    out["baseline_majority"] = per_class(y, np.array([majority] * len(y)), LABELS)
    out["baseline_keyword_rule"] = per_class(y, np.array([keyword_rule(t) for t in dev["text"]]), LABELS)

    pdev = pol[(pol["split"] == split) & pol["label"].notna()]
    p_attr, p_type, _ = model.head_probabilities(pdev)
    truth = pdev["attributed"].astype(int).to_numpy()
    keyword = np.array([bool(_VERB.search(t)) for t in pdev["text"]]).astype(int)
    out["attribution_detection"] = {
        "f1": round(float(f1_score(truth, p_attr >= 0.5)), 3),
        "keyword_rule_f1": round(float(f1_score(truth, keyword)), 3), "n": int(len(truth))}
    typed = (pdev["attributed"] & pdev["label"].isin(SOURCE_LABELS)).to_numpy()
    type_pred = np.array(SOURCE_LABELS)[p_type[typed].argmax(axis=1)]
    out["source_type_given_attributed"] = per_class(pdev["label"].to_numpy()[typed], type_pred, SOURCE_LABELS)

    sdev = subj[subj["split"] == split]
    p_op = model.opinion.predict_proba(sdev)[:, 1]
    out["opinion_vs_not"] = per_class((sdev["subjectivity"] == "SUBJ").map({True: "SUBJ", False: "OBJ"}).to_numpy(),
                                      np.where(p_op >= 0.5, "SUBJ", "OBJ"), ("SUBJ", "OBJ"))
    out["source_span_match"] = source_span_match(pol, split)
    if audit is not None:
        out["source_type_on_audit"] = audit_figures(model, pol, audit)
    if judged is not None:
        out["claim_level"] = claim_level_figures(model, pol, judged)
    return out


def claim_level_figures(model: CompiledAttributionModel, pol: pd.DataFrame, judged: pd.DataFrame) -> dict:
    """The four labels against readers' answers to the guide's question on random PolNeAR dev sentences
    (tests/data/dev_claim_judgement.tsv): the model, PolNeAR's derived labels and the keyword rule."""
    matched = match_audit(pol, judged)
    frame = pol.loc[matched["row"]]
    verdicts = matched["verdict"].to_numpy()
    pred = np.array(LABELS)[model.predict_proba(frame).argmax(axis=1)]
    derived = frame["label"].fillna("unresolved").to_numpy()
    keyword = np.array([keyword_rule(t) for t in frame["text"]])
    return {"n": int(len(verdicts)), "model": per_class(verdicts, pred, LABELS) | _accuracy(verdicts, pred),
            "derived_labels": _accuracy(verdicts, derived), "keyword_rule": _accuracy(verdicts, keyword)}


def _accuracy(truth: np.ndarray, pred: np.ndarray) -> dict:
    return {"accuracy": round(float(np.mean(truth == pred)), 3)}


def source_span_match(pol: pd.DataFrame, split: str) -> dict:
    """How often the rule-extracted source matches PolNeAR's human-marked Source span, on sentences
    whose human source lies inside the sentence: overlapping at all, and exactly."""
    rows = pol[(pol["split"] == split) & pol["source_start"].notna()]
    rows = rows[(rows["source_start"] >= rows["start"]) & (rows["source_end"] <= rows["end"])]
    got = rows["x_source_start"].notna()
    s0, s1 = rows["x_source_start"].astype("float"), rows["x_source_end"].astype("float")
    h0, h1 = rows["source_start"].astype("float"), rows["source_end"].astype("float")
    overlap = got & (np.minimum(s1, h1) > np.maximum(s0, h0))
    exact = got & (s0 == h0) & (s1 == h1)
    return {"n": int(len(rows)), "found": round(float(got.mean()), 3), "overlap": round(float(overlap.mean()), 3),
            "exact": round(float(exact.mean()), 3)}


def error_examples(model: CompiledAttributionModel, pol: pd.DataFrame, subj: pd.DataFrame, split: str = "dev",
                   n: int = 10, seed: int = 13) -> list[dict]:
    """A fixed random sample of misclassified dev sentences (shown at run time, not stored: corpus text)."""
    dev = four_class_dev(pol, subj, split)
    pred = np.array(model.predict(dev))
    wrong = dev[pred != dev["label"].to_numpy()].assign(predicted=pred[pred != dev["label"].to_numpy()])
    sample = wrong.sample(n=min(n, len(wrong)), random_state=seed)
    return [{"truth": r.label, "predicted": r.predicted, "text": r.text} for r in sample.itertuples()]


def audit_figures(model: CompiledAttributionModel, pol: pd.DataFrame, audit: pd.DataFrame) -> dict:
    """Source-type head vs. the reader's verdicts on the audited sample (typed items; dev items separately,
    since train items were seen in training). Items the act rules label are left out (`audit.phrase_level`)."""
    matched = phrase_level(match_audit(pol, audit))
    typed = matched[matched["verdict"].isin(SOURCE_LABELS)]
    _, p_type, _ = model.head_probabilities(pol.loc[typed["row"]])
    pred = np.array(SOURCE_LABELS)[p_type.argmax(axis=1)]
    verdicts, dev = typed["verdict"].to_numpy(), (typed["split"] == "dev").to_numpy()
    return {"all": per_class(verdicts, pred, SOURCE_LABELS) | {"n": int(len(verdicts))},
            "dev_items": per_class(verdicts[dev], pred[dev], SOURCE_LABELS) | {"n": int(dev.sum())}}


def metrics_table(metrics: dict, title: str) -> list[str]:
    lines = [title, f"  {'class':<24}{'precision':>10}{'recall':>8}{'f1':>7}{'support':>9}"]
    for label, m in metrics["per_class"].items():
        lines.append(f"  {label:<24}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>7.3f}{m['support']:>9}")
    lines.append(f"  macro-F1 {metrics['macro_f1']:.3f}")
    return lines


def format_metrics(m: dict) -> str:
    """The evaluation as readable text (what `scorer evaluate` prints)."""
    lines = metrics_table(m["four_class"], f"Four labels (PolNeAR dev + CheckThat dev SUBJ, n={m['four_class']['n']})")
    lines.append(f"  calibration error (ECE, 10 bins) {m['four_class']['ece']:.3f}")
    lines.append("  confusion (rows = truth, columns = predicted, order as above):")
    lines += ["    " + " ".join(f"{v:>6}" for v in row) for row in m["four_class"]["confusion"]]
    lines.append(f"  baselines: majority class macro-F1 {m['baseline_majority']['macro_f1']:.3f}; "
                 f"reporting-verb keyword rule macro-F1 {m['baseline_keyword_rule']['macro_f1']:.3f}")
    lines += metrics_table(m["baseline_keyword_rule"], "Keyword-rule baseline")
    a = m["attribution_detection"]
    lines.append(f"Attribution detection (PolNeAR dev, n={a['n']}): F1 {a['f1']:.3f} "
                 f"(keyword rule {a['keyword_rule_f1']:.3f})")
    lines += metrics_table(m["source_type_given_attributed"], "Source type given attributed (PolNeAR dev)")
    if "source_type_on_audit" in m:
        au = m["source_type_on_audit"]
        lines.append(f"Source type vs. the hand audit: macro-F1 {au['all']['macro_f1']:.3f} on {au['all']['n']} items "
                     f"(train items were seen in training); dev items only: {au['dev_items']['macro_f1']:.3f} "
                     f"(n={au['dev_items']['n']})")
    if "source_span_match" in m:
        sm = m["source_span_match"]
        lines.append(f"Source span vs PolNeAR's (n={sm['n']} sentences with the human source inside): found "
                     f"{sm['found']:.3f}, overlapping {sm['overlap']:.3f}, exact {sm['exact']:.3f}")
    lines += metrics_table(m["opinion_vs_not"], "Editorial opinion vs not (CheckThat + NewsSD dev)")
    if "claim_level" in m:
        cl = m["claim_level"]
        lines += metrics_table(cl["model"], f"Four labels vs a blind claim-level reading of {cl['n']} random PolNeAR dev sentences")
        lines.append(f"  accuracy: model {cl['model']['accuracy']:.3f}; PolNeAR's derived labels "
                     f"{cl['derived_labels']['accuracy']:.3f}; keyword rule {cl['keyword_rule']['accuracy']:.3f}")
    if "support_cross_validated" in m:
        sc = m["support_cross_validated"]
        lines.append(f"Support (cross-validated on {sc['n']} graded sentences): Spearman {sc['spearman']:.3f}, "
                     f"grade accuracy {sc['accuracy']:.3f}, per grade {sc['per_grade_accuracy']}")
    return "\n".join(lines)
