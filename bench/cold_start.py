"""Whole-process wall time and CPU time (median of 10) of `scorer --help`, `scorer --version` and scoring the
example. On a machine shared with other work the CPU seconds (user + system of the process) move less than the wall.

The first columns run in this environment as it is; where it sets PYTHONDONTWRITEBYTECODE (as the sessions' machine
does), every run compiles the package's modules from source. The last column is the same command with bytecode
written to and read from a temporary cache (PYTHONPYCACHEPREFIX, one warm-up run first), as an installed package
runs.

    python bench/cold_start.py
"""
import os
import statistics
import subprocess
import tempfile
import time

from common import REPO, scorer_command, table


def median_wall_cpu(cmd, runs=10, env=None) -> tuple[float, float]:
    """(median wall seconds, median CPU seconds) of `runs` runs of the command."""
    walls, cpus = [], []
    for _ in range(runs):
        before = os.times()
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=REPO, env=env)
        walls.append(time.perf_counter() - start)
        after = os.times()
        cpus.append(after.children_user - before.children_user + after.children_system - before.children_system)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    exe = scorer_command()
    cmds = [[exe, "--help"], [exe, "--version"], [exe, "score", "examples/iran-bounties-commune.txt"]]
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cached["PYTHONPYCACHEPREFIX"] = cache
        for c in cmds:
            wall, cpu = median_wall_cpu(c)
            subprocess.run(c, check=True, capture_output=True, cwd=REPO, env=cached)  # fills the bytecode cache
            cached_wall, _ = median_wall_cpu(c, env=cached)
            rows.append([" ".join(c[1:]), f"{wall:.3f}", f"{cpu:.3f}", f"{cached_wall:.3f}"])
    print(table(["command", "wall seconds (median of 10)", "CPU seconds (median of 10)",
                 "wall seconds with a bytecode cache (median of 10)"], rows))


if __name__ == "__main__":
    main()
