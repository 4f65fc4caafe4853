"""End-to-end throughput on the PolNeAR dev articles repeated to at least --min-sentences sentences:
Scorer.score_many in-process, and `scorer batch` with --jobs 1 and --jobs 2 as whole processes.

    python bench/throughput.py [--min-sentences 50000] [--runs 3]
"""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from common import dev_texts, table, timed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--min-sentences", type=int, default=50_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    from scorer import Scorer

    scorer = Scorer()
    base = dev_texts()
    per_copy = sum(r.article["n_sentences"] for r in scorer.score_many(base))
    copies = -(-args.min_sentences // per_copy)
    texts = base * copies
    n_sent, n_art = per_copy * copies, len(texts)
    rows = []
    t, _ = timed(lambda: sum(1 for _ in scorer.score_many(texts)), args.runs)
    rows.append(["Scorer.score_many (in-process)", n_art, n_sent, f"{t:.1f}", f"{n_sent / t:,.0f}", f"{n_art / t:,.1f}"])
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        src.write_text("".join(json.dumps({"id": str(i), "text": x}) + "\n" for i, x in enumerate(texts)))
        for jobs in (1, 2):
            out = Path(tmp) / f"out{jobs}.jsonl"
            cmd = [sys.executable, "-m", "scorer", "batch", str(src), "--output", str(out), "--jobs", str(jobs),
                   "--no-progress"]
            t, _ = timed(lambda: subprocess.run(cmd, check=True, capture_output=True), args.runs)
            rows.append([f"scorer batch --jobs {jobs} (whole process)", n_art, n_sent, f"{t:.1f}",
                         f"{n_sent / t:,.0f}", f"{n_art / t:,.1f}"])
    print(table(["run", "articles", "sentences", "seconds (median)", "sentences/s", "articles/s"], rows))


if __name__ == "__main__":
    main()
