"""Whole-process wall time (median of 10) of `scorer --help`, `scorer --version` and scoring the example.

    python bench/cold_start.py
"""
import statistics
import subprocess
import time

from common import REPO, scorer_command, table


def median_wall(cmd, runs=10) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=REPO)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    exe = scorer_command()
    cmds = [[exe, "--help"], [exe, "--version"], [exe, "score", "examples/iran-bounties-commune.txt"]]
    print(table(["command", "seconds (median of 10)"], [[" ".join(c[1:]), f"{median_wall(c):.3f}"] for c in cmds]))


if __name__ == "__main__":
    main()
