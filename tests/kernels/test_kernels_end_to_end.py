"""`scorer batch` writes the same bytes with the compiled kernels on and off (SCORER_KERNELS=1 / 0), each run in its
own process. Skipped when the kernels are not built, except when SCORER_REQUIRE_KERNELS=1 (`.ci/run`)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# quotations over several sentences, titles and abbreviations before sentence openers, stray closing quotes
HOSTILE = ("“We stay. This is home. Nobody moves us,” she said. Gen. Smith met Sen. Jones at 9 a.m. The talks "
           "ended at the U.S. Embassy Inc. Officials said. ”Iran was next.”\n\n\"Why now?\" he asked. “It is "
           "over — the end.” — said the minister\nBy John Smith | Reuters\n" + "“Open quote never closed. " * 40)


def _env(kernels: str) -> dict:
    env = dict(os.environ, SCORER_KERNELS=kernels)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def _active(kernels: str) -> str:
    return subprocess.run([sys.executable, "-c", "import scorer; print(scorer.kernels)"], env=_env(kernels),
                          cwd=REPO, capture_output=True, text=True, check=True, timeout=120).stdout.strip()


@pytest.fixture(scope="module")
def compiled_available():
    status = _active("1")
    if status != "compiled":
        if os.environ.get("SCORER_REQUIRE_KERNELS") == "1":
            pytest.fail(f"the compiled kernels are required here but the package reports: {status}")
        pytest.skip(f"compiled kernels not active: {status}")
    assert _active("0").startswith("python")


def _batch_bytes(records: list[dict], tmp_path: Path, kernels: str) -> bytes:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / f"out-{kernels}.jsonl"
    done = subprocess.run([sys.executable, "-m", "scorer", "batch", str(src), "-o", str(out), "--jobs", "1",
                           "--no-progress"], env=_env(kernels), cwd=REPO, check=False, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return out.read_bytes()


def _same_both_ways(records, tmp_path):
    fast, slow = _batch_bytes(records, tmp_path, "1"), _batch_bytes(records, tmp_path, "0")
    assert fast == slow
    rows = [json.loads(line) for line in slow.splitlines()]
    assert len(rows) == len(records) and sum(r.get("article", {}).get("n_sentences", 0) for r in rows) > 20


def test_batch_same_with_and_without_kernels(compiled_available, tmp_path):
    records = [{"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in sorted((REPO / "examples").glob("*.txt"))]
    records.append({"id": "hostile", "text": HOSTILE})
    _same_both_ways(records, tmp_path)


def test_batch_same_on_polnear_articles(compiled_available, shared_data, tmp_path):
    paths = sorted((shared_data / "polnear" / "data" / "dev" / "text").glob("*.txt"))[:12]
    _same_both_ways([{"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in paths], tmp_path)


def test_kernels_do_not_import_numpy(compiled_available):
    """The text layer imports the kernels; the batch parent imports the text layer but never numpy (scorer/pool.py)."""
    code = "import sys, scorer, scorer.text.segment, scorer.text.quotes; print(scorer.kernels, 'numpy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], env=_env("1"), cwd=REPO, capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.split() == ["compiled", "False"]
