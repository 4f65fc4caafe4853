"""Peak resident memory of `scorer batch` on K repeated dev articles (does it grow with the input?), the parent
and each worker at the tree's peak (RSS, and PSS: shared pages divided among the processes sharing them), the
memory the loaded model holds, and the model file's size and load time.

    python bench/memory.py
"""
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, dev_texts, table, timed


def peak_rss_mb(cmd) -> float:
    """Peak RSS of a child process, via GNU time if present, else getrusage of children."""
    if Path("/usr/bin/time").exists():
        out = subprocess.run(["/usr/bin/time", "-v", *cmd], check=True, capture_output=True, text=True).stderr
        kb = next(int(line.split(":")[1]) for line in out.splitlines() if "Maximum resident set size" in line)
        return kb / 1024
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(cmd, check=True, capture_output=True)
    return max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def tree_rss_mb(pid: int) -> float:
    """Current RSS summed over a process and its descendants (Linux /proc; 0 where unavailable)."""
    total = 0
    for p in _tree(pid):
        try:
            total += int(next(x for x in Path(f"/proc/{p}/status").read_text().splitlines()
                              if x.startswith("VmRSS")).split()[1])
        except (OSError, StopIteration):
            pass
    return total / 1024


def peak_tree_rss_mb(cmd) -> float:
    """Peak of the whole tree's summed RSS (workers included), sampled every 0.1 s."""
    proc, peak = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), 0.0
    while proc.poll() is None:
        peak = max(peak, tree_rss_mb(proc.pid))
        time.sleep(0.1)
    return peak


def _rollup(pid: int) -> dict[str, float]:
    """Rss, Pss, Private_Dirty... of a process in MB (Linux smaps_rollup; empty where unavailable)."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            key, value = line.split(":", 1)
            out[key] = int(value.split()[0]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return out


def _tree(pid: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for d in Path("/proc").glob("[0-9]*"):
        try:
            kids.setdefault(int((d / "stat").read_text().rsplit(")", 1)[1].split()[1]), []).append(int(d.name))
        except (OSError, ValueError, IndexError):
            pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


def peak_tree_breakdown(cmd) -> tuple[float, float, list[dict]]:
    """(peak summed RSS, peak summed PSS, each process's figures at the RSS peak: the parent first), sampled every
    0.05 s. Summed RSS counts a page shared by the parent and its forked workers once per process; PSS divides it."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak_rss = peak_pss = 0.0
    at_peak: list[dict] = []
    while proc.poll() is None:
        snap = [_rollup(p) for p in _tree(proc.pid)]
        rss, pss = sum(x.get("Rss", 0) for x in snap), sum(x.get("Pss", 0) for x in snap)
        peak_pss = max(peak_pss, pss)
        if rss > peak_rss:
            peak_rss, at_peak = rss, snap
        time.sleep(0.05)
    return peak_rss, peak_pss, at_peak


def model_memory() -> tuple[float, float, float]:
    """(RSS growth, Python-traced MB kept, traced peak) of loading the model in a fresh process (imports done)."""
    code = ("import tracemalloc, gc, scorer.pipeline\n"
            "def rss():\n"
            "    return next(int(x.split()[1]) for x in open('/proc/self/status') if x.startswith('VmRSS')) / 1024\n"
            "before = rss(); tracemalloc.start()\n"
            "from scorer.model.store import load_bundle\n"
            "b = load_bundle(); gc.collect(); kept, peak = tracemalloc.get_traced_memory()\n"
            "print(rss() - before, kept / 2**20, peak / 2**20)")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1]), float(out[2])


def main() -> None:
    base = dev_texts()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in (100, 1000):
            src = Path(tmp) / f"in{k}.jsonl"
            src.write_text("".join(json.dumps({"id": str(i), "text": base[i % len(base)]}) + "\n" for i in range(k)))
            for jobs in (1, 2):
                cmd = [sys.executable, "-m", "scorer", "batch", str(src), "--output", str(Path(tmp) / "o.jsonl"),
                       "--jobs", str(jobs), "--no-progress"]
                rss, pss, procs = peak_tree_breakdown(cmd)
                each = ", ".join(f"{x.get('Rss', 0):.0f}/{x.get('Pss', 0):.0f}" for x in procs)
                rows.append([f"batch, {k} articles, --jobs {jobs}",
                             (f"{peak_rss_mb(cmd):.0f} MB largest process; whole tree {rss:.0f} MB RSS, {pss:.0f} MB "
                              f"PSS; RSS/PSS per process at the peak (parent first): {each}")])
    model = REPO / "models" / "attribution-v1.npz"
    code = "import time; t=time.perf_counter(); from scorer.model.store import load_bundle; load_bundle(); print(time.perf_counter()-t)"
    loads = [float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)
             for _ in range(5)]
    rows.append(["model file size", f"{model.stat().st_size / 1e6:.1f} MB"])
    grown, kept, peak = model_memory()
    rows.append(["model loaded (fresh process, imports done): RSS growth; Python-traced memory kept (peak)",
                 f"{grown:.0f} MB; {kept:.1f} MB ({peak:.1f} MB)"])
    rows.append(["model load (fresh process, incl. imports; median of 5)", f"{statistics.median(loads):.2f} s"])
    from scorer.model.store import load_bundle

    load_bundle()  # the first load pays the imports; the next 5 are timed
    warm, _ = timed(load_bundle, 5)
    rows.append(["model load (in-process after the first: checksum + parse; median of 5)", f"{warm:.2f} s"])
    print(table(["measure", "value"], rows))
    print("\n'largest process': GNU time's maximum RSS, the peak of the biggest single process (the parent or a"
          " reaped worker); 'whole tree': the parent and its --jobs workers summed, sampled every 0.05 s (RSS counts a"
          " page shared by forked processes once in each; PSS divides it among them).")


if __name__ == "__main__":
    main()
