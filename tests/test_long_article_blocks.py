"""A long or hostile article (hundreds of thousands of tiny sentences) is read by the model stages in blocks of at most
`Scorer.block` rows (`pipeline.row_blocks`), and its JSON is written in pieces (`report.dumps_pieces`): the outputs are
those of the whole article in one call, and the memory stays bounded (session 17, memory17)."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from scorer.cli import cli
from scorer.model.claims import article_means, claim_dense_many
from scorer.pipeline import MODEL_BLOCK, Article, cached_scorer, row_blocks
from scorer.report import report as report_module
from scorer.report.report import dumps, dumps_pieces

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tiny_sentences(n: int, kinds: int = 997) -> str:
    """The hostile article of the issue: n one-word sentences."""
    return " ".join(f"Word{i % kinds}." for i in range(n))


def mixed_article(n: int) -> str:
    """Sentences with sources, cues, quotations and opinions among one-word ones (carry-over across blocks)."""
    parts = ['"We will not stop," the minister said.', "Officials, who declined to be named, said so.",
             "It is a disgrace.", "According to Reuters, the talks failed.", "Word.", "He added that it was true."]
    return " ".join(parts[i % len(parts)] for i in range(n))


def test_row_blocks():
    assert row_blocks(0, 8) == [(0, 0)]
    assert row_blocks(8, 8) == [(0, 8)]
    assert row_blocks(9, 8) == [(0, 4), (4, 9)]  # never a block of one row beside a long one
    for n in (1, 7, 100, 8193, 50_001):
        for size in (1, 2, 3, 64, MODEL_BLOCK):
            spans = row_blocks(n, size)
            assert spans[0][0] == 0 and spans[-1][1] == n
            assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
            lengths = [b - a for a, b in spans]
            assert max(lengths) <= max(size, 1) and max(lengths) - min(lengths) <= 1


def test_claim_dense_rows_same_as_whole():
    rng = np.random.default_rng(17)
    counts = [5, 0, 1, 12, 3, 0, 9]
    n = sum(counts)
    heads = rng.random((n, 5))
    source, cue, prev, nxt = (rng.random((n, k)) for k in (4, 6, 6, 6))
    lengths = rng.integers(1, 900, n).tolist()
    whole = claim_dense_many(heads, source, cue, prev, nxt, lengths, counts)
    means = article_means(heads, counts)
    for lo in range(n):
        for hi in range(lo, n + 1):
            part = claim_dense_many(heads, source[lo:hi], cue[lo:hi], prev[lo:hi], nxt[lo:hi], lengths[lo:hi], counts,
                                    rows=(lo, hi), means=means if hi % 2 else None)
            # rows inside the block (the first and last lack a neighbour outside it) are the whole stack's, bit for bit
            inner = slice(1 if lo > 0 else 0, (hi - lo) - (1 if hi < n else 0))
            assert np.array_equal(part[inner], whole[lo:hi][inner])


@pytest.fixture(scope="module")
def articles():
    return [Article(mixed_article(70), "a"), Article(tiny_sentences(130, 13), "b"), Article("One claim, he said.", "c"),
            Article(mixed_article(45), "d")]


@pytest.mark.parametrize("block", [2, 3, 7, 50])
def test_blocks_give_the_unblocked_reports(monkeypatch, articles, block):
    """The reports (rows, summary, corroboration, the article means the claim head reads) are those of the whole
    batch in one model call, whatever the blocks."""
    scorer = cached_scorer()
    monkeypatch.setattr(scorer, "block", 10 ** 9)
    reference = [r.to_json() for r in scorer.score_batch(articles)]
    monkeypatch.setattr(scorer, "block", block)
    assert [r.to_json() for r in scorer.score_batch(articles)] == reference
    # each article alone, long ones cut into many blocks: its report in a batch is the one it gets alone
    assert [scorer.score_batch([a])[0].to_json() for a in articles] == reference


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("indent", [None, 2, 4])
def test_json_pieces_join_to_the_whole_json(monkeypatch, fast, indent):
    if not fast:
        monkeypatch.setattr(report_module, "_fast", None)  # the standard library writes it
    report = cached_scorer().score(mixed_article(40))
    whole = dumps(report.to_dict(), indent=indent)
    for size in (1, 2, 3, 39, 40, 2048):
        pieces = list(dumps_pieces(report.to_dict(), "sentences", indent, size))
        assert "".join(pieces) == whole
        assert len(pieces) > 1 or size >= 40
    # an empty list and a report of one sentence are written whole
    assert "".join(dumps_pieces({"a": 1, "sentences": [], "b": [2]}, "sentences", indent, 1)) == \
        dumps({"a": 1, "sentences": [], "b": [2]}, indent=indent)


def test_score_command_json_in_pieces(tmp_path):
    """`scorer score --format json` (and jsonl to a file) writes a long report in pieces: the same text as to_json."""
    text = tmp_path / "long.txt"
    text.write_text(tiny_sentences(5000), encoding="utf-8")
    report = cached_scorer().score_file(text)
    result = CliRunner().invoke(cli, ["score", str(text), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert result.stdout == report.to_json() + "\n"
    result = CliRunner().invoke(cli, ["score", str(text), "-o", str(tmp_path / "r.jsonl")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.jsonl").read_text(encoding="utf-8") == report.to_json(indent=None) + "\n"


# peak RSS of `scorer score` of a 50,000 one-word-sentence article (0.45 MB), in MB: main (ec12b28) peaked at 325 MB
# (kernels on and off), memory17 at 160 MB
PEAK_50K_MB = 240


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads the peak from /proc (Linux)")
def test_hostile_article_memory_bounded(tmp_path):
    """The peak RSS of a process scoring a 50,000 one-word-sentence article, with the kernels as the suite runs."""
    text = tmp_path / "hostile.txt"
    text.write_text(tiny_sentences(50_000), encoding="utf-8")
    # the peak of this process's memory (VmHWM; not ru_maxrss, which keeps the forking pytest worker's peak across exec)
    code = ("from scorer.cli import cli\n"
            "try:\n"
            f"    cli(['score', {str(text)!r}, '--format', 'json', '-o', {str(tmp_path / 'r.json')!r}])\n"
            "except SystemExit as exc:\n"
            "    assert not exc.code, exc.code\n"
            "print([int(l.split()[1]) // 1024 for l in open('/proc/self/status') if l.startswith('VmHWM')][0])\n")
    env = dict(os.environ, PYTHONPATH=REPO)
    peak = int(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                              check=True).stdout.split()[-1])
    assert peak < PEAK_50K_MB, f"scoring 50,000 one-word sentences peaked at {peak} MB"
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["article"]["n_sentences"] > 40_000
