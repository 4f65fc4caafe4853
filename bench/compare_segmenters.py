"""Compare sentence segmenters on the boundary test table and on PolNeAR speed.

For each candidate library the script segments every case of
``tests/data/segmentation_cases.json`` and counts a case as an error when the
produced sentences (each stripped, empty ones dropped) differ from
``expected``.  It then times the library on all PolNeAR dev texts and reports
sentences per second (median of 3 runs).

Candidates: pysbd, nupunkt, syntok, and -- if ``scorer.segment.split_sentences``
is importable -- the project's own splitter as "scorer" (it may return objects
with ``start``/``end`` attributes or ``(start, end)`` tuples).

Run from the repo root:

    python bench/compare_segmenters.py                    # Markdown table
    python bench/compare_segmenters.py --show-errors pysbd  # failing cases
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CASES = REPO / "tests" / "data" / "segmentation_cases.json"
POLNEAR_DEV = REPO.parent / "shared" / "data" / "polnear" / "data" / "dev" / "text"


def pysbd_spans():
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return lambda text: [(s.start, s.end) for s in seg.segment(text)]


def nupunkt_spans():
    import nupunkt

    return nupunkt.sentence_spans  # 0.8 API: tight spans, splits at blank lines


def syntok_spans():
    from syntok.segmenter import analyze

    def spans(text):
        return [
            (sent[0].offset, sent[-1].offset + len(sent[-1].value))
            for para in analyze(text)
            for sent in para
            if sent
        ]

    return spans


def scorer_spans():
    from scorer.text.segment import split_sentences

    def spans(text):
        return [
            (s.start, s.end) if hasattr(s, "start") else tuple(s)
            for s in split_sentences(text)
        ]

    return spans


FACTORIES = {
    "pysbd": pysbd_spans,
    "nupunkt": nupunkt_spans,
    "syntok": syntok_spans,
    "scorer": scorer_spans,
}


def load_candidates():
    """Return {name: text -> [(start, end)]}; "scorer" is skipped if absent."""
    sys.path.insert(0, str(REPO))
    candidates = {}
    for name, factory in FACTORIES.items():
        try:
            candidates[name] = factory()
        except ImportError:
            if name != "scorer":
                raise
    return candidates


def sentences(spans, text):
    """Stripped, non-empty sentence strings for the given spans of text."""
    return [s for s in (text[a:b].strip() for a, b in spans(text)) if s]


def errors(spans, cases):
    """List of (case, got) for every case whose sentences differ from expected."""
    out = []
    for case in cases:
        got = sentences(spans, case["text"])
        if got != case["expected"]:
            out.append((case, got))
    return out


def speed(spans, texts, runs=3):
    """Median sentences per second over `runs` passes over all texts."""
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        n = sum(len(spans(t)) for t in texts)
        rates.append(n / (time.perf_counter() - start))
    return statistics.median(rates)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show-errors", metavar="LIB", help="print failing cases for LIB")
    ap.add_argument("--cases", type=Path, default=CASES)
    ap.add_argument("--texts", type=Path, default=POLNEAR_DEV, help="dir of *.txt to time on")
    args = ap.parse_args()

    cases = json.loads(args.cases.read_text(encoding="utf-8"))
    candidates = load_candidates()

    if args.show_errors:
        if args.show_errors not in candidates:
            ap.error(f"unknown library {args.show_errors!r}; have {', '.join(candidates)}")
        for case, got in errors(candidates[args.show_errors], cases):
            print(f"## {case['id']} ({case['category']})")
            print("expected:", json.dumps(case["expected"], ensure_ascii=False, indent=2))
            print("got:     ", json.dumps(got, ensure_ascii=False, indent=2))
            print()
        return

    texts = [p.read_text(encoding="utf-8") for p in sorted(args.texts.glob("*.txt"))]
    print(f"{len(cases)} cases; speed on {len(texts)} texts from {args.texts}\n")
    print("| library | errors / cases | sentences per second |")
    print("| --- | --- | --- |")
    for name, spans in candidates.items():
        n_err = len(errors(spans, cases))
        print(f"| {name} | {n_err} / {len(cases)} | {speed(spans, texts):,.0f} |")


if __name__ == "__main__":
    main()
