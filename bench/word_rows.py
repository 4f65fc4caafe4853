"""The span tagger's new-word rows (`_WordCache._add`'s sums of the word features' weights), CPU milliseconds for the
distinct words of the 84 PolNeAR dev articles with the shipped model: the pure-Python twin
(`_sum_features(block, _feature_ids(words))`) and the compiled `tagger_word_rows`, with and without its hash buckets,
alternated run by run (median of `--runs`); the rows are checked to be the same bits.

    python bench/word_rows.py [--runs 5]
"""
from __future__ import annotations

import argparse

import numpy as np

from common import alternated, dev_texts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    from scorer.attribution import tagger as T
    from scorer.model.store import load_bundle
    from scorer.text import kernels

    cache = load_bundle()["spans"]._words
    words = sorted({w for text in dev_texts() for w in T.TOKEN.findall(text)})
    blocks = {name: np.zeros((len(words), len(T.OFFSETS), cache.weights.shape[1]))
              for name in ("twin", "kernel", "kernel without buckets")}
    fns = {"twin": lambda: cache._sum_features(blocks["twin"], cache._feature_ids(words))}
    if kernels.ACTIVE:
        v = cache.index
        kernels.tagger_word_rows(v, words[:1], blocks["kernel"][:1], cache.weights, T._LISTS_OF, cache._list_ids,
                                 T._PREFIXES)  # (the vocabulary's arrays checked and its buckets made: not timed)
        arrays = v._kernel_checked

        def compiled(block, buckets):
            kernels.compiled.tagger_word_rows(words, block, cache.weights, T._LISTS_OF, cache._list_ids, T._PREFIXES,
                                              *arrays, int(v.base), True, buckets)

        fns["kernel"] = lambda: compiled(blocks["kernel"], kernels._hash_buckets(v, arrays[3]))
        fns["kernel without buckets"] = lambda: compiled(blocks["kernel without buckets"], None)
    times = alternated(fns, args.runs)
    same = all(blocks[name].tobytes() == blocks["twin"].tobytes() for name in fns)
    print(f"{len(words):,} distinct words, CPU ms (median of {args.runs}): "
          + ", ".join(f"{name} {1e3 * t:.1f}" for name, t in times.items())
          + f"; rows {'identical' if same else 'DIFFER'}" + ("" if kernels.ACTIVE else f" ({kernels.STATUS})"))


if __name__ == "__main__":
    main()
