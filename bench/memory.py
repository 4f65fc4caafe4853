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

from common import REPO, dev_texts, table


def peak_rss_mb(cmd) -> float:
    """Peak RSS of a child process, via GNU time if present, else getrusage of children."""
    if Path("/usr/bin/time").exists():
        out = subprocess.run(["/usr/bin/time", "-v", *cmd], check=True, capture_output=True, text=True).stderr
        kb = next(int(line.split(":")[1]) for line in out.splitlines() if "Maximum resident set size" in line)
        return kb / 1024
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(cmd, check=True, capture_output=True)
    return max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


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
                rows.append([f"batch, {k} articles, --jobs {jobs}", f"{peak_rss_mb(cmd):.0f} MB (parent process)"])
    model = REPO / "models" / "attribution-v1.joblib"
    code = "import time; t=time.perf_counter(); from scorer.model import load_bundle; load_bundle(); print(time.perf_counter()-t)"
    loads = [float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)
             for _ in range(5)]
    rows.append(["model file size", f"{model.stat().st_size / 1e6:.1f} MB"])
    rows.append(["model load (fresh process, incl. imports; median of 5)", f"{statistics.median(loads):.2f} s"])
    from scorer.model import load_bundle

    load_bundle()
    start = time.perf_counter()
    load_bundle()
    rows.append(["model load (warm process: checksum + unpickle)", f"{time.perf_counter() - start:.2f} s"])
    print(table(["measure", "value"], rows))
    print("\nWith --jobs 2 the workers are separate processes; GNU time reports the parent's peak only.")


if __name__ == "__main__":
    main()
