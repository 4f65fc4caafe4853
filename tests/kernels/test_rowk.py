"""Session 14, rowk (issue #21): the page-furniture rules tried in one call per line (`furniture._first_rule`) give
the reason the rules tried one by one give, on the PolNeAR lines and on fuzzed lines, with and without the compiled
kernels. The kernels' tests need them built (skipped otherwise, except when SCORER_REQUIRE_KERNELS=1)."""
from __future__ import annotations

import random
from collections import namedtuple

import pytest

from scorer.text import furniture, kernels


def rule_by_rule(line: str) -> str | None:
    """`furniture_reason` as it was (dc1f77a): every rule tried in order, a rule with literals only when one of them
    is in the folded line."""
    if not line or len(line) > furniture._LONGEST_LINE:
        return None
    folded = furniture._folded(line)
    for reason, pattern, literals in furniture._CHECKED_RULES:
        if literals is not None and not any(literal in folded for literal in literals):
            continue
        if pattern.match(line):
            return reason
    return None


def rules_alone(line: str) -> str | None:
    """The first rule of `furniture._RULES` that matches, no literal checked."""
    return next((reason for reason, pattern in furniture._RULES if pattern.match(line)), None) if line else None


# pieces of furniture lines and of article sentences, joined at random into fuzzed lines
_PIECES = ("Share", "share this article", "on Facebook", "Twitter", "X", "WhatsApp", "e-mail", "Print", "copy link",
           "|", "•", "·", "/", ",", " ", "  ", "\t", "Advertisement", "Sponsored content", "Story continues below",
           "the", "advertisement", "Read more", "See also:", "Related:", "More:", "Click here", "Watch:", "Sign up",
           "Subscribe", "Follow us", "@cnn", "newsletter", "Get our daily newsletter", "cookies", "We use cookies",
           "accept", "privacy", "Photo", "photo credit:", "Image", "by", "By", "BY", "John Smith", "Jane O'Neil",
           "and", "&", "Reuters/Kevin", "Getty Images", "AFP via Getty", "AP Photo", "Shutterstock", "file photo",
           "(", ")", ".", "Published", "Updated", "12:30", "2019", "©", "Copyright", "(c) ", "All rights reserved",
           "pic.twitter.com/abc", "https://t.co/x", "— Jane (@jane)", "WASHINGTON", "NEW YORK (Reuters)", "—", "–",
           "-", "Site icon", "Exit mobile version", "Skip to main content", "Menu", "Search", "Home", "Sections",
           "Back to top", "menu", "ſhare", "ſection", "İmage", "ımage", "\u212aelvin", "Vıdeo", "Crédit", "credıt",
           "ad", "Ad", "said", "The senator said on Tuesday", "“Quote,”", "’", "x" * 150, "é", "\u0301", "日本",
           "\ud800", "1", "Sen. Ron Wyden", "Illustration by", "Graphic:", "Video credit")


