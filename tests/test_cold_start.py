"""Scoring one article imports only what it needs: no pandas, scikit-learn or scipy (training's libraries), for a
file argument not the URL fetcher (http.client, ssl, email), and for a text or JSON report not numpy.ma (numpy 2's
np.unique imports it: ~9 ms), importlib.resources and the html module with the HTML view's files (~15 ms; read when a
page is rendered), nor zipfile (the model's archive is read from its checked bytes: `store._zip_members`)."""
import subprocess
import sys

import pytest

HEAVY = ("pandas", "sklearn", "scipy", "http.client", "ssl", "email.parser")
LEFT_OUT = ("numpy.ma", "importlib.resources", "html", "zipfile")


def score_in_a_new_process(path, out, *options, report=()):
    """Run `scorer score path -o out *options` in a fresh interpreter; the names of `report` it imported."""
    code = ("import sys; from scorer.cli import cli\n"
            f"try: cli(['score', {str(path)!r}, *{list(options)!r}, '-o', {str(out)!r}])\n"
            "except SystemExit as exc: assert not exc.code, exc.code\n"
            f"print(sorted(m for m in {tuple(report)!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    return done.stdout.strip(), done.stderr


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_scoring_a_file_imports_no_heavy_or_unused_module(example_path, tmp_path, fmt):
    imported, stderr = score_in_a_new_process(example_path, tmp_path / "r", "--format", fmt, report=HEAVY + LEFT_OUT)
    assert imported == "[]", stderr
    report = (tmp_path / "r").read_text(encoding="utf-8")
    assert report.startswith("{") if fmt == "json" else report.strip()


def test_html_page_still_reads_its_assets(example_path, tmp_path):
    """The page's style, script and CSP come from the files when the first page is rendered."""
    from scorer.report import render

    page = tmp_path / "r.html"
    score_in_a_new_process(example_path, page)
    html = page.read_text(encoding="utf-8")
    assert render._STYLE in html and render._SCRIPT in html and render.CSP.replace("'", "&#x27;") in html
    assert ".attribution-report" in render._STYLE


def test_scoring_a_url_still_imports_the_fetcher():
    """The fetcher is imported when the argument looks like a URL (a refused scheme here: nothing is fetched)."""
    code = ("import sys; from scorer.cli import cli\n"
            "try: cli(['score', 'ftp://example.invalid/x.html'])\n"
            "except SystemExit as exc: print(exc.code)\n"
            "print('scorer.text.fetch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.stdout.split()[-1] == "True", (out.stdout, out.stderr)
    assert out.stdout.split()[0] not in ("0", "None"), out.stdout
