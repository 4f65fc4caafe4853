"""JSON output with orjson against the standard library, in one run (issue #21 item 4): the same checkout run with
and without `SCORER_STDLIB_JSON=1` (which makes `scorer.report.report.dumps` use the standard library even with
orjson installed), interleaved (stdlib, orjson, stdlib, orjson, ...), so that the machine's load hits both alike.

- `scorer batch --jobs N -o out.jsonl` on the 84 PolNeAR dev articles repeated --copies times: sentences/s (wall)
  and CPU µs per sentence of the whole process tree (user + system of the parent and its workers: on a shared,
  loaded machine the CPU time is much steadier than the wall time);
- `scorer score EXAMPLE --format json` (and `jsonl`) as whole processes: wall seconds;
- in one process: the JSONL line of each dev report (`writers.encode_jsonl`), and scoring plus the JSONL line (what
  one batch worker does), CPU µs per sentence.

The last column is orjson / stdlib, the median of the paired ratios (for time: below 1 is faster; for sentences/s:
above 1 is faster). Needs orjson installed (`pip install '.[fast]'`).

    python bench/json_output.py [--copies 5] [--runs 5] [--jobs 2] [--score-runs 10]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, dev_texts, table  # noqa: E402
from run import write_workload  # noqa: E402

EXAMPLE = REPO / "examples" / "iran-bounties-commune.txt"
VARIANTS = ("stdlib", "orjson")


def env(variant: str) -> dict:
    environment = dict(os.environ, PYTHONPATH=str(REPO))
    environment.pop("SCORER_STDLIB_JSON", None)
    if variant == "stdlib":
        environment["SCORER_STDLIB_JSON"] = "1"
    return environment


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def batch(variant: str, src: Path, out: Path, jobs: int) -> tuple[float, float]:
    """(sentences/s, CPU µs per sentence of the process tree) of one `scorer batch` to JSONL."""
    out.unlink(missing_ok=True)
    cpu, start = _children_cpu(), time.perf_counter()
    subprocess.run([sys.executable, "-m", "scorer", "batch", str(src), "-o", str(out), "--jobs", str(jobs),
                    "--no-progress"], env=env(variant), check=True, capture_output=True)
    wall, cpu = time.perf_counter() - start, _children_cpu() - cpu
    with out.open(encoding="utf-8") as fh:
        sentences = sum(row["article"]["n_sentences"] for row in map(json.loads, fh) if row["status"] == "ok")
    return sentences / wall, 1e6 * cpu / sentences


def score(variant: str, fmt: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "scorer", "score", str(EXAMPLE), "--format", fmt], env=env(variant),
                   check=True, capture_output=True)
    return time.perf_counter() - start


def in_process(runs: int) -> tuple[dict, dict]:
    """CPU µs per sentence of `encode_jsonl` on the dev reports, and of scoring them plus `encode_jsonl` (as a batch
    worker does, 32 articles per model call), each variant in this process, interleaved."""
    from scorer.batch import writers
    from scorer.pipeline import Scorer
    from scorer.report import report

    scorer, texts = Scorer(), dev_texts()
    results = [dict(r.to_dict(), id=str(i), input=f"dev:{i}", status="ok") for i, r in enumerate(scorer.score_many(texts))]
    sentences = sum(r["article"]["n_sentences"] for r in results)
    fast = report._fast_json()
    encode: dict = {v: [] for v in VARIANTS}
    whole: dict = {v: [] for v in VARIANTS}
    for run in range(runs):
        for variant in VARIANTS if run % 2 == 0 else VARIANTS[::-1]:
            report._fast = None if variant == "stdlib" else fast
            start = time.process_time()
            for result in results:
                writers.encode_jsonl(result)
            encode[variant].append(1e6 * (time.process_time() - start) / sentences)
            start = time.process_time()
            for i, r in enumerate(scorer.score_many(texts)):
                writers.encode_jsonl(dict(r.to_dict(), id=str(i), input=f"dev:{i}", status="ok"))
            whole[variant].append(1e6 * (time.process_time() - start) / sentences)
    report._fast = fast
    return encode, whole


def row(name: str, values: dict, fmt: str, higher_is_faster: bool) -> list:
    ratios = [o / s for s, o in zip(values["stdlib"], values["orjson"])]
    return [name, fmt.format(statistics.median(values["stdlib"])), fmt.format(statistics.median(values["orjson"])),
            f"{statistics.median(ratios):.3f}" + (" (higher is faster)" if higher_is_faster else "")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=5, help="times the 84 dev articles are repeated (default 5)")
    ap.add_argument("--runs", type=int, default=5, help="batch runs per variant, interleaved (default 5)")
    ap.add_argument("--jobs", type=int, nargs="+", default=[2], help="--jobs values (default 2)")
    ap.add_argument("--score-runs", type=int, default=10, help="`scorer score` runs per variant and format (0: skip them)")
    args = ap.parse_args()
    import orjson  # noqa: F401 - the comparison needs it

    rows = []
    encode, whole = in_process(args.runs)
    rows.append(row("`encode_jsonl`, CPU µs per sentence (in process)", encode, "{:.2f}", False))
    rows.append(row("scoring + `encode_jsonl`, CPU µs per sentence (in process, one worker's work)", whole, "{:.1f}",
                    False))
    for fmt in ("json", "jsonl") if args.score_runs else ():
        times: dict = {v: [] for v in VARIANTS}
        for _ in range(args.score_runs):
            for variant in VARIANTS:
                times[variant].append(score(variant, fmt))
        rows.append(row(f"`scorer score EXAMPLE --format {fmt}`, s", times, "{:.3f}", False))
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "dev.jsonl"
        write_workload(src, args.copies)
        for jobs in args.jobs:
            rates: dict = {v: [] for v in VARIANTS}
            cpu: dict = {v: [] for v in VARIANTS}
            for run in range(args.runs):
                for variant in VARIANTS if run % 2 == 0 else VARIANTS[::-1]:
                    rate, us = batch(variant, src, Path(tmp) / f"{variant}.jsonl", jobs)
                    rates[variant].append(rate)
                    cpu[variant].append(us)
                    print(f"jobs {jobs} run {run} {variant}: {rate:,.0f} sentences/s, {us:.1f} CPU µs/sentence",
                          file=sys.stderr)
            rows.append(row(f"`scorer batch --jobs {jobs}` to JSONL, sentences/s (wall)", rates, "{:,.0f}", True))
            rows.append(row(f"`scorer batch --jobs {jobs}` to JSONL, CPU µs per sentence (process tree)", cpu,
                            "{:.1f}", False))
    print(table(["measure", "stdlib json", "orjson", "orjson / stdlib (median of paired ratios)"], rows))


if __name__ == "__main__":
    main()