def _fuzzed_lines(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    lines = []
    for _ in range(n):
        pieces = [rng.choice(_PIECES) for _ in range(rng.randint(1, 6))]
        line = rng.choice(("", " ")).join(pieces)
        if rng.random() < 0.3:
            line = line.upper() if rng.random() < 0.5 else line.lower()
        lines.append(line.strip())
    return lines


def _corpus_lines(texts: list[str]) -> list[str]:
    return [stripped for text in texts for line in text.splitlines() if (stripped := line.strip())]


def test_one_call_per_line_same_reason(polnear_texts):
    lines = _corpus_lines(polnear_texts) + _fuzzed_lines(6_000, 14)
    found = {}
    for line in lines:
        reason = furniture.furniture_reason(line)
        assert reason == rule_by_rule(line), line
        assert reason == (rules_alone(line) if len(line) <= furniture._LONGEST_LINE else None), line
        found[reason] = found.get(reason, 0) + 1
    # every rule fires on these lines, and most lines are no furniture
    assert set(found) == {reason for reason, _ in furniture._RULES} | {None}, found
    assert found[None] > len(lines) / 3


def test_first_rule_is_the_order_of_the_rules():
    """A line two rules match gets the earlier one's reason; groups inside a rule do not change which one."""
    rules = [("first", furniture.re.compile(r"^(a)(b)?$", furniture.re.I), None),
             ("second", furniture.re.compile(r"^a$"), None), ("third", furniture.re.compile(r"^((c)|d)$"), None)]
    first = furniture._first_rule(rules)
    assert first.match("A").lastgroup == "r0" and first.match("ab").lastgroup == "r0"
    assert first.match("c").lastgroup == "r2" and first.match("d").lastgroup == "r2" and first.match("e") is None
    # case-insensitive only where the rule is
    cased = furniture._first_rule([("x", furniture.re.compile("^a$"), None), ("y", furniture.re.compile("^A$"), None)])
    assert cased.match("A").lastgroup == "r1" and cased.match("a").lastgroup == "r0"


@pytest.mark.parametrize("active", [True, False])
def test_find_furniture_same_with_and_without_kernels(polnear_texts, active, monkeypatch):
    fuzz = _fuzzed_lines(3_000, 15)
    texts = polnear_texts[::4] + ["\n".join(fuzz[i:i + 40]) for i in range(0, len(fuzz), 40)] + ["", "\n\r\n", "ad"]
    if active:
        monkeypatch.setattr(kernels, "compiled", _compiled())
        find = furniture._find_furniture_compiled
    else:
        find = furniture._find_furniture_python
    n = 0
    for text in texts:
        expected = []
        pos = 0
        for raw in text.splitlines(keepends=True):
            stripped = raw.strip()
            reason = rule_by_rule(stripped) if stripped else None
            if reason:
                start = pos + raw.index(stripped)
                expected.append(furniture.Skipped(start, start + len(stripped), stripped, reason))
            pos += len(raw)
        assert find(text) == expected
        n += len(expected)
    assert n > 500


def _compiled():
    from compiled_kernels import compiled_module  # tests/kernels/compiled_kernels.py

    return compiled_module()


def _lines(text: str, longest: int) -> list[tuple[int, int]]:
    """The (start, end) of the stripped non-empty lines of at most `longest` characters, as `find_furniture` cuts."""
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        stripped = raw.strip()
        if stripped and len(stripped) <= longest:
            start = pos + raw.index(stripped)
            out.append((start, start + len(stripped)))
        pos += len(raw)
    return out


def test_furniture_lines_cut_at_every_line_break():
    """The kernel's line breaks (`_linebreak`, no function call above \\x1e) are `str.splitlines`' for every code
    point (white space stripped as `str.strip` strips it)."""
    K = _compiled()
    points = [chr(c) for c in range(0x110000)]
    text = "x".join(points)
    assert [(s, e) for s, e, _ in K.furniture_lines(text, (), (), len(text))] == _lines(text, len(text))
    # and with lines of every kind of str (1, 2 and 4 bytes a character)
    for top in (0x100, 0x10000):
        text = "ab".join(points[:top])
        assert [(s, e) for s, e, _ in K.furniture_lines(text, (), (), 7)] == _lines(text, 7)


def test_furniture_lines_literal_checks():
    """The masks (the pre-check of a literal's first three characters, then the whole literal) against `in` on the
    folded line; literals of one and two characters, at the line's end, overlapping."""
    K = _compiled()
    rng = random.Random(16)
    groups = (("cookie",), ("photo", "p", "ph", "credit", "xx"), ("e",), ("zzz", "zz"))
    alphabet = "cookiephtredxz \u0130\u0131\u017f\u212aKCOPÉ\u0301é"
    for _ in range(3_000):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))).strip() or "c"
        [(start, end, mask)] = K.furniture_lines(" " + line + "\n", groups, furniture._FOLD_TO_ASCII, 100)
        folded = furniture._folded(line)
        assert (start, end) == (1, 1 + len(line))
        assert mask == sum(1 << g for g, literals in enumerate(groups) if any(x in folded for x in literals)), line
    with pytest.raises(ValueError):
        K.furniture_lines("a", groups, (), 2 ** 63 - 1)
    with pytest.raises(ValueError):
        K.furniture_lines("a", (("A",),), (), 10)


# ---- report_rows <- pipeline.sentence_rows


def _rows_both(monkeypatch, args):
    """sentence_rows(*args) by the kernel, then by the twin."""
    from scorer import pipeline

    monkeypatch.setattr(kernels, "compiled", _compiled())
    monkeypatch.setattr(kernels, "ACTIVE", True)
    fast = pipeline.sentence_rows(*args)
    monkeypatch.setattr(kernels, "ACTIVE", False)
    return fast, pipeline.sentence_rows(*args)


