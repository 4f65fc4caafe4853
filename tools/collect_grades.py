"""Merge graders' sheets (item, grade, type, rationale) into data/support_grades.tsv (ids and offsets, no text).

Usage: python tools/collect_grades.py /tmp/grade/grades_*.tsv --out data/support_grades.tsv
"""
import argparse

import pandas as pd


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sheets", nargs="+")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    frame = pd.concat([pd.read_csv(p, sep="\t", dtype=str) for p in args.sheets], ignore_index=True)
    parts = frame["item"].str.split("|", expand=True)
    out = pd.DataFrame({"corpus": parts[0], "doc_id": parts[1], "start": parts[2].astype(int),
                        "end": parts[3].astype(int), "grade": frame["grade"].astype(int),
                        "type": frame["type"], "rationale": frame["rationale"]})
    # graders were told to give every item a row; lines that are page furniture or carry no claim
    # ("___.", a bare handle, "(END VIDEO CLIP.)") are not claim sentences and are left out
    no_claim = out["rationale"].str.contains(r"furniture|no (?:substantive )?claim", case=False, regex=True)
    print(f"dropping {int(no_claim.sum())} rows marked as furniture / no claim")
    out = out[~no_claim]
    assert not out.duplicated(["corpus", "doc_id", "start"]).any(), "duplicate items"
    out.to_csv(args.out, sep="\t", index=False)
    print(len(out), "grades;", out["grade"].value_counts().sort_index().to_dict(), out["type"].value_counts().to_dict())


if __name__ == "__main__":
    main()
