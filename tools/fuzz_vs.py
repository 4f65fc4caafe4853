"""Differential fuzz of the whole pipeline: this checkout against another revision, end to end.

Batches of adversarial articles (read-only corpus texts, mutated with line breaks of every kind, NULs, lone
surrogates, quote marks, odd spaces, combining marks; cut open inside a quotation; empty and one-character texts;
huge articles and articles of thousands of tiny sentences; 1 to 17 articles a batch) go through
`Scorer(None).score_many(batch)` in REV (extracted with git archive into a temporary directory, the compiled kernels
copied beside it when this checkout has them) and in this checkout, each in its own process, with SCORER_KERNELS=0
and =1; the reports' `to_dict()` JSON (or the error) of each batch must be the same. Prints the batches that differ
(their seed and index: `--show` prints one's input) and exits 1 if any does.

With --hostile segment the articles are made from pieces aimed at the segmentation and finishing kernels instead
(abbreviations and initials before periods, every Unicode space and line or paragraph separator, combining marks after
end marks, numbers, dates and hedges next to non-ASCII letters, closing quotes and brackets, headline-like first lines,
up to 150 sentences sharing words for corroboration). --hostile tagger adds articles aimed at the span tagger's
kernels: quote marks of every kind (balanced, unbalanced, nested, across sentences and lines), sentences of thousands
of tokens, code points of every Unicode category and plane, one token repeated (periods, quotes, a word), and batches
of up to 40 articles. --hostile inputs: the model-input and head kernels' edges (tools/fuzz_inhead.py).

    python tools/fuzz_vs.py [--vs f0b630d] [--seeds 1-4] [--batches 15] [--kernels 0,1] [--show SEED:INDEX]
                            [--old-so PATH] [--hostile segment|tagger|inputs]

REV's side runs with its own compiled kernels under SCORER_KERNELS=1: a build of this checkout's kernels is of another
VERSION when the kernels changed since REV (REV would then silently run its twins), so give `--old-so` a build of
REV's `_scorer_kernels.pyx` (e.g. the one in a checkout of REV); the run stops when REV's side would not use it.
"""
from __future__ import annotations

import argparse
import glob
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
ODD = ["\n", "\r", "\r\n", "\0", "\ud800", "\udc00", "\u2028", "\u2029", "\x85", "\x1c", "\x1d", "\x1e", "\x1f", "\t",
       "\u00a0", "“", "”", '"', "'", "‘", "’", "\u3000", "\u1680", "\x0b", "\x0c", "İ", "ẞ", "ﬃ", "٣", "²", "\u0301",
       "𝐀", "—", "...", "?"]
TINY = ["A.", "He said.", "“No.”", "I.", "Me?", "Sources said.", "'Yes,' he said.", "“Go", "said “", "U.S. officials"]

# the side that scores: reads a JSON list of batches on stdin, prints one JSON line per batch
_SIDE = r"""
import json, sys
from scorer.pipeline import Scorer
scorer = Scorer(None)
for batch in json.loads(sys.stdin.read()):
    try:
        out = [r.to_dict() for r in scorer.score_many(batch)]
    except Exception as exc:
        out = f"{type(exc).__name__}: {exc}"
    print(json.dumps(out, sort_keys=True, ensure_ascii=True))
"""


def corpus(rng: random.Random) -> list[str]:
    files = sorted(glob.glob(str(DATA / "polnear" / "**" / "*.txt"), recursive=True))
    for name in ("newssd_eng", "checkthat2025_en", "bbc"):
        files += sorted(glob.glob(str(DATA / name / "**" / "*.txt"), recursive=True))[:300]
    if not files:
        sys.exit(f"no corpus texts under {DATA}")
    return [Path(f).read_text(encoding="utf-8", errors="replace") for f in rng.sample(files, min(60, len(files)))]