def _same_rows(fast, slow):
    assert fast == slow
    for a, b in zip(fast, slow):  # the same keys in the same order, values of the same types
        assert list(a) == list(b) and list(a["probabilities"]) == list(b["probabilities"])
        assert [type(v) for v in a.values()] == [type(v) for v in b.values()]


def test_report_rows_same_on_polnear(polnear_texts, monkeypatch):
    from scorer import pipeline

    calls = []
    original = pipeline.sentence_rows
    monkeypatch.setattr(pipeline, "sentence_rows", lambda *args: calls.append(args) or original(*args))
    pipeline.cached_scorer().score_batch([pipeline.Article(t) for t in polnear_texts[:40:2]])
    monkeypatch.setattr(pipeline, "sentence_rows", original)
    assert len(calls) == 20
    from scorer.labels import LABELS

    for args in calls:
        fast, slow = _rows_both(monkeypatch, args)
        _same_rows(fast, slow)
        columns = [args[4][name] for name in pipeline._SOURCE_COLUMNS]  # (the kernel's rows, not the twin's)
        assert fast and _compiled().report_rows(*args[:4], LABELS, columns, *args[5:], pipeline.Sentence) == fast


def _fuzzed_row_args(rng: random.Random, n_rows: int):
    from scorer.labels import LABELS
    from scorer.text.segment import Sentence

    def cell(kind):
        return rng.choice({"text": [None, "", "they", "Mr. Smith", "the ministry", 0],
                           "type": [None, "outlet_claim", "named_source", ""],
                           "int": [None, 0, 7, 12345]}[kind])

    kinds = ["text", "text", "text", "type", "text", "text"] + ["int"] * 6
    inputs = {name: [cell(kind) for _ in range(n_rows)] for name, kind in zip(_source_columns(), kinds)}
    kept = sorted(rng.sample(range(n_rows), rng.randint(0, n_rows)))
    n = len(kept)
    sentences = [Sentence(rng.randint(0, 99), rng.randint(100, 199), f"s{i}") for i in range(n)]
    labels = [rng.choice(LABELS) for _ in range(n)]
    probs = [[rng.random() for _ in LABELS] for _ in range(n)]
    support = [rng.random() for _ in range(n)]
    grades = [rng.randint(0, 3) for _ in range(n)]
    reasons = [[f"r{i}"] * rng.randint(0, 2) for i in range(n)]
    corroborated = [rng.choice([None, 0, 3]) for _ in range(n)]
    headline = rng.choice([None, 0, 1, n])
    return sentences, kept, labels, probs, inputs, support, grades, reasons, corroborated, headline


def _source_columns():
    from scorer.pipeline import _SOURCE_COLUMNS

    return _SOURCE_COLUMNS


def test_report_rows_same_on_fuzzed_columns(monkeypatch):
    rng = random.Random(17)
    for _ in range(300):
        args = _fuzzed_row_args(rng, rng.randint(0, 12))
        _same_rows(*_rows_both(monkeypatch, args))


def test_report_rows_leaves_other_cells_to_the_twin(monkeypatch):
    """A cell that is not None, str or int (NaN, a numpy integer, a str subclass, a bool), a sentence of another type,
    a label that is not a str, a row outside the columns, a headline that is not an int, probabilities not in a list:
    the kernel gives None and the twin's rows are returned."""
    import numpy as np

    from scorer.labels import LABELS
    from scorer.text.segment import Sentence

    K = _compiled()
    rng = random.Random(18)

    def odd_cell(args, odd):
        args[4] = dict(args[4])
        column = rng.choice(_source_columns())
        args[4][column] = list(args[4][column])
        args[4][column][rng.randrange(6)] = odd

    def odd_list(at, value):
        def change(args, _):
            if args[1]:
                args[at] = list(args[at])
                args[at][0] = value
        return change

    cases = [(odd_cell, odd) for odd in (float("nan"), np.int64(5), np.str_("x"), 1.0, True)] + [
        (odd_list(0, namedtuple("Other", "start end text")(0, 1, "a")), None), (odd_list(2, np.str_("named_source")), None), (odd_list(1, 7), None),
        (odd_list(1, -1), None), (odd_list(1, np.int64(0)), None), (odd_list(3, (0.1, 0.2, 0.3, 0.4)), None)]
    for change, odd in cases:
        for _ in range(5):
            args = list(_fuzzed_row_args(rng, 6))
            change(args, odd)
            columns = [args[4][name] for name in _source_columns()]
            if args[1] or change is odd_cell:
                assert K.report_rows(*args[:4], LABELS, columns, *args[5:], Sentence) is None
            try:
                fast, slow = _rows_both(monkeypatch, args)
            except (IndexError, ValueError):  # (the twin's own errors: a row outside the columns, a text as an end)
                continue
            assert repr(fast) == repr(slow)
    args = list(_fuzzed_row_args(rng, 6))
    columns = [args[4][name] for name in _source_columns()]
    for headline in (np.int64(0), 0.0, "0"):
        assert K.report_rows(*args[:4], LABELS, columns, *args[5:9], headline, Sentence) is None
    assert K.report_rows(*args[:4], (np.str_("a"),), columns, *args[5:], Sentence) is None


