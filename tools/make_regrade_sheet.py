"""A reading sheet for re-grading stored support items blind (sentence in context, no grade shown).

Usage: python tools/make_regrade_sheet.py --corpus build/corpus.parquet --keys data/support_grades_second.tsv \
           --out /tmp/regrade/sheet.md
The keys file has a `key` column `corpus|doc_id|start|end`, as data/support_grades_second.tsv does.
"""
import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_grading_sample import item_lines  # noqa: E402  (the same sheet lines as the first grading)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--keys", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    frame = pd.read_parquet(args.corpus)
    keys = pd.read_csv(args.keys, sep="\t", dtype=str)["key"]
    by_doc = {d: g for d, g in frame[frame["corpus"] == "polnear"].groupby("doc_id")}
    items = []
    for key in keys:
        corpus, doc_id, start, end = key.split("|")
        if corpus == "polnear":
            doc = by_doc[doc_id]
            overlap = (doc["end"].clip(upper=int(end)) - doc["start"].clip(lower=int(start))).clip(lower=0)
            row = doc.iloc[overlap.argmax()]
        else:
            row = frame[(frame["corpus"] != "polnear") & (frame["doc_id"] == doc_id)].iloc[0]
        items.append("\n".join([f"### item {key}"] + item_lines(row, by_doc)) + "\n")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(items), encoding="utf-8")
    print(f"{len(items)} items in {out}")


if __name__ == "__main__":
    main()
