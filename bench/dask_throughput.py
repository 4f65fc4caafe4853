"""Throughput of the Dask backend: the PolNeAR dev articles repeated to at least --min-sentences
sentences, written as --shards JSONL shards, scored on a local cluster of 1 and 2 workers.

Two timings per worker count: `scorer batch --backend dask` as a whole process (cluster start-up and
model loading included), and `run_dask_batch` on an already running cluster whose workers have
loaded the model (the steady state a long run sees). Per-worker rate = rate / workers.

    python bench/dask_throughput.py [--min-sentences 50000] [--shards 16] [--runs 3]
"""
import argparse
import json
import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from common import dev_texts, scorer_command, table, timed


def count(out: Path) -> tuple[int, int]:
    """(articles, sentences) scored, counted from the shard outputs."""
    rows = [json.loads(line) for f in sorted(out.glob("part-*.jsonl")) for line in f.open(encoding="utf-8")]
    ok = [r for r in rows if r["status"] == "ok"]
    return len(ok), sum(r["article"]["n_sentences"] for r in ok)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--min-sentences", type=int, default=50_000)
    ap.add_argument("--shards", type=int, default=16)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    from distributed import LocalCluster

    from scorer.batch.dask import run_dask_batch

    base = dev_texts()
    per_copy = 3_000  # about 3,100 sentences per copy of the 84 dev articles; recounted from the output
    texts = base * -(-args.min_sentences // per_copy)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "shards"
        src.mkdir()
        size = -(-len(texts) // args.shards)
        for k in range(args.shards):
            part = texts[k * size:(k + 1) * size]
            (src / f"{k:03d}.jsonl").write_text(
                "".join(json.dumps({"id": f"{k}-{i}", "text": x}) + "\n" for i, x in enumerate(part)), encoding="utf-8")
        out = Path(tmp) / "out"
        for workers in (1, 2):
            def whole_process():
                shutil.rmtree(out, ignore_errors=True)
                subprocess.run([scorer_command(), "batch", str(src), "-o", str(out), "--backend", "dask", "--jobs",
                                str(workers), "--format", "jsonl", "--no-progress"], check=True, capture_output=True)

            t, _ = timed(whole_process, args.runs)
            n_art, n_sent = count(out)
            rows.append([f"scorer batch --backend dask --jobs {workers} (whole process)", workers, n_art, n_sent,
                         f"{t:.1f}", f"{n_sent / t:,.0f}", f"{n_sent / t / workers:,.0f}"])
            with LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=":0",
                              silence_logs=logging.ERROR) as cluster:
                run_dask_batch(src, out, scheduler=cluster.scheduler_address)  # workers load the model
                t, _ = timed(lambda: run_dask_batch(src, out, scheduler=cluster.scheduler_address), args.runs)
            n_art, n_sent = count(out)
            rows.append(["run_dask_batch, running cluster, model loaded", workers, n_art, n_sent, f"{t:.1f}",
                         f"{n_sent / t:,.0f}", f"{n_sent / t / workers:,.0f}"])
    print(table(["run", "workers", "articles", "sentences", "seconds (median)", "sentences/s", "per worker"], rows))


if __name__ == "__main__":
    main()
