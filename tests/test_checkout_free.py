"""The package reads nothing of the source checkout it may sit in: no path made from a module's own location reaches
outside scorer/, and `scorer evaluate` run from another directory opens nothing under tests/ or data/ (the audits and
grades are given by option; without them their figures are skipped with a note)."""
import ast
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "scorer"


def reach(node: ast.AST) -> int | None:
    """How many directories up from a module's file `node` goes, if it is a path made from `__file__`
    (`Path(__file__).parent`, `.parents[k]`, `.resolve()` and the like); None if it is not one."""
    if isinstance(node, ast.Name):
        return 0 if node.id == "__file__" else None
    if isinstance(node, ast.Call):
        inner = [reach(a) for a in node.args] + [reach(node.func)]
        return max((r for r in inner if r is not None), default=None)
    if isinstance(node, ast.Attribute):
        below = reach(node.value)
        if below is None:
            return None
        return below + 1 if node.attr == "parent" else below
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "parents":
        below = reach(node.value.value)
        if below is None or not isinstance(node.slice, ast.Constant):
            return None
        return below + node.slice.value + 1
    return None


def test_no_module_builds_a_path_outside_the_package():
    outside = []
    for path in sorted(PACKAGE.rglob("*.py")):
        depth = len(path.relative_to(PACKAGE).parts)  # scorer/x.py: 1 directory up is the package itself
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            up = reach(node)
            if up is not None and up > depth:
                outside.append(f"{path.relative_to(REPO)}:{node.lineno}: {ast.unparse(node)}")
    assert outside == []


def test_reach_measures_the_paths_it_must():
    assert reach(ast.parse("Path(__file__).resolve().parents[1] / 'x'").body[0].value.left) == 2
    assert reach(ast.parse("Path(__file__).parent").body[0].value) == 1
    assert reach(ast.parse("Path(other).parents[3]").body[0].value) is None


HOOK = """
import atexit, os, sys
repo = os.environ["SCORER_REPO"]
touched = set()
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.path.realpath(os.fsdecode(args[0]))
        if any(path.startswith(os.path.join(repo, d) + os.sep) for d in ("tests", "data")):
            touched.add(path)
sys.addaudithook(hook)
atexit.register(lambda: print("TOUCHED", sorted(touched), file=sys.stderr))
from scorer.cli import cli
cli(sys.argv[1:], prog_name="scorer")
"""


def test_evaluate_from_another_directory(tmp_path, tiny_data):
    """As from a plain install: `scorer evaluate --data DIR` in a directory with no tests/ or data/ gives the
    metrics, notes the audit figures it skips, and opens no file of the checkout's tests/ or data/ (on a cut of the
    corpora: the whole dev set takes a minute)."""
    env = dict(os.environ, PYTHONPATH=str(REPO), SCORER_REPO=str(REPO.resolve()))
    out = subprocess.run([sys.executable, "-c", HOOK, "evaluate", "--data", str(tiny_data), "--examples", "0"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "Four labels (PolNeAR dev" in out.stdout and "macro-F1" in out.stdout
    assert "Source type vs. the hand audit" not in out.stdout and "claim-level reading" not in out.stdout
    notes = [line for line in out.stderr.splitlines() if line.startswith("note: ")]
    assert notes == [f"note: tests/data/{name} not found, so the figures '{figure}' are skipped (give --audits DIR)"
                     for name, figure in (("source_type_audit.tsv", "source type vs. the hand audit"),
                                          ("dev_claim_judgement.tsv", "four labels vs. the claim-level dev judgement"))] + [
        "note: data/claims/units.tsv not found: the claim-level figures are left out (--claims DIR)"]
    assert "TOUCHED []" in out.stderr
