"""Draw the stratified sample of sentences to grade for claim support (0-3, ANNOTATION.md).

Strata are spread over the four types (by the corpus's derived labels, only to spread the sample)
plus subjectivity OBJ sentences; the reading sheets show each sentence in context and nothing else.
Usage: python tools/make_grading_sample.py --corpus build/corpus.parquet --out /tmp/grade
"""
import argparse
from pathlib import Path

import pandas as pd

SEED = 7
STRATA = {  # name: (query, n)
    "named": ("corpus == 'polnear' and label == 'named_source'", 150),
    "anonymous": ("corpus == 'polnear' and label == 'anonymous_intelligence'", 150),
    "outlet": ("corpus == 'polnear' and label == 'outlet_claim'", 150),
    "subj": ("corpus != 'polnear' and split == 'train' and subjectivity == 'SUBJ'", 100),
    "obj": ("corpus != 'polnear' and split == 'train' and subjectivity == 'OBJ'", 50),
}


def item_lines(row, by_doc: dict) -> list[str]:
    """The sheet lines of one sentence: headline and context for PolNeAR, the sentence alone otherwise."""
    if row["corpus"] != "polnear":
        return ["(isolated news sentence, no context available)", "SENTENCE: " + row["text"]]
    doc = by_doc[row["doc_id"]]
    k = row["sentence_index"]
    return ["headline: " + doc.iloc[0]["text"],
            "context before: " + " ".join(doc[(doc.sentence_index >= k - 3) & (doc.sentence_index < k)]["text"]),
            "SENTENCE: " + row["text"],
            "context after: " + " ".join(doc[(doc.sentence_index > k) & (doc.sentence_index <= k + 2)]["text"])]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--sheets", type=int, default=4)
    args = ap.parse_args()
    frame = pd.read_parquet(args.corpus)
    picked = pd.concat([frame.query(q).sample(n=n, random_state=SEED) for q, n in STRATA.values()])
    picked = picked.sample(frac=1.0, random_state=SEED)  # interleave strata across sheets
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sheets = [[] for _ in range(args.sheets)]
    by_doc = {d: g for d, g in frame[frame["corpus"] == "polnear"].groupby("doc_id")}
    for i, (_, row) in enumerate(picked.iterrows()):
        lines = [f"### item {row['corpus']}|{row['doc_id']}|{row['start']}|{row['end']}"]
        lines += item_lines(row, by_doc)
        sheets[i % args.sheets].append("\n".join(lines) + "\n")
    for k, items in enumerate(sheets, 1):
        (out / f"grade_sheet_{k}.md").write_text("\n".join(items), encoding="utf-8")
    print(f"{len(picked)} items in {args.sheets} sheets under {out}")


if __name__ == "__main__":
    main()
