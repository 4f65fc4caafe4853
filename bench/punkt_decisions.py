"""How often the segmentation asks nupunkt's decision engine whether a context holds a sentence break, in a first
pass over the 84 PolNeAR dev articles (every context new, as on a corpus that does not repeat) and in a second (all
memoized), with the CPU seconds of `split_article` in each pass; run from each checkout to compare (fixed16, session
16: the compiled `punkt_spans` no longer asks about a candidate that only closing marks and white space follow).

    python bench/punkt_decisions.py
"""
from __future__ import annotations

import time

from common import dev_texts


def main() -> None:
    from scorer.text import kernels, segment

    tokenizer = segment._span_tokenize().__self__
    asked = [0]
    strings = tokenizer._strings_contain_sentbreak

    def counted(before, after, first_memo):
        asked[0] += 1
        return strings(before, after, first_memo)

    tokenizer._strings_contain_sentbreak = counted  # (on the instance: the engine is rebuilt with it)
    tokenizer.__dict__.pop("_decision_memo", None)
    texts = dev_texts()
    for n in (1, 2):
        asked[0] = 0
        start = time.process_time()
        for text in texts:
            segment.split_article(text)
        print(f"pass {n}: {asked[0]:,} contexts decided by nupunkt's engine, split_article "
              f"{1e3 * (time.process_time() - start):.1f} ms CPU ({kernels.STATUS})")


if __name__ == "__main__":
    main()