def article(rng: random.Random, texts: list[str]) -> str:
    text, r = rng.choice(texts), rng.random()
    if r < 0.25:
        chars = list(text)
        for _ in range(rng.randint(1, 200)):
            at = rng.randrange(len(chars) + 1)
            if rng.random() < 0.7 or at == len(chars):
                chars.insert(at, rng.choice(ODD))
            else:
                chars[at] = rng.choice(ODD)
        return "".join(chars)
    if r < 0.4:
        return text.replace("\n", rng.choice(["\r", "\u2028", "\x85", "\x1e", " \n ", "\n\n\n", "\0"]))
    if r < 0.5:
        return text[:rng.randint(1, len(text))] + rng.choice(["“", '"', " said “The", "“\n"])
    if r < 0.6:
        return " ".join(rng.choice(texts)[:3000] for _ in range(rng.randint(3, 12)))
    if r < 0.7:
        return " ".join(rng.choice(TINY) for _ in range(rng.randint(50, 1500)))
    if r < 0.8:
        return rng.choice(["", " ", "\n", "\0", "\ud800", "“", '"', "\n\n", "a b c", "x" * 5000, "said " * 2000])
    return text


# pieces of --hostile segment articles (see the module's docstring)
_WORDS = ["Mr.", "Dr.", "U.S.", "U.N.", "J.", "R.", "a.m.", "p.m.", "Inc.", "Corp.", "Gen.", "St.", "No.", "etc.", "e.g.",
          "Jan.", "Sept.", "1.", "iv.", "(a)", "said", "told", "officials", "The", "the", "police", "may", "May", "might",
          "Might", "reportedly", "allegedly", "is expected", "believed to", "one", "One", "of", "another", "two",
          "million", "2019", "1999", "3.5", "1,200", "today", "Monday", "March", "tonight", "cookies", "Share",
          "Photo:", "Getty Images", "By", "Reuters", "caf\u00e9", "na\u00efve", "\u0130stanbul", "\u017fhare",
          "\u212aelvin", "May\u00e9", "\u00e9may", "might\u0301", "2019\u0663", "\u0663", "\U0001d400",
          "\u201cWe", "stay.\u201d", "home,\u201d", "\u2019s", "(he", "said)", "\u2014", "--", "...", "\u2026"]
_ENDS = [".", ".", "!", "?", ".\u201d", "?\u201d", ".)", ".'", ".\u0301", ".\u0308", "!!", "?!", ". . .", "\u2026"]
_GAPS = [" ", " ", " ", "  ", "\n", "\n\n", "\r\n", "\r", "\t", "\u00a0", "\u2009", "\u3000", "\u1680", "\u2028",
         "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\u200b", "\ufeff"]


def hostile_article(rng: random.Random) -> str:
    shared = rng.sample(_WORDS, 6)  # words many sentences hold (corroboration, headline overlap)
    parts = []
    if rng.random() < 0.5:
        parts.append(" ".join(rng.choice(_WORDS + shared) for _ in range(rng.randint(1, 9))) + rng.choice(["", "\n"]))
    for _ in range(rng.choice([1, 3, 20, 60, 150, 150])):
        words = [rng.choice(_WORDS + shared * 3) for _ in range(rng.randint(1, 14))]
        parts.append(" ".join(words) + rng.choice(_ENDS) + rng.choice(_GAPS))
    text = "".join(parts)
    return text[:rng.randint(0, len(text))] if rng.random() < 0.1 else text


QUOTES = ["“", "”", '"', "'", "‘", "’", "«", "»", "„", "‹", "›", "「", "」", "″", "＂", "\n", "\n\n"]
WORDS = ["said", "Said", "according", "to", "officials", "Mr.", "U.S.", "he", "she", "told", "CNN", "Trump", ",", ".",
         "the", "a", "sources", "familiar", "with", "matter", "e.g.", "don’t", "30-year-old", "x_y", "A.b.C."]


def _any_char(rng: random.Random) -> str:
    """A code point of any plane (surrogates, combining marks, digits of any script, letters of any case...)."""
    r = rng.random()
    if r < 0.4:
        return chr(rng.randrange(0x80, 0x3000))
    if r < 0.6:
        return chr(rng.randrange(0xD7F0, 0xE010))  # around the surrogates
    if r < 0.8:
        return chr(rng.randrange(0x10000, 0x110000))
    return chr(rng.randrange(0x3000, 0x10000))


