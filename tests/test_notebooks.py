"""The notebooks execute top to bottom (a failing cell raises) and what each one plots is what its own table says.

After a notebook has run, a probe cell is run in the same kernel: it reads every figure the notebook made from its
artists (each bar's value and the tick label at its position, error bars, titles) and the notebook's own table, and
the test compares them. This is the check that would have caught the outlet-comparison chart whose three panels were
sorted separately on one shared y axis, so that two panels showed their bars under another panel's names."""
import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))

PROBE = r'''
import json as _json
import matplotlib.figure as _mfig
from matplotlib.container import BarContainer as _Bars


def _ticks(axis):
    """Tick position -> label, from the axis' formatter (an inner panel of shared axes hides its labels, but they
    are the shared axis' labels all the same)."""
    locs = list(axis.get_ticklocs())
    return {round(float(t), 6): lab for t, lab in zip(locs, axis.get_major_formatter().format_ticks(locs))}


def _axes(ax):
    ax.figure.canvas.draw()
    out = {"title": ax.get_title(), "bars": [], "errorbars": []}
    for c in ax.containers:
        if not isinstance(c, _Bars):
            continue
        horizontal = c.orientation == "horizontal"
        ticks = _ticks(ax.yaxis if horizontal else ax.xaxis)
        for rect in c.patches:
            pos = rect.get_y() + rect.get_height() / 2 if horizontal else rect.get_x() + rect.get_width() / 2
            value = rect.get_width() if horizontal else rect.get_height()
            out["bars"].append([ticks.get(round(pos, 6), str(round(pos))), float(value)])
        if c.errorbar is not None:
            for seg in c.errorbar.lines[2][0].get_segments():
                (x0, y0), (x1, y1) = seg
                pos, lo, hi = (y0, min(x0, x1), max(x0, x1)) if horizontal else (x0, min(y0, y1), max(y0, y1))
                out["errorbars"].append([ticks.get(round(float(pos), 6), str(round(pos))), float(lo), float(hi)])
    return out


_figs = [v for k, v in sorted(globals().items()) if isinstance(v, _mfig.Figure) and not k.startswith("_")]
print(_json.dumps({"figures": [[_axes(ax) for ax in f.axes] for f in _figs], "table": TABLE}, default=float))
'''

# per notebook: the expression giving its own table, as plain JSON
TABLES = {
    "01-explore-an-article": "{'shares': report.summary['type_shares'], "
                             "'support': {str(k): v for k, v in zip(table['index'], table['support'])}}",
    "02-compare-outlets": "by_pub.to_dict()",
    "03-researcher-corpus": "{'ci': ci.to_dict(), 'chart': str(CHART)}",
}


def run_notebook(path: Path) -> tuple[nbformat.NotebookNode, dict]:
    """Execute the notebook, then the probe in the same kernel: (executed notebook, the probe's findings)."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE.replace("TABLE", TABLES[path.stem])))
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    out = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("name") == "stdout")
    return nb, json.loads(out)


def bars_by_label(axes: dict) -> dict[str, float]:
    got = dict(axes["bars"])
    assert len(got) == len(axes["bars"]), f"two bars under one label in {axes['title']!r}: {axes['bars']}"
    return got


def check_01(found: dict) -> None:
    [fig] = found["figures"]
    shares, support = fig[0], fig[1]
    assert bars_by_label(shares) == pytest.approx(found["table"]["shares"], abs=1e-9)
    assert bars_by_label(support) == pytest.approx(found["table"]["support"], abs=1e-9)


def check_02(found: dict) -> None:
    [fig] = found["figures"]
    table = found["table"]
    assert [ax["title"] for ax in fig] == ["anonymous_share", "opinion_share", "mean_support"]
    for ax in fig:
        got = bars_by_label(ax)
        assert set(got) == set(table[ax["title"]]) and len(got) == 7
        assert got == pytest.approx(table[ax["title"]], abs=1e-9), ax["title"]


def check_03(found: dict) -> None:
    table = found["table"]["ci"]
    chart = Path(found["table"]["chart"])
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # the chart was saved to a file
    [fig] = found["figures"]
    [ax] = fig
    got = bars_by_label(ax)
    assert got == pytest.approx(table["anonymous_share"], abs=1e-9) and len(got) >= 5
    errs = {label: (lo, hi) for label, lo, hi in ax["errorbars"]}
    assert set(errs) == set(got)
    for label, (lo, hi) in errs.items():
        assert lo == pytest.approx(table["ci_low"][label], abs=1e-9) and hi == pytest.approx(table["ci_high"][label], abs=1e-9)
        assert lo <= got[label] <= hi


CHECKS = {"01-explore-an-article": check_01, "02-compare-outlets": check_02, "03-researcher-corpus": check_03}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_plots_its_own_table(path, shared_data):
    nb, found = run_notebook(path)
    figures = [o for cell in nb.cells for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(figures) >= 1
    CHECKS[path.stem](found)


def test_the_notebooks():
    assert [p.stem for p in NOTEBOOKS] == sorted(CHECKS)
