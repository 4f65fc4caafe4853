"""CLI behaviour through click's CliRunner: the JSON equals the API's dict, errors are one line with exit codes."""
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from scorer.cli import cli
from scorer.pipeline import score

runner = CliRunner()


def test_help_and_version_fast_and_light():
    code = "import sys, scorer.cli; print('sklearn' in sys.modules, 'pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("score", "batch", "train", "evaluate", "model-info", "corpus"):
        assert command in result.output
    assert runner.invoke(cli, ["--version"]).output.startswith("scorer, version ")


def test_batch_parent_with_workers_stays_light(tmp_path, example_text):
    """With --jobs 2 and JSONL output the workers score; the parent never imports scikit-learn or pandas
    (it was ~240 MB of the process tree's peak)."""
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": str(i), "text": example_text}) + "\n" for i in range(3)))
    code = ("import sys; from scorer.cli import cli\n"
            f"try: cli(['batch', {str(src)!r}, '-o', {str(tmp_path / 'o.jsonl')!r}, '--jobs', '2', '--no-progress'])\n"
            "except SystemExit: pass\n"
            "print('sklearn' in sys.modules, 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    assert out.stdout.split() == ["False", "False"], out.stderr
    assert len((tmp_path / "o.jsonl").read_text().splitlines()) == 3


def test_score_json_equals_api(example_text, example_path):
    result = runner.invoke(cli, ["score", str(example_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    cli_dict = json.loads(result.output)
    api_dict = score(example_text).to_dict()
    api_dict["article"]["id"] = cli_dict["article"]["id"]  # the CLI names the article after its file
    assert cli_dict == json.loads(json.dumps(api_dict))
    assert cli_dict["article"]["id"] == "iran-bounties-commune"


def test_score_stdin_and_formats(example_text):
    result = runner.invoke(cli, ["score", "-", "--format", "markdown"], input=example_text.encode())
    assert result.exit_code == 0 and result.output.startswith("# Iran may have paid")
    text = runner.invoke(cli, ["score", "-"], input=example_text.encode()).output
    assert "\033[" not in text and "NAMED" in text and "Support score" in text


def test_score_html_to_file(tmp_path, example_path):
    out = tmp_path / "r.html"
    assert runner.invoke(cli, ["score", str(example_path), "--format", "html", "-o", str(out)]).exit_code == 0
    assert out.read_text().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("content,message", [
    (b"", "empty article"),
    (b"  \n \n", "empty article"),
    (b"\x00\x01\x02binary", "binary file"),
    (b"caf\xe9 au lait", "not UTF-8 text"),
])
def test_bad_input_one_line_exit_1(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    result = runner.invoke(cli, ["score", str(path)])
    assert result.exit_code == 1
    assert message in result.output and str(path) in result.output
    assert result.output.strip().count("\n") == 0


def test_missing_model_exit_3(tmp_path, example_path):
    result = runner.invoke(cli, ["score", str(example_path), "--model", str(tmp_path)])
    assert result.exit_code == 3 and "scorer train" in result.output


def test_usage_error_exit_2():
    assert runner.invoke(cli, ["score"]).exit_code == 2


def test_model_info_prints_card():
    result = runner.invoke(cli, ["model-info"])
    assert result.exit_code == 0 and json.loads(result.output)["id"] == "attribution-v1"
