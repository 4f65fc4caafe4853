"""Whole-process wall time (median of 10) of `scorer --help`, `scorer --version` and scoring the example.

    python bench/cold_start.py
"""
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import REPO, table


def median_wall(cmd, runs=10) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=REPO)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    beside = Path(sys.executable).parent / "scorer"  # the console script of this interpreter's environment
    exe = str(beside) if beside.exists() else shutil.which("scorer") or "scorer"
    cmds = [[exe, "--help"], [exe, "--version"], [exe, "score", "examples/iran-bounties-commune.txt"]]
    print(table(["command", "seconds (median of 10)"], [[" ".join(c[1:]), f"{median_wall(c):.3f}"] for c in cmds]))


if __name__ == "__main__":
    main()
