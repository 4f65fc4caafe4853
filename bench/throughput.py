"""End-to-end throughput on the PolNeAR dev articles repeated to at least --min-sentences sentences:
Scorer.score_many in-process, and `scorer batch` with --jobs 1 and --jobs 2 as whole processes.

    python bench/throughput.py [--min-sentences 50000] [--runs 3]
"""
import argparse
import json
import subprocess
import tempfile
from pathlib import Path

from common import dev_texts, scorer_command, table, timed


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
    n_art = len(texts)
    rows = []
    t, n_sent = timed(lambda: sum(r.article["n_sentences"] for r in scorer.score_many(texts)), args.runs)
    rows.append(["Scorer.score_many (in-process)", n_art, n_sent, f"{t:.1f}", f"{n_sent / t:,.0f}", f"{n_art / t:,.1f}"])
    exe = scorer_command()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        src.write_text("".join(json.dumps({"id": str(i), "text": x}) + "\n" for i, x in enumerate(texts)))
        for jobs in (1, 2):
            out = Path(tmp) / f"out{jobs}.jsonl"
            cmd = [exe, "batch", str(src), "--output", str(out), "--jobs", str(jobs), "--no-progress"]
            t, _ = timed(lambda: subprocess.run(cmd, check=True, capture_output=True), args.runs)
            results = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
            n_art = sum(r["status"] == "ok" for r in results)  # counted from the output, as scored
            n_sent = sum(r["article"]["n_sentences"] for r in results if r["status"] == "ok")
            rows.append([f"scorer batch --jobs {jobs} (whole process)", n_art, n_sent, f"{t:.1f}",
                         f"{n_sent / t:,.0f}", f"{n_art / t:,.1f}"])
    print(table(["run", "articles", "sentences", "seconds (median)", "sentences/s", "articles/s"], rows))


if __name__ == "__main__":
    main()