def test_report_rows_checks_its_arguments():
    from scorer.labels import LABELS
    from scorer.text.segment import Sentence

    K = _compiled()
    columns = [[None, None] for _ in range(12)]
    good = ([Sentence(0, 1, "a")], [1], ["named_source"], [[0.25] * 4], LABELS, columns, [0.5], [1], [[]], [None], 0,
            Sentence)
    assert K.report_rows(*good)[0]["is_headline"] is True
    for at, bad in ((1, []), (1, [0, 1]), (6, []), (9, [None, None]), (5, columns[:11]), (5, columns[:11] + [[None]]),
                    (5, [(None, None)] * 12), (11, None), (0, None)):
        args = list(good)
        args[at] = bad
        with pytest.raises((ValueError, TypeError)):
            K.report_rows(*args)


def test_reason_lists_copy_what_the_table_could_change():
    """A function of the table that empties the lists it was given does not change the loop (it reads copies)."""
    K = _compiled()
    cells, bounds, texts = [1, 2, 1, 2], [0, 2, 4], ["x", "y"]

    def clearing(text, corroborated, label, found):
        cells.clear()
        bounds.clear()
        texts.clear()
        return text

    assert K.reason_lists(cells, bounds, [None, "a", clearing], texts, [None, None], ["l", "l"], 3) == [["a", "x"],
                                                                                                        ["a", "y"]]


# ---- the decisions' memo read by the segk kernels


def test_split_sentences_read_the_decisions_memo(polnear_texts, monkeypatch):
    """With nupunkt's context memo passed in, the kernels call the engine only for contexts it does not hold, and
    split the same; a memo holding other decisions than the engine's would show (the memo is read first)."""
    from scorer.text import segment

    K = _compiled()
    monkeypatch.setattr(kernels, "compiled", K)
    monkeypatch.setattr(kernels, "ACTIVE", True)
    decide, memo = segment._punkt_decision()
    assert decide is segment._punkt_decider()
    calls = []

    def counting(context):
        calls.append(context)
        return decide(context)

    args = (segment.Sentence, segment._SENTENCE_STARTERS, segment._FINAL_ABBREVIATIONS, segment._TITLES,
            segment._MAX_QUOTE_MERGE)
    texts = polnear_texts[::8]
    plain = [K.split_sentences(t, 0, len(t), counting, *args) for t in texts]
    asked = len(calls)
    assert asked > 500
    calls.clear()
    assert [K.split_sentences(t, 0, len(t), counting, *args, memo) for t in texts] == plain
    assert len(calls) < asked / 10  # (the memo holds the contexts asked above)
    # the memo's decision is the one used (a memo of the opposite decisions splits as the opposite engine); a context
    # it holds as None is asked
    block = "He left. Then she came. Mr. Smith stayed! Why? No."
    opposite = {}
    K.punkt_spans(block, lambda c: opposite.setdefault(c, not decide(c)))
    assert K.punkt_spans(block, decide, opposite) == K.punkt_spans(block, lambda c: not decide(c))
    assert K.punkt_spans(block, decide, opposite) != K.punkt_spans(block, decide)
    assert K.punkt_spans(block, decide, dict.fromkeys(opposite)) == K.punkt_spans(block, decide)
    with pytest.raises(TypeError):
        K.punkt_spans(block, decide, [])


