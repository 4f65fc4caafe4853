"""The speed benchmark, new against old in one run: `scorer batch --jobs 1` and `--jobs 2` as whole processes on the
84 PolNeAR dev articles repeated --copies times (default 15: about 49,000 sentences), for the working tree and for
a previous commit checked out into a temporary git worktree, runs interleaved (new, old, new, old, ...) so that a
change in the machine's load hits both alike. Per checkout and --jobs it prints sentences/s (median of the runs,
sentences counted from the output), CPU seconds, peak RSS of the whole process tree (parent and workers summed,
sampled every 0.05 s), the start-up of a one-article batch with --jobs 2, and the µs per sentence of each
pipeline stage (`profile_stages.py`, run once per checkout and run); the last column is new / old, the median of
the paired ratios.

    python bench/run.py                     # the working tree against HEAD (what the uncommitted change does)
    python bench/run.py --vs HEAD~1         # against the commit before (what the last commit did)
    python bench/run.py --vs main --runs 5 --copies 15 --jobs 1 2
    python bench/run.py --new HEAD --vs HEAD~1  # both sides checked out: the working tree may change meanwhile

Each checkout is scored with its own repository's model (`--model CHECKOUT/models`). The workload is written to a
temporary directory from ../shared (never into the repository). On a shared machine, quote the ratios rather than
the absolute rates.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, build_kernels, dev_texts, kernels_status, single_thread_env  # noqa: E402
from memory import tree_rss_mb  # noqa: E402

BENCH = Path(__file__).resolve().parent


def write_workload(path: Path, copies: int) -> int:
    """The dev articles repeated `copies` times as JSONL records {"id", "text"} (ids copy-index); returns the count."""
    texts = dev_texts()
    with path.open("w", encoding="utf-8") as fh:
        for copy in range(copies):
            for i, text in enumerate(texts):
                fh.write(json.dumps({"id": f"{copy}-{i}", "text": text}) + "\n")
    return copies * len(texts)


BYTECODE: dict[Path, Path] = {}  # checkout -> its bytecode cache (PYTHONPYCACHEPREFIX), when run as installed


def environment(checkout: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(checkout), **single_thread_env())
    env.pop("PYTHONHASHSEED", None)
    if checkout in BYTECODE:  # as an installed package runs: its modules' bytecode compiled beforehand, read from a cache
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(BYTECODE[checkout])
    return env


def compile_bytecode(checkout: Path, cache: Path) -> None:
    """The checkout's package byte-compiled into `cache` (as `pip install` compiles it), which its runs then read
    (`environment`), so that neither side compiles its modules from source at every start (PYTHONDONTWRITEBYTECODE,
    set on the sessions' machine, would make each worker do so: ~0.07 s of CPU each). With a cache prefix the
    bytecode beside the standard library's and numpy's sources is not read: the caller runs the checkout once first,
    which writes theirs into the cache too."""
    BYTECODE[checkout] = cache
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(checkout / "scorer")], env=environment(checkout),
                   check=True, stdout=subprocess.DEVNULL)


def model_args(checkout: Path) -> list[str]:
    models = checkout / "models"
    return ["--model", str(models)] if (models / "attribution-v1.json").exists() else []


def run_batch(checkout: Path, src: Path, out: Path, jobs: int) -> dict:
    """One `python -m scorer batch` of the checkout: wall and CPU seconds, peak tree RSS, sentences scored."""
    out.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "scorer", "batch", str(src), "-o", str(out), "--jobs", str(jobs), "--no-progress",
           *model_args(checkout)]
    errors = out.with_suffix(".stderr")
    start = time.perf_counter()
    with errors.open("wb") as err_fh:
        proc = subprocess.Popen(cmd, env=environment(checkout), cwd=checkout, stdout=subprocess.DEVNULL,
                                stderr=err_fh)
    peak = 0.0
    try:
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, tree_rss_mb(proc.pid))
            time.sleep(0.05)
    except BaseException:  # stopped (Ctrl-C, SIGTERM): stop the batch too (its workers follow their parent)
        proc.terminate()
        proc.wait()
        raise
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = errors.read_text(encoding="utf-8", errors="replace")
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} (PYTHONPATH={checkout}) exited {proc.returncode}: {err.strip()[-2000:]}")
    ok = sentences = 0
    with out.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["status"] == "ok":
                ok += 1
                sentences += row["article"]["n_sentences"]
    # ru_utime/ru_stime of the reaped child include its own reaped children (the workers)
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": peak, "articles": ok,
            "sentences": sentences, "rate": sentences / wall}


def run_stages(checkout: Path, copies: int) -> dict:
    out = subprocess.run([sys.executable, str(BENCH / "profile_stages.py"), "--json", "--copies", str(copies),
                          *model_args(checkout)],
                         env=environment(checkout), cwd=checkout, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def add_worktree(rev: str, where: Path) -> Path:
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(where), rev], check=True)
    return where


def describe(rev: str) -> str:
    out = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%h %s", rev], capture_output=True,
                         text=True, check=True).stdout.strip()
    return out[:90]


def med(values) -> float:
    return statistics.median(values)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vs", "--previous", dest="vs", default="HEAD", metavar="REV",
                    help="the commit to compare the working tree with (default HEAD)")
    ap.add_argument("--new", default=None, metavar="REV",
                    help="measure this commit (checked out too) instead of the working tree as 'new'")
    ap.add_argument("--copies", type=int, default=15, help="times the 84 dev articles are repeated (default 15)")
    ap.add_argument("--runs", type=int, default=3, help="runs per checkout and --jobs, interleaved (default 3)")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="--jobs values (default 1 2)")
    ap.add_argument("--no-build", action="store_true",
                    help="do not compile the kernels in the temporary worktrees (built by default unless "
                         "SCORER_KERNELS=0)")
    ap.add_argument("--from-source", action="store_true",
                    help="run each checkout's modules from source as the environment has it (by default both are "
                         "byte-compiled first into a temporary cache, as an installed package is)")
    ap.add_argument("--stage-copies", type=int, default=2,
                    help="times the dev articles are scored for the per-stage times (0: skip them; default 2)")
    args = ap.parse_args()
    # Ctrl-C and SIGTERM end the run through the `finally` that removes the temporary worktree (a shell that starts
    # this in the background without job control has SIGINT ignored: it is restored)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True, check=True).stdout.strip()
    new_name = describe(args.new) if args.new else \
        f"working tree ({describe('HEAD').split()[0]}{' + changes' if dirty else ''})"
    old_name = describe(args.vs)
    with tempfile.TemporaryDirectory(prefix="scorer-bench-") as tmp:
        tmp = Path(tmp)
        old = add_worktree(args.vs, tmp / "old")
        new = add_worktree(args.new, tmp / "new") if args.new else REPO
        try:
            if not args.no_build and os.environ.get("SCORER_KERNELS", "").strip() != "0":
                for checkout in {old, new} - {REPO}:
                    build_kernels(checkout)
            status = {side: kernels_status(checkout, environment(checkout))
                      for side, checkout in (("new", new), ("old", old))}
            src = tmp / "in.jsonl"
            n_articles = write_workload(src, args.copies)
            one = tmp / "one.jsonl"
            write_workload(one, 1)
            one.write_text(one.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
            sides = {"new": new, "old": old}
            if not args.from_source:
                for side, checkout in sides.items():
                    compile_bytecode(checkout, tmp / f"bytecode-{side}")
                    run_batch(checkout, one, tmp / f"one-{side}.jsonl", 2)  # caches what it imports from elsewhere
            batch = {(side, jobs): [] for side in sides for jobs in args.jobs}
            start = {side: [] for side in sides}
            stages = {side: [] for side in sides}
            print(f"workload: {n_articles} articles ({args.copies} x the 84 PolNeAR dev texts); {args.runs} runs, "
                  f"interleaved; {os.cpu_count()} cores; new = {new_name}; old = {old_name}", file=sys.stderr)
            for r in range(args.runs):
                for jobs in args.jobs:
                    for side, checkout in sides.items():
                        result = run_batch(checkout, src, tmp / f"out-{side}.jsonl", jobs)
                        batch[side, jobs].append(result)
                        print(f"run {r + 1} {side} --jobs {jobs}: {result['sentences']} sentences, "
                              f"{result['wall']:.2f} s, {result['rate']:,.0f}/s, {result['peak_mb']:.0f} MB",
                              file=sys.stderr)
                for side, checkout in sides.items():
                    start[side].append(run_batch(checkout, one, tmp / f"one-{side}.jsonl", 2))
                    if args.stage_copies:
                        stages[side].append(run_stages(checkout, args.stage_copies))
            counts = {side: batch[side, args.jobs[0]][0]["sentences"] for side in sides}
            if counts["new"] != counts["old"]:
                print(f"note: the checkouts scored different numbers of sentences: {counts}", file=sys.stderr)
        finally:
            for checkout in {old, new} - {REPO}:
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(checkout)], check=False)

    print(f"\nworkload: {n_articles} articles ({args.copies} x the 84 PolNeAR dev texts), "
          f"{counts['new']:,} sentences (new) / {counts['old']:,} (old); {os.cpu_count()} cores; "
          f"medians of {args.runs} interleaved runs\n")
    print(f"new: {new_name}\nold: {old_name}\nkernels: new {status['new']}; old {status['old']}")
    print("modules: " + ("from source, as the environment has it\n" if args.from_source else
                         "byte-compiled beforehand into a cache per checkout, as an installed package\n"))
    print("| measure | new | old | new / old (median of paired ratios) |\n|---|---|---|---|")

    def row(label, key, fmt, runs_new, runs_old):
        values_new = [x[key] for x in runs_new]
        values_old = [x[key] for x in runs_old]
        ratio = med([a / b for a, b in zip(values_new, values_old)])
        print(f"| {label} | {fmt.format(med(values_new))} | {fmt.format(med(values_old))} | {ratio:.2f} |")

    for jobs in args.jobs:
        runs_new, runs_old = batch["new", jobs], batch["old", jobs]
        row(f"`scorer batch --jobs {jobs}`: sentences/s", "rate", "{:,.0f}", runs_new, runs_old)
        row(f"`scorer batch --jobs {jobs}`: wall seconds", "wall", "{:.2f}", runs_new, runs_old)
        row(f"`scorer batch --jobs {jobs}`: CPU seconds (tree)", "cpu", "{:.2f}", runs_new, runs_old)
        row(f"`scorer batch --jobs {jobs}`: peak tree RSS, MB", "peak_mb", "{:.0f}", runs_new, runs_old)
    row("start-up: one-article batch, `--jobs 2`, wall seconds", "wall", "{:.2f}", start["new"], start["old"])
    row("start-up: one-article batch, `--jobs 2`, peak tree RSS, MB", "peak_mb", "{:.0f}", start["new"],
        start["old"])
    if args.stage_copies:
        labels = list(dict.fromkeys([k for s in stages.values() for run in s for k in run["stages"]]))
        print(f"\nµs per sentence per stage, one process, median of {args.runs} runs "
              f"(`bench/profile_stages.py --copies {args.stage_copies}`; inclusive, an indented stage is part of "
              "the one above)\n")
        print("| stage | new | old | new / old |\n|---|---|---|---|")
        from profile_stages import depth

        for label in labels:
            vn = [run["stages"][label] for run in stages["new"] if label in run["stages"]]
            vo = [run["stages"][label] for run in stages["old"] if label in run["stages"]]
            cells = [f"{med(v):,.1f}" if v else "-" for v in (vn, vo)]
            paired = [a / b for a, b in zip(vn, vo) if b] if len(vn) == len(vo) else []
            ratio = f"{med(paired):.2f}" if paired else "-"  # "-" also for a stage never run (0 µs on both sides)
            print(f"| {'&nbsp;&nbsp;' * depth(label)}{label} | {cells[0]} | {cells[1]} | {ratio} |")


if __name__ == "__main__":
    main()
