"""Whole-process wall time and CPU time (median of 10) of `scorer --help`, `scorer --version` and scoring the
example. On a machine shared with other work the CPU seconds (user + system of the process) move less than the wall.

    python bench/cold_start.py
"""
import os
import statistics
import subprocess
import time

from common import REPO, scorer_command, table


def median_wall_cpu(cmd, runs=10) -> tuple[float, float]:
    """(median wall seconds, median CPU seconds) of `runs` runs of the command."""
    walls, cpus = [], []
    for _ in range(runs):
        before = os.times()
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=REPO)
        walls.append(time.perf_counter() - start)
        after = os.times()
        cpus.append(after.children_user - before.children_user + after.children_system - before.children_system)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    exe = scorer_command()
    cmds = [[exe, "--help"], [exe, "--version"], [exe, "score", "examples/iran-bounties-commune.txt"]]
    rows = []
    for c in cmds:
        wall, cpu = median_wall_cpu(c)
        rows.append([" ".join(c[1:]), f"{wall:.3f}", f"{cpu:.3f}"])
    print(table(["command", "wall seconds (median of 10)", "CPU seconds (median of 10)"], rows))


if __name__ == "__main__":
    main()
