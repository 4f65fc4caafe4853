"""Scoring one article imports only what it needs: no pandas, scikit-learn or scipy (training's libraries), and for a
file argument not the URL fetcher (http.client, ssl, email)."""
import subprocess
import sys

HEAVY = ("pandas", "sklearn", "scipy", "http.client", "ssl", "email.parser")


def test_scoring_a_file_imports_no_heavy_module(example_path, tmp_path):
    code = ("import sys; from scorer.cli import cli\n"
            f"try: cli(['score', {str(example_path)!r}, '--format', 'json', '-o', {str(tmp_path / 'r.json')!r}])\n"
            "except SystemExit as exc: assert not exc.code, exc.code\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    assert out.stdout.strip() == "[]", out.stderr
    assert (tmp_path / "r.json").read_text().startswith("{")


def test_scoring_a_url_still_imports_the_fetcher():
    """The fetcher is imported when the argument looks like a URL (a refused scheme here: nothing is fetched)."""
    code = ("import sys; from scorer.cli import cli\n"
            "try: cli(['score', 'ftp://example.invalid/x.html'])\n"
            "except SystemExit as exc: print(exc.code)\n"
            "print('scorer.text.fetch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.stdout.split()[-1] == "True", (out.stdout, out.stderr)
    assert out.stdout.split()[0] not in ("0", "None"), out.stdout
