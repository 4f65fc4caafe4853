"""Shared helpers for the benchmark scripts: the PolNeAR dev texts, medians and Markdown tables."""
from __future__ import annotations

import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEV_TEXTS = REPO.parent / "shared" / "data" / "polnear" / "data" / "dev" / "text"


def dev_texts() -> list[str]:
    """The 84 PolNeAR dev articles (read-only corpus beside the repository)."""
    return [p.read_text(encoding="utf-8") for p in sorted(DEV_TEXTS.glob("*.txt"))]


def timed(fn, runs: int = 3) -> tuple[float, object]:
    """Median wall time of `runs` calls and the last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def alternated(fns: dict, runs: int, before=None) -> dict:
    """Median CPU seconds of each of `fns` (name -> function), the functions called in turn run by run, so that a
    loaded machine slows them alike; `before(name)`, when given, is called (untimed) before each call."""
    times = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            if before is not None:
                before(name)
            start = time.process_time()
            fn()
            times[name].append(time.process_time() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def table(header: list[str], rows: list[list]) -> str:
    """A Markdown table, preceded by the machine's core count."""
    lines = [f"cores: {os.cpu_count()}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def scorer_command() -> str:
    """The `scorer` console script of this interpreter's environment (else the one on PATH)."""
    beside = Path(sys.executable).parent / "scorer"
    return str(beside) if beside.exists() else shutil.which("scorer") or "scorer"


def single_thread_env() -> dict[str, str]:
    """The native thread pools' variables at one thread unless set already: what scoring processes use
    (`scorer.pool.single_threaded_scoring`), given to every timed process of old and new checkouts alike."""
    from scorer.pool import THREAD_VARS

    return {var: os.environ.get(var, "1") for var in THREAD_VARS}


def old_package(rev: str, into: Path) -> None:
    """REV's scorer/ as the package `scorer_old` in `into` (the *_vs.py scripts import it beside the working tree's)."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", rev, "scorer"], check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    (into / "scorer").rename(into / "scorer_old")


def build_kernels(checkout: Path) -> None:
    """Compile the checkout's own kernels into it (`setup.py build_ext --inplace`): a temporary worktree has no
    build of its own, and without one its `import _scorer_kernels` would find the working tree's build through the
    editable install, of another kernels version, and quietly run the pure-Python twins."""
    subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"], cwd=checkout, check=True,
                   capture_output=True, text=True)


def kernels_status(checkout: Path, env: dict) -> str:
    """Which path the checkout's scorer runs under `env` (its PYTHONPATH): its `STATUS` line ("compiled" or why
    the pure twins run)."""
    code = "import importlib\nfor m in ('scorer.text.kernels', 'scorer.kernels'):\n" \
           "    try:\n        print(importlib.import_module(m).STATUS); break\n" \
           "    except (ImportError, AttributeError):\n        pass\nelse:\n    print('unknown')"
    out = subprocess.run([sys.executable, "-c", code], check=False, env=env, cwd=checkout, capture_output=True,
                         text=True)
    lines = (out.stdout.strip() or out.stderr.strip()[-200:]).splitlines()
    return lines[-1] if lines else "unknown"
