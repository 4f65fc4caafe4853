"""The batches of `tools/fuzz_vs.py --hostile inputs` (review of session 13, part C), aimed at the model-input, head
and claim-head kernels: cue phrases and
reporting verbs next to word characters of every script, in case variants (Turkish dotted I, sharp s, final sigma,
title-case digraphs, the Kelvin sign), quote marks of every kind; the model's own vocabulary terms joined into
n-grams with apostrophes and odd separators; very long words and sentences; thousands of distinct words (the word
cache fills and is emptied mid-batch) and many articles a batch (the n-gram coder is built mid-run).

    python tools/fuzz_vs.py --vs cb3ef4e --hostile inputs [--seeds 1-4] [--batches 12] [--old-so PATH]
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fuzz_vs  # the side runner and the corpus

WORD_CHARS = ["é", "ß", "İ", "ı", "ς", "Σ", "ǅ", "ǈ", "ǋ", "٣", "²", "𝐀", "_", "0", "9", "\u0301", "ﬃ", "\u212a", "ſ",
              "ẞ", "a", "Z", "ʼ", "\u00b7", "中", "\ud83d", "😀", "\U00010400", "-", "'", "’", "\u200d", "ⅷ"]
QUOTES = ["“", "”", '"', "'", "‘", "’", "„", "‟", "«", "»", "‹", "›", "「", "」", "‚", "‛", "\u301d", "\u301e",
          "\uff02", "`", "´"]
SEPS = [" ", "  ", "\t", "\n", "\u00a0", "\u3000", "’", "'", "-", "—", "–", "―", ",", ", ", "? ", "! ", ": ", ". ",
        "\u200b", "\u2028", "_", ""]


def _lexicon() -> list[str]:
    from scorer.attribution import lexicon
    from scorer.model import cues

    words = list(lexicon.ANONYMITY_PHRASES) + list(lexicon.REPORTING_PHRASES) + list(lexicon.OUTLETS)
    words += list(lexicon.HEDGES) + list(cues._DENIALS) + sorted(lexicon.REPORTING_VERBS)[:200]
    words += sorted(lexicon.LOADED_WORDS)[:100] + sorted(lexicon.INTENSIFIERS) + sorted(lexicon.CARRY_VERBS)
    words += ["he", "she", "they", "it", "I", "We", "Our", "My", "you", "Your", "The", "A", "But", "And", "May 5",
              "need to", "has to", "have to", "should", "1999", "2024", "٣٤", "according to", "sources said"]
    return sorted(set(words))


def _terms(rng: random.Random) -> list[str]:
    import numpy as np

    z = np.load(fuzz_vs.REPO / "models" / "attribution-v1.npz", allow_pickle=False)
    terms = []
    for name in ("tokens.terms", "claims.words.terms"):
        terms += bytes(z[name]).decode("utf-8").split("\n")
    return rng.sample(terms, 4000)


def _case(rng: random.Random, s: str) -> str:
    r = rng.random()
    if r < 0.2:
        return s.upper()
    if r < 0.4:
        return s.title()
    if r < 0.5:
        return "".join(c.upper() if rng.random() < 0.5 else c for c in s)
    if r < 0.6:
        return s.replace("i", rng.choice(["İ", "ı", "I"])).replace("s", rng.choice(["ſ", "ß", "s"])) \
            .replace("k", rng.choice(["\u212a", "k"]))
    return s


def _sentence(rng: random.Random, lex: list[str], terms: list[str]) -> str:
    parts = []
    for _ in range(rng.randint(1, 14)):
        r = rng.random()
        if r < 0.35:
            w = _case(rng, rng.choice(lex))
        elif r < 0.7:
            w = rng.choice(terms)
        elif r < 0.8:
            w = rng.choice(QUOTES)
        elif r < 0.9:
            w = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 12)))
        else:
            w = rng.choice(WORD_CHARS) * rng.randint(1, 3)
        if rng.random() < 0.3:
            w = rng.choice(WORD_CHARS) + w
        if rng.random() < 0.3:
            w = w + rng.choice(WORD_CHARS)
        parts.append(w)
        parts.append(rng.choice(SEPS))
    s = "".join(parts)
    if rng.random() < 0.3:
        q = rng.choice(QUOTES)
        s = q + s + rng.choice([q, "", ",” he said", '," she said', "”", "’"])
    return s + rng.choice([".", "", "?", "!", "”", ".”", '"', ":", "..."])


def article(rng: random.Random, lex: list[str], terms: list[str], texts: list[str]) -> str:
    r = rng.random()
    if r < 0.55:
        return " ".join(_sentence(rng, lex, terms) for _ in range(rng.randint(1, 40)))
    if r < 0.65:  # thousands of distinct words: the word cache fills
        return " ".join("".join(rng.choice("abcdefghijklmnopqrstuvwxyzé’") for _ in range(rng.randint(2, 9)))
                        + rng.choice([" ", ". ", " ", ", "]) for _ in range(rng.randint(2000, 8000)))
    if r < 0.72:  # very long words and sentences
        return rng.choice(["x" * rng.randint(5000, 60000), "said " * rng.randint(1000, 9000),
                           ("“" + "a" * 300 + "”") * 100, "." * 20000, "“" * 20000, "'" * 5000 + "s",
                           " ".join(rng.choice(terms) for _ in range(6000)),
                           rng.choice(lex) + "é" * 10000 + rng.choice(lex)])
    if r < 0.8:
        return fuzz_vs.article(rng, texts)
    # a corpus article with phrases and quote marks spliced in next to word characters
    text = list(rng.choice(texts))
    for _ in range(rng.randint(1, 60)):
        at = rng.randrange(len(text) + 1)
        text.insert(at, rng.choice(WORD_CHARS) + _case(rng, rng.choice(lex)) + rng.choice(WORD_CHARS + QUOTES))
    return "".join(text)


def batches(seed: int, n: int) -> list[list[str]]:
    rng = random.Random(seed)
    texts = fuzz_vs.corpus(rng)
    lex, terms = _lexicon(), _terms(rng)
    return [[article(rng, lex, terms, texts) for _ in range(rng.choice([1, 2, 5, 9, 17, 33]))] for _ in range(n)]
