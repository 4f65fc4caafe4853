"""Both notebooks execute top to bottom (their cells carry assertions on their own outputs; a failing cell
raises) and each draws its figures."""
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, shared_data):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))  # every cell ran, in order
    figures = [o for cell in code for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(figures) >= 1  # 01: type shares and support; 02: the publishers compared


def test_two_notebooks_exist():
    assert [p.name for p in NOTEBOOKS] == ["01-explore-an-article.ipynb", "02-compare-outlets.ipynb"]
