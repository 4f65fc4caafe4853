"""Scoring runs with native thread pools of one thread (`pool.single_threaded_scoring`): `scorer score`, a
one-job `scorer batch` (which scores in its own process) and the pool's workers, unless the user set the
variables; OpenBLAS's threads only slow scoring's small matrix products down."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scorer import pool

REPO = Path(__file__).resolve().parents[1]
PROBE = """
import json, sys
from scorer.cli import cli
try:
    cli(sys.argv[1:], prog_name="scorer", standalone_mode=False)
finally:
    from threadpoolctl import threadpool_info
    print(json.dumps(sorted({i["num_threads"] for i in threadpool_info()})))
"""


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in pool.THREAD_VARS}
    return dict(env, PYTHONPATH=str(REPO), **extra)


@pytest.mark.parametrize("command", [["score", "{example}", "--format", "json"],
                                     ["batch", "{examples}", "-o", "{out}", "--jobs", "1", "--no-progress"]])
def test_scoring_commands_use_one_native_thread(command, example_path, tmp_path):
    pytest.importorskip("threadpoolctl")
    args = [a.format(example=example_path, examples=example_path.parent, out=tmp_path / "out.jsonl") for a in command]
    out = subprocess.run([sys.executable, "-c", PROBE, *args], env=_env(), capture_output=True, text=True,
                         timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[1]"


def test_a_users_own_setting_is_kept(monkeypatch):
    for var in pool.THREAD_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "3")
    pool.single_threaded_scoring()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "3"
    assert all(os.environ[var] == "1" for var in pool.THREAD_VARS if var != "OPENBLAS_NUM_THREADS")
    assert pool._thread_limits()["OPENBLAS_NUM_THREADS"] == "3" and pool._thread_limits()["OMP_NUM_THREADS"] == "1"