def hostile_tagger(rng: random.Random) -> str:
    """An article aimed at the span tagger's kernels (`--hostile tagger`)."""
    r = rng.random()
    if r < 0.3:  # quote soup: balanced, unbalanced, nested, across sentences and paragraphs
        out = []
        for _ in range(rng.randint(20, 3000)):
            out.append(rng.choice(QUOTES) if rng.random() < 0.3 else rng.choice(WORDS))
            out.append("" if rng.random() < 0.3 else " ")
        return "".join(out)
    if r < 0.45:  # one sentence of thousands of tokens
        return " ".join(rng.choice(WORDS[:12] + QUOTES[:4]) for _ in range(rng.randint(2000, 12000))) + "."
    if r < 0.65:  # code points of every category and plane, between words and quotes
        return "".join(_any_char(rng) if rng.random() < 0.5 else rng.choice(WORDS + QUOTES + [" "])
                       for _ in range(rng.randint(1, 4000)))
    if r < 0.8:  # one token repeated
        unit = rng.choice([".", "“", "”", '"', "said ", "x", "U.S. ", "\ud800", "\U0001F600", ". ", "“a” "])
        return unit * rng.randint(1, 60000 // len(unit))
    return " ".join("“" + rng.choice(WORDS) + rng.choice(["”", "", '"']) + rng.choice([".", "", "\n"])
                    for _ in range(rng.randint(1, 500)))


def batches(seed: int, n: int, hostile: str | None = None) -> list[list[str]]:
    rng = random.Random(seed)
    if hostile == "segment":
        return [[hostile_article(rng) for _ in range(rng.choice([1, 2, 8]))] for _ in range(n)]
    if hostile == "inputs":
        import fuzz_inhead  # (beside this file)

        return fuzz_inhead.batches(seed, n)
    texts = corpus(rng)
    if hostile != "tagger":
        return [[article(rng, texts) for _ in range(rng.choice([1, 2, 8, 9, 17]))] for _ in range(n)]
    return [[hostile_tagger(rng) if rng.random() < 0.6 else article(rng, texts)
             for _ in range(rng.choice([1, 3, 17, 40]))] for _ in range(n)]


def run(root: Path, payload: str, kernels: str) -> list[str]:
    env = dict(os.environ, PYTHONPATH=str(root), SCORER_KERNELS=kernels)
    done = subprocess.run([sys.executable, "-c", _SIDE], input=payload, text=True, capture_output=True, cwd=root,
                          env=env, check=False)
    if done.returncode:
        sys.exit(f"{root}: exit {done.returncode}\n{done.stderr[-2000:]}")
    return done.stdout.splitlines()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vs", default="f0b630d")
    parser.add_argument("--seeds", default="1-4", help="a range A-B or one seed")
    parser.add_argument("--batches", type=int, default=15, help="batches per seed")
    parser.add_argument("--kernels", default="0,1")
    parser.add_argument("--show", help="SEED:INDEX: print that batch's input (JSON) and exit")
    parser.add_argument("--old-so", help="a build of REV's compiled kernels (default: this checkout's)")
    parser.add_argument("--hostile", choices=["segment", "tagger", "inputs"],
                        help="articles aimed at these kernels (see above)")
    args = parser.parse_args()
    if args.show:
        seed, index = map(int, args.show.split(":"))
        print(json.dumps(batches(seed, index + 1, args.hostile)[index], ensure_ascii=True))
        return 0
    first, _, last = args.seeds.partition("-")
    seeds = range(int(first), int(last or first) + 1)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", args.vs], capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(old, filter="data")
        for so in [Path(args.old_so)] if args.old_so else REPO.glob("_scorer_kernels*.so"):
            shutil.copy(so, old)
        for root in (REPO, old) if "1" in args.kernels.split(",") else ():
            status = subprocess.run([sys.executable, "-c", "import scorer.text.kernels as k; print(k.STATUS)"],
                                    capture_output=True, text=True, cwd=root, check=False,
                                    env=dict(os.environ, PYTHONPATH=str(root), SCORER_KERNELS="1")).stdout.strip()
            if status != "compiled":
                sys.exit(f"{root}: SCORER_KERNELS=1 would run {status!r}, not the compiled kernels (see --old-so)")
        for seed in seeds:
            payload = json.dumps(batches(seed, args.batches, args.hostile), ensure_ascii=True)
            for kernels in args.kernels.split(","):
                new_out, old_out = run(REPO, payload, kernels), run(old, payload, kernels)
                differ = [i for i, (a, b) in enumerate(zip(new_out, old_out)) if a != b]
                if len(new_out) != len(old_out):
                    differ.append(min(len(new_out), len(old_out)))
                failed += bool(differ)
                print(f"seed {seed} SCORER_KERNELS={kernels}: {len(new_out)} batches, differ: {differ}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
