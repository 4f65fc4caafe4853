"""The HTML report in a real headless Chromium: every sentence present, the chart laid out, a screenshot.
(Hostile article text in the browser: tests/report/test_html_hostile.py.)"""
import os
import shutil
import subprocess

import pytest

from scorer.pipeline import Scorer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def page(tmp_path_factory, example_text):
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs the Debian package 'chromium'")
        pytest.skip("chromium not installed")
    report = Scorer().score(example_text, article_id="iran")
    base = tmp_path_factory.mktemp("html")
    path = base / "report.html"
    path.write_text(report.to_html(), encoding="utf-8")
    return report, path, base


def _run(args, base):
    profile = base / "profile"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                          text=True, timeout=120)


def test_dom_has_every_sentence_and_a_rendered_chart(page):
    import html

    report, path, base = page
    dom = _run(["--dump-dom", path.as_uri()], base).stdout
    for row in report.sentences_list:
        assert f'data-index="{row["index"]}"' in dom
        assert html.escape(row["text"]) in dom
    assert dom.count('class="bar share-bar"') == 4
    # the page's own script ran under the page's Content-Security-Policy: it marked its report as bound
    # (the layout, in tests/report/test_html_view.py)
    assert 'data-bound="1"' in dom and dom.count('http-equiv="Content-Security-Policy"') == 1 and " style=" not in dom
    assert "<script src=" not in dom and "<link" not in dom  # self-contained


def test_screenshot(page):
    _, path, base = page
    shot = base / "report.png"
    _run([f"--screenshot={shot}", "--window-size=1200,1600", path.as_uri()], base)
    assert shot.is_file() and shot.stat().st_size > 10_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
