"""What `scorer evaluate` prints: the dev figures of a model on the corpora and on the claim-level reading."""
from __future__ import annotations

from pathlib import Path

from ..model.store import load_bundle
from ..pipeline import Scorer
from .audit import measured_audits
from .claims import evaluate_claims, format_claim_figures
from .evaluate import error_examples, evaluate_model, format_metrics
from .frames import prepare
from .spantagger import format_span_figures, span_documents, span_figures


def evaluation_report(data_dir, split: str = "dev", examples: int = 10, model_dir=None, audits_dir=None,
                      claims_dir=None, examples_dir=None, log=print) -> str:
    """The metrics of the model in `model_dir` (default: the shipped one) on the corpora in `data_dir`, with the
    hand-audit figures when `audits_dir` holds the audit files (else a note to `log`), the claim-level figures
    when `claims_dir` holds the reading (dev split only; the example article's check when `examples_dir` holds
    it), then `examples` misclassified sentences (a fixed random sample)."""
    bundle = load_bundle(model_dir)
    model = bundle["attribution"]
    audit, judged = measured_audits(audits_dir, judged=split == "dev", log=log)
    _, _, pol, subj = prepare(data_dir, cues=model.cues, tagger=bundle["spans"])
    lines = [format_metrics(evaluate_model(model, pol, subj, split=split, audit=audit, judged=judged))]
    scorer = Scorer(model_dir)  # the reports' sources, per sentence (the same model files as `bundle`)
    lines += format_span_figures(span_figures(scorer.spans, span_documents(data_dir, split), model.cues, scorer), split)
    if split == "dev" and claims_dir is not None:
        claims_dir = Path(claims_dir)
        if (claims_dir / "units.tsv").is_file():
            examples_dir = Path(examples_dir) if examples_dir is not None and Path(examples_dir).is_dir() else None
            lines += format_claim_figures(evaluate_claims(claims_dir, Path(data_dir), bundle, examples_dir))
        else:
            log(f"note: {claims_dir / 'units.tsv'} not found: the claim-level figures are left out (--claims DIR)")
    if examples:
        lines.append(f"\n{examples} misclassified {split} sentences (fixed random sample):")
        lines += [f"  truth {ex['truth']}, predicted {ex['predicted']}: {ex['text'][:200]}"
                  for ex in error_examples(model, pol, subj, split, examples)]
    return "\n".join(lines)
