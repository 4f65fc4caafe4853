"""A batch worker's heap trimming: `malloc_trim` after every task (the policy before session 12) against `pool.Trimmer`
(a trim only when the resident memory grew by more than `pool.WORKER_TRIM_SLACK` since the last one). Each run is a
fresh process that does what one of the two workers of `scorer batch --jobs 2` does: load the model and score every
other record of the 84 PolNeAR dev articles repeated --copies times, in tasks of `MODEL_BATCH` articles, each encoded
as a JSON line; the two policies alternate, run by run. Prints per policy the median CPU seconds (user + system), the
system seconds, the minor page faults and the trims of the task loop and the resident MB at its end, and the median of
the paired CPU ratios. Linux only (glibc, /proc).

    python bench/trim_policy.py [--copies 15] [--runs 3]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import REPO, dev_texts

LOOP = r"""
import json, os, sys
from scorer.pool import single_threaded_scoring
single_threaded_scoring()
import scorer.pool as pool
from scorer.batch.records import read_records
from scorer.batch.workers import MODEL_BATCH, score_record_chunk
from scorer.batch.writers import encode_jsonl
import scorer.pipeline
trim = pool.tune_malloc()
scorer.pipeline.cached_scorer(None)
records = list(read_records(sys.argv[1], "text", "id", 10_000_000, "none"))[::2]  # one worker's share
trims = [0]

def counted(pad):
    trims[0] += 1
    trim(pad)

after = (lambda: counted(0)) if sys.argv[2] == "every task" else pool.Trimmer(counted, pool.WORKER_TRIM_SLACK)

def faults():
    with open("/proc/self/stat") as fh:
        return int(fh.read().rsplit(")", 1)[1].split()[7])

f0, t0 = faults(), os.times()
for a in range(0, len(records), MODEL_BATCH):
    out = score_record_chunk(records[a:a + MODEL_BATCH], None, None, encode_jsonl)
    del out
    after()
t1 = os.times()
print(json.dumps({"cpu": t1.user - t0.user + t1.system - t0.system, "sys": t1.system - t0.system,
                  "faults": faults() - f0, "trims": trims[0], "rss": pool.resident_bytes() / 2**20,
                  "tasks": -(-len(records) // MODEL_BATCH)}))
"""

POLICIES = ("every task", "Trimmer")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=15, help="copies of the dev articles (default 15; a worker scores half)")
    ap.add_argument("--runs", type=int, default=3, help="runs per policy, alternated (default 3)")
    args = ap.parse_args()
    texts = dev_texts()
    results: dict[str, list[dict]] = {p: [] for p in POLICIES}
    with tempfile.TemporaryDirectory(prefix="scorer-trim-") as tmp:
        src = Path(tmp) / "in.jsonl"
        with src.open("w", encoding="utf-8") as fh:
            for copy in range(args.copies):
                for i, text in enumerate(texts):
                    fh.write(json.dumps({"id": f"{copy}-{i}", "text": text}) + "\n")
        for _ in range(args.runs):
            for policy in POLICIES:
                out = subprocess.run([sys.executable, "-c", LOOP, str(src), policy], capture_output=True, text=True,
                                     cwd=REPO, check=True)
                results[policy].append(json.loads(out.stdout.strip().splitlines()[-1]))
                print(policy, results[policy][-1], file=sys.stderr)
    print(f"one worker's share of {args.copies} x the 84 dev articles ({results[POLICIES[0]][0]['tasks']} tasks), "
          f"medians of {args.runs} alternated runs")
    print("| trim | CPU s | system s | minor page faults | trims | RSS at the end, MB |\n|---|---|---|---|---|---|")
    for policy, runs in results.items():
        med = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        print(f"| {policy} | {med['cpu']:.2f} | {med['sys']:.2f} | {med['faults']:,.0f} | {med['trims']:.0f} | "
              f"{med['rss']:.1f} |")
    ratio = statistics.median(b["cpu"] / a["cpu"] for a, b in zip(*results.values()))
    print(f"\nCPU {POLICIES[1]} / {POLICIES[0]}: {ratio:.3f} (median of the paired ratios)")


if __name__ == "__main__":
    main()
