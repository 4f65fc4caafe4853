"""Where a batch run's fixed costs go, in CPU seconds: one process's import of the pipeline, model load and each pass
over the 84 PolNeAR dev articles (the first pass pays the caches' warm-up; also by pipeline stage, the stages of
bench/profile_stages.py timed in place), then `scorer batch --jobs N` run in this process: its wall time, the parent's
CPU and each worker's (read from /proc before the workers are stopped), the workers' minor page faults, how long each
worker waited for a task (after its first: the parent had none ready for it) and how long it idled at the end while
the other finished. Linux only (/proc).

    python bench/fixed_costs.py [--passes 4] [--copies 15] [--jobs 2] [--ahead N]

Each part runs in a fresh interpreter (a subprocess of this script), as a batch worker or parent starts.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from common import REPO, dev_texts

ONE_PROCESS = r"""
import json, os, sys
def cpu():
    t = os.times()
    return t.user + t.system
c0 = cpu()
from scorer.pool import single_threaded_scoring
single_threaded_scoring()
from scorer.batch.records import read_records
from scorer.batch.workers import MODEL_BATCH, score_record_chunk
from scorer.batch.writers import encode_jsonl
c1 = cpu()
import scorer.pipeline
c2 = cpu()
scorer.pipeline.cached_scorer(None)
c3 = cpu()
# the pipeline's stages timed in place (CPU), as bench/profile_stages.py names them, pass by pass
import time
sys.path.insert(0, "bench")
from profile_stages import install
totals = {}
install(totals, time.process_time)
records = list(read_records(sys.argv[1], "text", "id", 10_000_000, "all"))
per_pass, passes, stages = int(sys.argv[2]), [], []
for p in range(0, len(records), per_pass):
    start = cpu()
    totals.update(dict.fromkeys(totals, 0.0))
    part = records[p:p + per_pass]
    for a in range(0, len(part), MODEL_BATCH):
        score_record_chunk(part[a:a + MODEL_BATCH], None, None, encode_jsonl)
    passes.append(cpu() - start)
    stages.append(dict(totals))
print(json.dumps({"batch modules": c1 - c0, "pipeline import": c2 - c1, "model load": c3 - c2, "passes": passes,
                  "stages": stages}))
"""

BATCH = r"""
import json, os, sys, time
from scorer.cli import cli
import scorer.pool as pool
STATS = sys.argv[4]
if sys.argv[5]:
    pool.AHEAD = int(sys.argv[5])
_worker = pool._worker

def timed_worker(tasks, results, parent, env, *init):
    # in the worker: when it started and got its first task, the seconds it waited for a task (after its first) and
    # when it finished its last, written after each task (the parent kills its workers at the end)
    get, waited, first, born, began = tasks.get, [0.0], [True], time.perf_counter(), [None]

    def note(last):  # written whole (a new file renamed over the old), as the parent may read it at any time
        path = f"{STATS}/worker.{os.getpid()}"
        with open(path + ".new", "w") as fh:
            json.dump({"waited": waited[0], "last": last, "born": born, "began": began[0]}, fh)
        os.replace(path + ".new", path)

    def timed_get(*args, **kwargs):
        start = time.perf_counter()
        note(start)  # this worker's last wait starts when it has finished its last task
        try:
            return get(*args, **kwargs)
        finally:
            if not first[0]:
                waited[0] += time.perf_counter() - start
            else:
                began[0] = time.perf_counter()
            first[0] = False
            note(start)

    tasks.get = timed_get
    _worker(tasks, results, parent, env, *init)

pool._worker = timed_worker

def stat(pid):
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return {"user": int(fields[11]) / tick, "sys": int(fields[12]) / tick, "faults": int(fields[7])}
start = time.perf_counter()
try:
    cli(["batch", sys.argv[1], "-o", sys.argv[2], "--jobs", sys.argv[3], "--no-progress", "--overwrite"],
        standalone_mode=False)
except SystemExit:
    pass
end = time.perf_counter()
t = os.times()
workers = []
for w in (pool._POOL.workers if pool._POOL else []):
    if w.exitcode is None:
        info = stat(w.pid)
        with open(f"{STATS}/worker.{w.pid}") as fh:
            timing = json.load(fh)
        workers.append(dict(info, waited=timing["waited"], tail=end - timing["last"], born=timing["born"] - start,
                            began=timing["began"] - start))
print(json.dumps({"wall": end - start, "parent": t.user + t.system, "parent_sys": t.system, "workers": workers}))
"""

def run(code: str, *args) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, cwd=REPO,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passes", type=int, default=4, help="passes over the dev articles in one process (default 4)")
    ap.add_argument("--copies", type=int, default=15, help="copies of the dev articles for the batch (default 15)")
    ap.add_argument("--jobs", type=int, default=2, help="--jobs of the batch (default 2)")
    ap.add_argument("--ahead", type=int, default=None,
                    help="chunks in flight per worker (default: the pool's AHEAD)")
    args = ap.parse_args()
    texts = dev_texts()
    with tempfile.TemporaryDirectory(prefix="scorer-fixed-") as tmp:
        tmp = Path(tmp)

        def workload(path: Path, copies: int) -> Path:
            with path.open("w", encoding="utf-8") as fh:
                for copy in range(copies):
                    for i, text in enumerate(texts):
                        fh.write(json.dumps({"id": f"{copy}-{i}", "text": text}) + "\n")
            return path

        one = run(ONE_PROCESS, workload(tmp / "passes.jsonl", args.passes), len(texts))
        batch = run(BATCH, workload(tmp / "in.jsonl", args.copies), tmp / "out.jsonl", args.jobs, tmp,
                    args.ahead or "")
    print(f"one process, CPU seconds: importing the batch modules {one['batch modules']:.3f}, the pipeline "
          f"{one['pipeline import']:.3f}, loading the model {one['model load']:.3f}")
    print("each pass over the 84 dev articles: " + ", ".join(f"{p:.3f}" for p in one["passes"])
          + f" (warm-up: first pass - median of the others = "
          f"{one['passes'][0] - sorted(one['passes'][1:])[len(one['passes'][1:]) // 2]:.3f})")
    later = one["stages"][1:]
    warm = {label: first - sorted(p[label] for p in later)[len(later) // 2]
            for label, first in one["stages"][0].items()}
    print("the warm-up by stage (CPU seconds of the first pass - median of the others; inclusive, as in "
          "profile_stages.py): " + ", ".join(f"{label} {w:.3f}" for label, w in warm.items() if abs(w) >= 0.005))
    workers = batch["workers"]
    print(f"`scorer batch --jobs {args.jobs}` of {args.copies} x the dev articles: wall {batch['wall']:.2f} s; CPU "
          f"seconds: parent {batch['parent']:.2f} (system {batch['parent_sys']:.2f}), workers "
          + ", ".join(f"{w['user'] + w['sys']:.2f} (system {w['sys']:.2f})" for w in workers)
          + f", tree {batch['parent'] + sum(w['user'] + w['sys'] for w in workers):.2f}; workers' minor page faults "
          + ", ".join(f"{w['faults']:,}" for w in workers)
          + "; seconds each worker waited for a task after its first, "
          + ", ".join(f"{w['waited']:.2f}" for w in workers)
          + ", and idled at the end (its last wait until the run's end), "
          + ", ".join(f"{w['tail']:.2f}" for w in workers)
          + "; seconds from the batch command's start (after `scorer.cli` is imported) to each worker's start, "
          + ", ".join(f"{w['born']:.3f}" for w in workers) + ", and to its first task, "
          + ", ".join(f"{w['began']:.3f}" for w in workers))


if __name__ == "__main__":
    main()
