"""Draw a blind sample for auditing one PolNeAR mapping rule at the level of the sentence's claim.

The sample mixes sentences the rule labelled (`--method`) with as many others drawn from the attributed
PolNeAR sentences, shuffled, so a judge cannot tell which is which; sheets show the sentence in context
with no source or cue marks and no labels. The judge answers the guide's question (on whose word does
the main claim rest?) with one of the four labels. Usage (the act-cue audit, README "Training data"):
    python tools/make_claim_audit_sample.py --corpus build/corpus.parquet --out /tmp/act_audit \
        --method "polnear: an act, wish or question, not a claim (rule 5)" --n 80 --controls 40 \
        --exclude data/support_grades.tsv tests/data/source_type_audit*.tsv
The narrated-act audit: --method "polnear: a narrated act, no reporting word in the cue (rule 5)" --seed 20261205,
excluding also tests/data/act_rule_claim_audit.tsv and tests/data/narrated_rule_claim_audit_draft.tsv.
Without --method it draws --n sentences of --split, whatever their label (the claim-level dev judgement):
    python tools/make_claim_audit_sample.py --corpus build/corpus.parquet --out /tmp/dev_judged --split dev \
        --n 120 --seed 20261206
"""
import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_audit_sample import reading_item, write_sheets  # noqa: E402  (the same sheet items as the source-type audit)

SEED = 20261203


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--method", default=None, help="The label_method of the rule under audit (else any sentence).")
    ap.add_argument("--split", default=None, help="Draw from this split only.")
    ap.add_argument("--n", type=int, default=80, help="Sentences the rule labelled.")
    ap.add_argument("--controls", type=int, default=40, help="Other attributed sentences mixed in.")
    ap.add_argument("--sheets", type=int, default=2)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--exclude", nargs="*", default=[], help="TSVs (doc_id, start) whose items are not drawn.")
    args = ap.parse_args()
    pol = pd.read_parquet(args.corpus).query("corpus == 'polnear'").reset_index(drop=True)
    seen = {key for path in args.exclude for key in
            zip(*pd.read_csv(path, sep="\t", dtype={"doc_id": str})[["doc_id", "start"]].T.values)}
    pool = pol[[key not in seen for key in zip(pol["doc_id"], pol["start"])]]
    if args.split:
        pool = pool[pool["split"] == args.split]
    if args.method is None:
        sample = pool.sample(n=args.n, random_state=args.seed).assign(group="sample")
    else:
        ruled = pool[pool["label_method"] == args.method]
        others = pool[(pool["attributed"] == True) & (pool["label_method"] != args.method)  # noqa: E712
                      & pool["label"].notna()]
        sample = pd.concat([ruled.sample(n=args.n, random_state=args.seed).assign(group="rule"),
                            others.sample(n=args.controls, random_state=args.seed).assign(group="control")])
    sample = sample.sample(frac=1.0, random_state=args.seed)  # shuffled: rule and control items interleave
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sample[["split", "doc_id", "start", "end", "group", "label"]].to_csv(out / "sample_keys.tsv", sep="\t", index=False)
    by_doc = {doc: group for doc, group in pol.groupby("doc_id")}
    items = [reading_item(by_doc[row.doc_id], f"{row.doc_id}|{row.start}|{row.end}", row.sentence_index, row.text)
             for row in sample.itertuples()]
    write_sheets(items, out, args.sheets)
    print(f"{len(sample)} items in {args.sheets} sheets under {out}")


if __name__ == "__main__":
    main()
