"""A cold `scorer score` of one file as text or JSON leaves out what it does not use: numpy.ma (numpy 2's np.unique
imports it: ~9 ms), importlib.resources and the html module with the HTML view's files (~15 ms; read when a page is
rendered), zipfile (the model's archive is read from its checked bytes: `store._zip_members`)."""
import subprocess
import sys

import pytest

LEFT_OUT = ("numpy.ma", "importlib.resources", "html", "zipfile")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_scoring_a_file_leaves_out_unused_modules(example_path, tmp_path, fmt):
    code = ("import sys; from scorer.cli import cli\n"
            f"try: cli(['score', {str(example_path)!r}, '--format', {fmt!r}, '-o', {str(tmp_path / 'r')!r}])\n"
            "except SystemExit as exc: assert not exc.code, exc.code\n"
            f"print(sorted(m for m in {LEFT_OUT!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    assert out.stdout.strip() == "[]", out.stderr
    assert (tmp_path / "r").stat().st_size > 0


def test_html_page_still_reads_its_assets(example_path, tmp_path):
    """The page's style, script and CSP come from the files when the first page is rendered."""
    from scorer.report import render

    page = tmp_path / "r.html"
    code = ("from scorer.cli import cli\n"
            f"try: cli(['score', {str(example_path)!r}, '-o', {str(page)!r}])\n"
            "except SystemExit as exc: assert not exc.code, exc.code\n")
    subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    html = page.read_text(encoding="utf-8")
    assert render._STYLE in html and render._SCRIPT in html and render.CSP.replace("'", "&#x27;") in html
    assert render._STYLE.startswith(".attribution-report") or ".attribution-report" in render._STYLE