# ---- reason_lists <- the loop of support.reasons_many


def test_reason_lists_same_as_the_loop(polnear_sentences, monkeypatch):
    """`reasons_many` with the compiled loop and with the twin's, on random contributions and features (ties, NaN,
    zeros) over PolNeAR sentences, every label, three corroborations, limits 3, 1, 5, 0 and -1."""
    import numpy as np

    from scorer.labels import LABELS
    from scorer.model import support

    monkeypatch.setattr(kernels, "compiled", _compiled())
    rng = np.random.default_rng(19)
    texts = [t for sents in polnear_sentences[:60] for t in sents][:1500]
    n, m = len(texts), len(support.SUPPORT_FEATURES)
    contrib = rng.normal(0, 0.2, (n, m)).round(2)  # (ties)
    contrib[rng.random((n, m)) < 0.05] = np.nan
    contrib[rng.random((n, m)) < 0.1] = 0.0
    X = rng.choice([0.0, 0.3, 0.7, 1.0, 2.0], (n, m))
    corroborated = [rng.choice([None, 0, 5]) for _ in range(n)]
    labels = [LABELS[i % 4] for i in range(n)]
    made = 0
    for limit in (3, 1, 5, 0, -1):
        monkeypatch.setattr(kernels, "ACTIVE", True)
        fast = support.reasons_many(contrib, X, texts, corroborated, labels, limit)
        monkeypatch.setattr(kernels, "ACTIVE", False)
        assert fast == support.reasons_many(contrib, X, texts, corroborated, labels, limit)
        made += sum(map(len, fast))
    assert made > 5_000


def test_reason_lists_checks_its_arguments():
    K = _compiled()
    table = [None, "a", lambda text, c, label, found: text]
    good = ([1, 2, 1], [0, 2, 3], table, ["x", "y"], [None, None], ["l", "l"], 3)
    assert K.reason_lists(*good) == [["a", "x"], ["a"]]
    for at, bad in ((0, [1, 3, 1]), (0, [1, -1, 1]), (1, [0, 2]), (1, [0, 4, 3]), (1, [0, 3, 2]), (1, [-1, 2, 3]),
                    (4, [None]), (5, ["l"]), (0, [1, "2", 1]), (0, [1, True, 1]), (1, [0, 2.0, 3])):
        args = list(good)
        args[at] = bad
        with pytest.raises((ValueError, TypeError)):
            K.reason_lists(*args)


# ---- summary.merge_sources (pure Python, both paths)


def _frozen_summary():
    """tests/report/summary_4e79796.py: summary.py as of 4e79796, frozen (dc1f77a's merge_sources gives the same
    entries: tests/report/test_summary_session11.py holds every later version to it)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "report" / "summary_4e79796.py"
    spec = importlib.util.spec_from_file_location("summary_4e79796_rowk", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_merge_sources_same_as_before():
    """Names from a small vocabulary (so that many share first and last words, join, or could join two keys), with
    titles, possessives, lower-case and blank names, every label: the same entries, key for key in the same order."""
    from scorer.labels import LABELS
    from scorer.report.summary import merge_sources, source_key

    frozen = _frozen_summary().merge_sources
    rng = random.Random(20)
    words = ["donald", "trump", "us", "intelligence", "agencies", "white", "house", "officials", "senior", "the", "a"]
    joined = 0
    for _ in range(1_500):
        rows = []
        for i in range(rng.randint(0, 25)):
            name = " ".join(rng.choice(words) for _ in range(rng.randint(1, 4)))
            name = rng.choice(["", "Mr. ", "the former ", "The "]) + rng.choice([name, name.title(), name.upper()])
            name += rng.choice(["", "'s", "’s", " ", "  x"])
            rows.append({"index": i, "source": rng.choice([name, name, None, "", "  "]),
                         "attribution_type": rng.choice(LABELS)})
        new, old = merge_sources(rows), frozen(rows)
        assert new == old and [list(e) for e in new] == [list(e) for e in old]
        keys = {source_key(r["source"]) for r in rows if r["source"] and r["attribution_type"] != "editorial_opinion"}
        joined += len(new) < len(keys)  # (some key joined another)
    assert joined > 200
