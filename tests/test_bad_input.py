"""What scrapers produce: each bad input gets its exact behaviour (exit code, one-line error naming the
file and line or record) and, in batch mode, every other record is still scored (CONTRACT.md)."""
import gzip
import json
import os
import struct

import pandas as pd
import pytest
from click.testing import CliRunner

from scorer.cli import cli
from scorer.text.language import NON_ENGLISH_FLAG

runner = CliRunner()
GOOD = "The council voted 7-2 on Tuesday to close the depot, the mayor said. Officials said it could reopen."
PNG = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + bytes(13)


def score_cli(path, *args):
    return runner.invoke(cli, ["score", str(path), *args])


def one_line_error(result, *parts):
    """The error is one line on standard error starting 'scorer: error:' and naming each part."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("scorer: error:"), lines[0]
    for part in parts:
        assert part in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("name,content,exit_code,message", [
    ("empty.txt", b"", 1, "empty article"),
    ("blank.txt", b" \n\t\r\n  ", 1, "empty article"),
    ("image.txt", PNG, 1, "binary file (PNG image)"),
    ("archive.txt", gzip.compress(b"x" * 1000, mtime=0), 1, "binary file (gzip-compressed data)"),
    ("latin1.txt", "First line.\nCafé owners said prices rose.".encode("latin-1"), 1, "latin1.txt:2: not UTF-8 text"),
    ("utf16.txt", "The mayor said so.".encode("utf-16"), 1, "UTF-16 text is not supported"),
    ("utf16le.txt", "The mayor said so.".encode("utf-16-le"), 1, "UTF-16 text without a byte-order mark"),
    ("controls.txt", b"\x00\x01\x02\x03binary", 1, "binary file"),
    ("nobody.html", b"<html><head><title>x</title></head><body><nav><a href='/'>Home</a></nav></body></html>",
     1, "no article"),
])
def test_unscorable_file_exit_1_one_line(tmp_path, name, content, exit_code, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = score_cli(path)
    assert result.exit_code == exit_code
    one_line_error(result, str(path), message)


def test_oversized_file_refused_before_reading(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:  # 50 MB, sparse: refusing it must not need reading it
        fh.truncate(50_000_000)
    result = score_cli(big)
    assert result.exit_code == 1
    one_line_error(result, str(big), "50,000,000 bytes is over the 10,000,000-byte limit", "--max-bytes")
    small = tmp_path / "small.txt"
    small.write_text(GOOD)
    assert score_cli(small, "--max-bytes", "50").exit_code == 1
    assert score_cli(small, "--max-bytes", "0").exit_code == 0  # 0: no limit
    result = runner.invoke(cli, ["score", "-", "--max-bytes", "50"], input=GOOD)
    assert result.exit_code == 1
    one_line_error(result, "<stdin>", "50-byte limit")


def scored(result, source_text):
    """The JSON report of a successful run, after checking its offsets slice the input."""
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    for s in report["sentences"]:
        assert source_text[s["start"]:s["end"]] == s["text"]
    return report


def test_mixed_line_endings(tmp_path):
    text = ("Depot to close\r\nThe council voted on Tuesday to close the depot, the mayor said.\r"
            "Officials said it could reopen.\nA union leader called the vote \"a disgrace.\"\r\n")
    path = tmp_path / "mixed.txt"
    path.write_bytes(text.encode())
    report = scored(score_cli(path, "--format", "json"), text)
    assert [s["text"][:12] for s in report["sentences"]] == ["Depot to clo", "The council ", "Officials sa",
                                                              "A union lead"]
    assert report["article"]["title"] == "Depot to close"


def test_one_sentence_of_200000_characters(tmp_path):
    text = " ".join(["word"] * 40_000)[:200_000]
    path = tmp_path / "long.txt"
    path.write_text(text)
    report = scored(score_cli(path, "--format", "json"), text)
    assert report["article"]["n_sentences"] == 1
    assert len(report["sentences"][0]["text"]) == len(text.strip())


@pytest.mark.parametrize("text", [
    "Die Bundesregierung hat am Montag angekündigt, dass die Steuern steigen werden. Das sagte ein Sprecher "
    "des Ministeriums in Berlin. Die Opposition kritisierte den Plan scharf.",
    "قال الوزير إن الضرائب سترتفع العام المقبل. وأضاف أن الحكومة ستعمل على دعم الأسر المحتاجة.",
    "部长周一表示，明年的税收将会上升。反对派批评了这一计划，称其不公平。",
])
def test_non_english_scored_with_flag(tmp_path, text):
    path = tmp_path / "foreign.txt"
    path.write_text(text, encoding="utf-8")
    report = scored(score_cli(path, "--format", "json"), text)
    assert report["summary"]["flags"][0] == NON_ENGLISH_FLAG


def test_english_not_flagged(example_path, example_text):
    report = scored(score_cli(example_path, "--format", "json"), example_text)
    assert NON_ENGLISH_FLAG not in report["summary"]["flags"]


def test_emoji_zero_width_and_control_characters(tmp_path):
    text = ("The mayor \U0001F600 said\u200b on Tuesday that the depot\u00ad would close.\x07 "
            "Officials\u200d said it could\x1b reopen \u202eesrever. \ufeffA union leader objected.\x00\n")
    path = tmp_path / "odd.txt"
    path.write_text(text, encoding="utf-8")
    report = scored(score_cli(path, "--format", "json"), text)
    assert report["article"]["n_sentences"] >= 1
    for fmt in ("text", "markdown", "html"):
        assert score_cli(path, "--format", fmt).exit_code == 0


def batch(tmp_path, src, *args):
    out = tmp_path / "out.jsonl"
    result = runner.invoke(cli, ["batch", str(src), "--output", str(out), *args])
    rows = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    return result, rows


def test_jsonl_bad_records_each_get_an_error_row(tmp_path):
    src = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": "a", "text": GOOD}),
             "[1, 2, 3]",
             json.dumps({"id": "c", "body": GOOD}),
             json.dumps({"id": "d", "text": None}),
             json.dumps({"id": "e", "text": 42}),
             json.dumps({"id": "a", "text": GOOD}),  # duplicate id
             "",
             json.dumps({"text": GOOD}),  # no id: the line number stands in
             json.dumps({"id": "h", "text": ""}),
             '{"id": "i", "text": "cut off in the mid']  # truncated last line, no newline
    src.write_text("\n".join(lines), encoding="utf-8")
    result, rows = batch(tmp_path, src)
    assert result.exit_code == 0, result.output
    assert "2 scored, 7 errors" in result.stderr
    assert [r["id"] for r in rows] == ["a", "line-2", "c", "d", "e", "a", "line-8", "h", "line-10"]
    assert [r["status"] for r in rows] == ["ok", "error", "error", "error", "error", "error", "ok", "error", "error"]
    errors = {r["input"]: r["error"] for r in rows if r["status"] == "error"}
    assert errors == {
        f"{src}:2": f"{src}:2: expected a JSON object, got an array",
        f"{src}:3": f"{src}:3: no text field 'text'",
        f"{src}:4": f"{src}:4: text field 'text' is null, not a string",
        f"{src}:5": f"{src}:5: text field 'text' is a number, not a string",
        f"{src}:6": f"{src}:6: duplicate id 'a' (first at {src}:1); record not scored",
        f"{src}:9": f"{src}:9: empty article (no text to score)",
        f"{src}:10": errors[f"{src}:10"],
    }
    assert errors[f"{src}:10"].startswith(f"{src}:10: not valid JSON (truncated last line?)")
    assert all("\n" not in e for e in errors.values())


def test_jsonl_record_over_size_limit_is_an_error_row(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "big", "text": GOOD * 10}) + "\n" + json.dumps({"id": "ok", "text": GOOD}) + "\n")
    result, rows = batch(tmp_path, src, "--max-bytes", "500")
    assert [r["status"] for r in rows] == ["error", "ok"]
    assert "over the 500-byte limit" in rows[0]["error"]


def test_csv_missing_column_is_one_line_exit_1(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,body\n1,hello\n")
    result, _ = batch(tmp_path, src)
    assert result.exit_code == 1
    one_line_error(result, f"{src}:1: no column 'text' (columns: id, body); use --text-field")


def test_csv_embedded_newlines_quotes_and_bad_rows(tmp_path):
    src = tmp_path / "in.csv"
    quoted = 'The mayor said: "We will close it."\nOfficials said it could reopen.'
    frame = pd.DataFrame({"id": ["q", "short", "bad", "last"], "text": [quoted, GOOD, "x", GOOD]})
    data = frame.to_csv(index=False).encode()
    data = data.replace(b'bad,x', b'bad,caf\xe9')  # one row in Latin-1
    data += b"ragged\n"  # a row with one field
    src.write_bytes(data)
    result = runner.invoke(cli, ["batch", str(src), "--output", str(tmp_path / "out"), "--format", "csv"])
    assert result.exit_code == 0, result.output
    arts = pd.read_csv(tmp_path / "out" / "articles.csv").set_index("id")
    assert list(arts.index) == ["q", "short", "bad", "last", "ragged"]
    assert list(arts["status"]) == ["ok", "ok", "error", "ok", "error"]
    # quoted fields span lines, so each record names the line it starts on
    assert list(arts["input"]) == [f"{src}:{n}" for n in (2, 4, 5, 6, 7)]
    assert arts.loc["bad", "error"] == f"{src}:5: not UTF-8 text"
    assert arts.loc["ragged", "error"] == f"{src}:7: row has 1 fields, no 'text' value"
    sents = pd.read_csv(tmp_path / "out" / "sentences.csv")
    assert sents[sents["article_id"] == "q"]["text"].tolist() == ['The mayor said: "We will close it."',
                                                                "Officials said it could reopen."]


def test_directory_with_unreadable_files_and_symlinks(tmp_path, monkeypatch):
    root = tmp_path / "articles"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text(GOOD)
    (root / "sub" / "b.md").write_text(GOOD)
    (root / "locked.txt").write_text(GOOD)
    (root / "link.txt").symlink_to(root / "a.txt")  # followed: a record of its own
    (root / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)  # must not recurse forever
    os.mkfifo(root / "pipe.txt")  # reading it would block forever
    (root / "notes.pdf").write_bytes(b"%PDF-1.4")  # not an article suffix: ignored
    real_open = type(root).open

    def deny(self, *args, **kwargs):  # the tests may run as root, where chmod 000 does not deny reads
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(type(root), "open", deny)
    result, rows = batch(tmp_path, root)
    assert result.exit_code == 0, result.output
    by_id = {r["id"]: r for r in rows}
    assert sorted(by_id) == ["a", "dangling", "link", "locked", "pipe", "sub/b"]
    assert {k for k, r in by_id.items() if r["status"] == "ok"} == {"a", "link", "sub/b"}
    assert by_id["locked"]["error"] == f"{root / 'locked.txt'}: cannot read (Permission denied)"
    assert by_id["dangling"]["error"] == f"{root / 'dangling.txt'}: broken symbolic link"
    assert by_id["pipe"]["error"] == f"{root / 'pipe.txt'}: not a regular file"


def test_batch_where_nothing_succeeds_exits_1_and_writes_every_row(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1}\n[]\n{"id": 3, "text": "  "}\n')
    result, rows = batch(tmp_path, src)
    assert result.exit_code == 1
    assert [r["status"] for r in rows] == ["error"] * 3 and [r["id"] for r in rows] == ["1", "line-2", "3"]


def test_an_unexpected_failure_costs_only_its_record(example_text):
    """A bug triggered by one text (simulated) gives that record an error row; the rest of its chunk
    is scored."""
    from scorer.batch.records import Record
    from scorer.batch.workers import score_chunk
    from scorer.pipeline import Scorer

    class Flaky(Scorer):
        def score_batch(self, items):
            if any("BOOM" in item[0] for item in items):
                raise ZeroDivisionError("simulated bug")
            return super().score_batch(items)

    records = [Record("a", "in:1", text=GOOD), Record("b", "in:2", text=GOOD + " BOOM."),
               Record("c", "in:3", text=example_text)]
    rows = score_chunk(Flaky(), records)
    assert [r["status"] for r in rows] == ["ok", "error", "ok"]
    assert rows[1]["error"].startswith("in:2: internal error ZeroDivisionError: simulated bug (at ")
    assert rows[1]["error"].endswith("please report it")
