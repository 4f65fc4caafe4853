"""The segmentation kernels against their twins on everything at hand (the long form of tests/kernels/test_segk.py):
`punkt_spans` against nupunkt's `span_tokenize` (`segment._punkt_spans`) on the paragraph blocks and whole texts of
all PolNeAR texts (dev and train), the BBC pool, the CheckThat and NewsSD sentences, seeded fuzz and, with
--all-code-points, every code point in the 14 contexts of test_segk (~10 minutes); `split_article` with the kernels
against the twins on the same texts; `furniture_lines` against `_folded` on every code point. Needs the compiled
kernels; exits 1 on any difference.

    python tools/segk_parity.py [--fuzz 200000] [--all-code-points]
"""
from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "kernels"))

from scorer.text import furniture, kernels, segment  # noqa: E402
from test_segk import _AROUND, _PIECES, ref_lines  # noqa: E402


def corpus() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((DATA / "polnear" / "data").glob("*/text/*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((DATA / "bbc" / "articles").glob("*.txt"))]
    csv.field_size_limit(10 ** 9)
    for name in ("dev_en.tsv", "train_en.tsv"):
        with open(DATA / "checkthat2025_en" / name, encoding="utf-8") as fh:
            texts += [row["sentence"] for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
    for name in ("train.csv", "val.csv", "test.csv"):
        with open(DATA / "newssd_eng" / "data" / "english" / name, encoding="utf-8") as fh:
            texts += [row[0] for row in list(csv.reader(fh))[1:] if row]
    return texts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--fuzz", type=int, default=200_000, help="seeded fuzz blocks (default 200,000)")
    ap.add_argument("--all-code-points", action="store_true", help="every code point in every context (~10 min)")
    args = ap.parse_args()
    if not kernels.ACTIVE:
        sys.exit(f"segk_parity: the compiled kernels are not active ({kernels.STATUS})")
    K = kernels.compiled
    decide = segment._punkt_decider()
    if decide is None:
        sys.exit("segk_parity: the loaded nupunkt tokenizer is not the one the kernel reproduces")
    bad = 0

    def same(label, a, b, what):
        nonlocal bad
        if a != b:
            bad += 1
            if bad <= 10:
                print(f"{label} differs: {what!r:.300}")

    texts = corpus()
    n_blocks = 0
    for text in texts:
        for block in [text] + [text[a:b] for a, b in segment._blocks(text, 0, len(text))]:
            n_blocks += 1
            same("punkt_spans", K.punkt_spans(block, decide), segment._punkt_spans(block), block)
    print(f"punkt_spans: {len(texts)} texts, {n_blocks} blocks and whole texts compared")
    split_fast = [segment.split_article(t) for t in texts]
    furniture_fast = [furniture._find_furniture_compiled(t) for t in texts]
    kernels.ACTIVE, fast_spans = False, segment._sentence_spans_fast
    segment._sentence_spans_fast = segment._sentence_spans
    try:
        for text, fast, furn in zip(texts, split_fast, furniture_fast):
            same("split_article", fast, segment.split_article(text), text)
            same("find_furniture", furn, furniture._find_furniture_python(text), text)
    finally:
        kernels.ACTIVE, segment._sentence_spans_fast = True, fast_spans
    print(f"split_article, find_furniture: {len(texts)} texts compared")
    rng = random.Random(0)
    for _ in range(args.fuzz):
        n = rng.choice((1, 2, 3, 5, 10, 20, 40, 80, 200))
        block = "".join(rng.choice(_PIECES) + (" " if rng.random() < 0.4 else "") for _ in range(n))
        same("punkt_spans (fuzz)", K.punkt_spans(block, decide), segment._punkt_spans(block), block)
    print(f"punkt_spans: {args.fuzz} fuzzed blocks compared")
    if args.all_code_points:
        for point in range(sys.maxunicode + 1):
            for template in _AROUND:
                block = template.replace("{c}", chr(point))
                same("punkt_spans (code point)", K.punkt_spans(block, decide), segment._punkt_spans(block), block)
        print(f"punkt_spans: every code point in {len(_AROUND)} contexts compared")
        letters = tuple((c,) for c in "abcdefghijklmnopqrstuvwxyz0123456789")
        marks = tuple((c,) for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ ")
        for groups in (letters, marks):
            text = "\n".join("\x01" + chr(c) + "\x01" for c in range(sys.maxunicode + 1))
            same("furniture_lines", K.furniture_lines(text, groups, furniture._FOLD_TO_ASCII, 400),
                 ref_lines(text, groups), "every code point")
        print("furniture_lines: every code point compared")
    print(f"{bad} differences")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
