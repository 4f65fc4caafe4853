"""Whole-process wall time and CPU time (median of 10) of `scorer --help`, `scorer --version` and scoring the
example. On a machine shared with other work the CPU seconds (user + system of the process) move less than the wall.

The first columns run in this environment as it is; where it sets PYTHONDONTWRITEBYTECODE (as the sessions' machine
does), every run compiles the package's modules from source. The last column is the same command with bytecode
written to and read from a temporary cache (PYTHONPYCACHEPREFIX, one warm-up run first), as an installed package
runs.

    python bench/cold_start.py
    python bench/cold_start.py --vs main     # this checkout against REV (a temporary git worktree), runs alternated

With --vs, each command runs `python -m scorer` of this checkout (PYTHONPATH) and of REV in turn, run by run, so that
a change in the machine's load hits both alike; each scores with its own repository's model (--model CHECKOUT/models),
and the table gives both medians and new / old, the median of the paired ratios.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, build_kernels, kernels_status, scorer_command, table

EXAMPLE = "examples/iran-bounties-commune.txt"


def one_run(cmd, env=None, cwd=REPO) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of the command."""
    before = os.times()
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=cwd, env=env)
    wall = time.perf_counter() - start
    after = os.times()
    return wall, after.children_user - before.children_user + after.children_system - before.children_system


def median_wall_cpu(cmd, runs=10, env=None) -> tuple[float, float]:
    """(median wall seconds, median CPU seconds) of `runs` runs of the command."""
    walls, cpus = zip(*(one_run(cmd, env) for _ in range(runs)))
    return statistics.median(walls), statistics.median(cpus)


def without_bytecode_env(extra: dict | None = None) -> dict:
    return dict(os.environ, PYTHONDONTWRITEBYTECODE="1", **(extra or {}))


def with_bytecode_env(cache: str, extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return dict(env, PYTHONPYCACHEPREFIX=cache, **(extra or {}))


def main() -> None:
    exe = scorer_command()
    cmds = [[exe, "--help"], [exe, "--version"], [exe, "score", EXAMPLE]]
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        cached = with_bytecode_env(cache)
        for c in cmds:
            wall, cpu = median_wall_cpu(c)
            subprocess.run(c, check=True, capture_output=True, cwd=REPO, env=cached)  # fills the bytecode cache
            cached_wall, _ = median_wall_cpu(c, env=cached)
            rows.append([" ".join(c[1:]), f"{wall:.3f}", f"{cpu:.3f}", f"{cached_wall:.3f}"])
    print(table(["command", "wall seconds (median of 10)", "CPU seconds (median of 10)",
                 "wall seconds with a bytecode cache (median of 10)"], rows))


def compare(rev: str, runs: int) -> None:
    """This checkout against `rev`, alternated run by run: medians and the median of the paired ratios."""
    with tempfile.TemporaryDirectory(prefix="scorer-cold-") as tmp:
        tmp = Path(tmp)
        old = tmp / "old"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(old), rev], check=True)
        try:
            if os.environ.get("SCORER_KERNELS", "").strip() != "0":
                build_kernels(old)  # its own kernels (see `build_kernels`)
            sides = {"new": REPO, "old": old}
            paths = {side: without_bytecode_env({"PYTHONPATH": str(checkout)}) for side, checkout in sides.items()}
            print("kernels: " + "; ".join(f"{side} {kernels_status(checkout, paths[side])}"
                                          for side, checkout in sides.items()), file=sys.stderr)
            commands = {"--help": ["--help"], f"score {EXAMPLE}": ["score", EXAMPLE]}
            results = {}  # (command, side, cached) -> [(wall, cpu)]
            for cached in (False, True):
                envs = {}
                for side, checkout in sides.items():
                    extra = {"PYTHONPATH": str(checkout)}
                    envs[side] = (with_bytecode_env(str(tmp / f"pyc-{side}"), extra) if cached
                                  else without_bytecode_env(extra))
                for label, args in commands.items():
                    for side, checkout in sides.items():
                        model = ["--model", str(checkout / "models")] if args[0] == "score" else []
                        cmd = [sys.executable, "-m", "scorer", *args, *model]
                        subprocess.run(cmd, check=True, capture_output=True, cwd=checkout, env=envs[side])  # warm-up
                    for _ in range(runs):
                        for side, checkout in sides.items():
                            model = ["--model", str(checkout / "models")] if args[0] == "score" else []
                            cmd = [sys.executable, "-m", "scorer", *args, *model]
                            results.setdefault((label, side, cached), []).append(
                                one_run(cmd, env=envs[side], cwd=checkout))
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(old)], check=False)
    rows = []
    for cached in (False, True):
        for label in commands:
            new, old_runs = results[label, "new", cached], results[label, "old", cached]
            cells = [f"`{label}`" + (" (bytecode cache)" if cached else "")]
            for k in (0, 1):  # wall, CPU
                a, b = [r[k] for r in new], [r[k] for r in old_runs]
                cells += [f"{statistics.median(a):.3f}", f"{statistics.median(b):.3f}",
                          f"{statistics.median([x / y for x, y in zip(a, b)]):.2f}"]
            rows.append(cells)
    print(f"new: this checkout ({REPO}); old: {rev}; {runs} runs each, alternated; python -m scorer\n")
    print(table(["command", "wall new", "wall old", "wall new / old", "CPU new", "CPU old", "CPU new / old"], rows))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vs", metavar="REV", default=None, help="compare this checkout with REV, runs alternated")
    ap.add_argument("--runs", type=int, default=10, help="runs per side and command with --vs (default 10)")
    options = ap.parse_args()
    if options.vs:
        compare(options.vs, options.runs)
    else:
        main()
