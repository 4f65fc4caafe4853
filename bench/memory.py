"""Peak resident memory of `scorer batch` on K repeated dev articles (does it grow with the input?),
and the model file's size and load time.

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
    kids: dict[int, list[int]] = {}
    for d in Path("/proc").glob("[0-9]*"):
        try:
            kids.setdefault(int((d / "stat").read_text().rsplit(")", 1)[1].split()[1]), []).append(int(d.name))
        except (OSError, ValueError, IndexError):
            pass
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += kids.get(p, [])
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
                rows.append([f"batch, {k} articles, --jobs {jobs}",
                             f"{peak_rss_mb(cmd):.0f} MB largest process, {peak_tree_rss_mb(cmd):.0f} MB whole tree"])
    model = REPO / "models" / "attribution-v1.npz"
    code = "import time; t=time.perf_counter(); from scorer.model.store import load_bundle; load_bundle(); print(time.perf_counter()-t)"
    loads = [float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)
             for _ in range(5)]
    rows.append(["model file size", f"{model.stat().st_size / 1e6:.1f} MB"])
    rows.append(["model load (fresh process, incl. imports; median of 5)", f"{statistics.median(loads):.2f} s"])
    from scorer.model.store import load_bundle

    load_bundle()  # the first load pays the imports; the next 5 are timed
    warm, _ = timed(load_bundle, 5)
    rows.append(["model load (in-process after the first: checksum + parse; median of 5)", f"{warm:.2f} s"])
    print(table(["measure", "value"], rows))
    print("\n'largest process': GNU time's maximum RSS, the peak of the biggest single process (the parent or a"
          " reaped worker); 'whole tree': the parent and its --jobs workers summed, sampled every 0.1 s.")


if __name__ == "__main__":
    main()
