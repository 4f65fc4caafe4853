"""Draw the fixed random sample of attributed PolNeAR sentences for the source-type audit.

Writes reading sheets (sentence in context, source and cue marked, derived label hidden) for
human or helper judges, and the sample's keys. Usage:
    python tools/make_audit_sample.py --corpus build/corpus.parquet --out /tmp/audit --n 220
The held-out second sample:
    python tools/make_audit_sample.py --corpus build/corpus.parquet --out /tmp/heldout --n 80 --sheets 1 \
        --seed 20261125 --split train --exclude tests/data/source_type_audit.tsv
"""
import argparse
from pathlib import Path

import pandas as pd

SEED = 20261124


def mark(text: str, start: int, spans: list[tuple[int, int, str]]) -> str:
    """Insert [[SOURCE: ...]] and {{CUE: ...}} markers into a sentence (offsets are article offsets)."""
    out, pos = [], 0
    for s, e, kind in sorted(spans):
        s, e = max(s - start, 0), min(e - start, len(text))
        if s >= len(text) or e <= 0 or s < pos:
            continue
        out += [text[pos:s], "[[SOURCE: " if kind == "S" else "{{CUE: ", text[s:e], "]]" if kind == "S" else "}}"]
        pos = e
    return "".join(out + [text[pos:]])


def reading_item(doc: pd.DataFrame, key: str, sentence_index: int, sentence: str) -> str:
    """One sheet item: its key, up to three sentences of context before, the sentence as given, one after."""
    index = doc["sentence_index"]
    before = doc[(index < sentence_index) & (index >= sentence_index - 3)]
    after = doc[(index > sentence_index) & (index <= sentence_index + 1)]
    return "\n".join([f"### item {key}", "context before: " + " ".join(before["text"]), "SENTENCE: " + sentence,
                      "context after: " + " ".join(after["text"]), ""])


def write_sheets(items: list[str], out: Path, sheets: int) -> None:
    """Deal the items round-robin into sheet_1.md .. sheet_N.md."""
    for k in range(sheets):
        (out / f"sheet_{k + 1}.md").write_text("\n".join(items[k::sheets]), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--n", type=int, default=220)
    ap.add_argument("--sheets", type=int, default=2)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--split", default=None, help="Draw from this split only (the held-out sample: train).")
    ap.add_argument("--exclude", default=None, help="An audit TSV whose items are not drawn again.")
    args = ap.parse_args()
    frame = pd.read_parquet(args.corpus)
    pol = frame[frame["corpus"] == "polnear"].reset_index(drop=True)
    attributed = pol[pol["attributed"] == True]  # noqa: E712
    if args.split:
        attributed = attributed[attributed["split"] == args.split]
    if args.exclude:
        seen = pd.read_csv(args.exclude, sep="\t")
        seen_keys = set(zip(seen["doc_id"], seen["start"]))
        attributed = attributed[[key not in seen_keys for key in zip(attributed["doc_id"], attributed["start"])]]
    sample = attributed.sample(n=args.n, random_state=args.seed).sort_values(["doc_id", "start"])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sample[["split", "doc_id", "start", "end", "source_start", "source_end", "cue_start", "cue_end"]].to_csv(
        out / "sample_keys.tsv", sep="\t", index=False)
    items = []
    for _, row in sample.iterrows():
        doc = pol[pol["doc_id"] == row["doc_id"]]
        spans = []
        if pd.notna(row["source_start"]):
            spans.append((int(row["source_start"]), int(row["source_end"]), "S"))
        if pd.notna(row["cue_start"]):
            spans.append((int(row["cue_start"]), int(row["cue_end"]), "C"))
        items.append(reading_item(doc, f"{row['doc_id']}|{row['start']}|{row['end']}", row["sentence_index"],
                                  mark(row["text"], int(row["start"]), spans)))
    write_sheets(items, out, args.sheets)
    print(f"{len(sample)} items in {args.sheets} sheets under {out}")


if __name__ == "__main__":
    main()
