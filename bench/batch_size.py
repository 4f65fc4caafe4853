"""CPU seconds and peak RSS of one process scoring the same records in model calls of B articles (the batch
workers' `MODEL_BATCH`), each size in a fresh process, sizes interleaved over the runs.

    python bench/batch_size.py [--sizes 32 16 8 4] [--articles 320] [--runs 2]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import REPO, dev_texts, table

CHILD = """
import json, resource, sys, time
from scorer.batch.records import read_records
from scorer.batch.workers import score_chunk
from scorer.batch.writers import encode_jsonl
from scorer.pipeline import cached_scorer
from scorer.pool import chunks
size, src = int(sys.argv[1]), sys.argv[2]
scorer = cached_scorer(None)
records = list(read_records(src))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.process_time()
for chunk in chunks(records, 32):
    for result in score_chunk(scorer, chunk, batch=size):
        encode_jsonl(result)
print(json.dumps({"cpu": time.process_time() - start, "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "before": before}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[32, 16, 8, 4])
    parser.add_argument("--articles", type=int, default=320)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    texts = dev_texts()
    results: dict[int, list[dict]] = {size: [] for size in args.sizes}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        src.write_text("".join(json.dumps({"id": str(i), "text": texts[i % len(texts)]}) + "\n"
                               for i in range(args.articles)), encoding="utf-8")
        env = dict(os.environ, PYTHONPATH=str(REPO))
        for _ in range(args.runs):
            for size in args.sizes:
                out = subprocess.run([sys.executable, "-c", CHILD, str(size), str(src)], env=env, cwd=REPO,
                                     check=True, capture_output=True, text=True).stdout
                results[size].append(json.loads(out.strip().splitlines()[-1]))
    rows = [[size, f"{statistics.median(r['cpu'] for r in runs):.2f}",
             f"{statistics.median(r['peak'] for r in runs) / 1024:.1f}",
             f"{statistics.median(r['before'] for r in runs) / 1024:.1f}"] for size, runs in results.items()]
    print(table(["articles per model call", "CPU seconds (median)", "peak RSS, MB (median)",
                 "peak RSS before scoring (model load), MB"], rows))


if __name__ == "__main__":
    main()
