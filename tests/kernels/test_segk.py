"""The kernel of the section "segk (session 13)" (`_scorer_kernels.pyx`): `punkt_spans` gives what its twin
`segment._punkt_spans` (nupunkt's default model's `span_tokenize`) gives, on the paragraph blocks and whole texts of the
PolNeAR dev texts and a sixth of train, on seeded fuzz (abbreviations, initials, numbers, enumerators, ellipses,
closing quotes and brackets after end marks, every kind of white space, Unicode letters, digits and marks,
surrogates, very long blocks) and around every code point of the first planes; the whole segmentation with it and
without it; the guard that runs nupunkt itself for a tokenizer the kernel does not reproduce; the argument checks.
Skipped when the kernels are not built, except when SCORER_REQUIRE_KERNELS=1."""
from __future__ import annotations

import random

import pytest

from scorer.text import kernels, segment

from compiled_kernels import compiled_module  # tests/kernels/compiled_kernels.py

K = compiled_module()


@pytest.fixture(autouse=True)
def compiled_kernels(monkeypatch):
    """The dispatch points at the compiled module even under SCORER_KERNELS=0 (CI runs the suite so)."""
    monkeypatch.setattr(kernels, "compiled", K)
    monkeypatch.setattr(kernels, "ACTIVE", True)


def decider():
    decide = segment._punkt_decider()
    assert decide is not None, ("the compiled punkt_spans does not reproduce the loaded nupunkt tokenizer (a new "
                                "nupunkt version? check its span_tokenize code paths against the kernel, then add it "
                                "to segment._PUNKT_VERIFIED_VERSIONS)")
    return decide


def check(blocks) -> int:
    """Assert the kernel's spans are the twin's for every block; the number of blocks with more than one sentence."""
    decide = decider()
    several = 0
    for block in blocks:
        spans = segment._punkt_spans(block)
        assert K.punkt_spans(block, decide) == spans, block[:300]
        several += len(spans) > 1
    return several


def test_same_spans_on_polnear(polnear_texts):
    blocks = [t[a:b] for t in polnear_texts for a, b in segment._blocks(t, 0, len(t))]
    assert len(blocks) > 4000
    assert check(blocks) > 1500
    assert check(polnear_texts) > 200  # whole texts: line breaks, blank lines, headlines


def both_paths(monkeypatch, fn):
    """fn() with the kernels (split_sentences in one kernel call), with the kernels per block (nupunkt's spans and the
    repairs each by its kernel), then with the twins."""
    monkeypatch.setattr(kernels, "ACTIVE", True)
    monkeypatch.setattr(segment, "_sentence_spans_fast", segment._sentence_spans_compiled)
    fused = fn()
    monkeypatch.setattr(segment, "_sentence_spans_fast", lambda block, spans: segment._sentence_spans_compiled(block,
                                                                                                               spans))
    per_block = fn()
    monkeypatch.setattr(kernels, "ACTIVE", False)
    monkeypatch.setattr(segment, "_sentence_spans_fast", segment._sentence_spans)
    assert segment._punkt_decider() is None
    return fused, per_block, fn()


def test_split_article_same_with_and_without_the_kernels(polnear_texts, monkeypatch):
    fused, per_block, twin = both_paths(monkeypatch, lambda: [segment.split_article(t) for t in polnear_texts[::2]])
    assert fused == twin
    assert per_block == twin
    assert all(type(s) is segment.Sentence for sentences, _ in fused for s in sentences)


def test_split_sentences_same_on_fuzzed_paragraphs(monkeypatch):
    """Blocks: every line break str.splitlines knows, blank and white-space lines, lines going on in lower case,
    ranges that cut a \r\n or a line; and a range outside the text (Python's slicing: the twin's loop runs)."""
    rng = random.Random(34)
    breaks = ["\n", "\r", "\r\n", "\n\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\n\n",
              "\n \n", "\n\u00a0\n"]
    cases = []
    for _ in range(3000):
        text = "".join(rng.choice(_PIECES) + (rng.choice(breaks) if rng.random() < 0.15 else " ")
                       for _ in range(rng.randrange(0, 40)))
        lo = rng.randrange(0, len(text) + 1)
        hi = rng.randrange(lo, len(text) + 1)
        cases.append((text, lo, hi))
    cases += [("Hi.\r\nthere. Yes.", 0, 4), ("Hi.\r\nthere.", 4, 12), ("a. B.", 2, 99), ("a. B. C.", -3, 8)]
    fused, per_block, twin = both_paths(monkeypatch, lambda: [segment.split_sentences(*case) for case in cases])
    assert fused == twin
    assert per_block == twin
    assert sum(len(sentences) > 1 for sentences in twin) > 1000


def test_split_sentences_kernel_bounds():
    from scorer.text.segment import _FINAL_ABBREVIATIONS, _MAX_QUOTE_MERGE, _SENTENCE_STARTERS, _TITLES, Sentence

    decide = decider()
    for lo, hi in ((-1, 3), (2, 1), (0, 9)):
        with pytest.raises(ValueError):
            K.split_sentences("He left.", lo, hi, decide, Sentence, _SENTENCE_STARTERS, _FINAL_ABBREVIATIONS, _TITLES,
                              _MAX_QUOTE_MERGE)
    assert K.split_sentences("He left.", 3, 3, decide, Sentence, _SENTENCE_STARTERS, _FINAL_ABBREVIATIONS, _TITLES,
                             _MAX_QUOTE_MERGE) == []


# pieces of news copy around the candidates the kernel handles: end marks and their runs, spaced ellipses, closing
# punctuation (the realignment's and the "continues in lower case" filter's), titles, abbreviations and initials of the
# model, list enumerators, numbers, words that start sentences or do not, letters of other scripts and cases, decimal
# and other digits, combining marks, "_", every kind of white space, a lone surrogate and a character outside the BMP
_PIECES = (list(".?!…") * 4 + [" ", " ", " ", "  ", "\n", "\n\n", "\t", "\u00a0", "\u2003", "\x1c", "\x85", "\u2028",
                                "\r\n", "\x0b"] * 3
           + list("\"')]}”’»*“‘([{«:;,@-_&#`") + ["--", "...", ". . .", ". .", "?!", "!!", "! !", "' s"]
           + ["Mr", "Mrs", "Dr", "U.S", "U.K", "e.g", "i.e", "Inc", "No", "St", "Gen", "Jan", "Sept", "a.m", "p.m", "etc",
              "J", "A", "B", "I", "I'm", "I’m", "iv", "IV", "xii", "c", "L", "1", "12", "123", "1234", "٣", "²", "Ⅳ", "3rd",
              "The", "He", "She", "said", "the", "and", "it", "But", "However", "Washington", "obama", "Obama", "É",
              "école", "Über", "ß", "ǅ", "ı", "İ", "Straße", "日本", "ﬁ", "K", "ſ", "a", "z", "X", "\ud800", "\U0001F600",
              "\u0301", "(a)", "(1)", "1)", "ii)", "No.", "Co.", "word", "Word", "WORD", "x_y", "_", "##number##"])


def test_same_spans_on_seeded_fuzz():
    rng = random.Random(21)
    blocks = ["", " ", "\n", ".", "a", "a.", ". ", "?!", "…", "x. ", " . . . "]
    for _ in range(12000):
        n = rng.choice((1, 2, 3, 5, 10, 20, 40, 80))
        blocks.append("".join(rng.choice(_PIECES) + (" " if rng.random() < 0.4 else "") for _ in range(n)))
    assert check(blocks) > 3000


def test_same_spans_on_a_very_long_block():
    rng = random.Random(5)
    block = "".join(rng.choice(_PIECES) + " " for _ in range(60000))
    assert check([block, block.replace("\n", " "), "Word. " * 20000 + "end"]) == 3


# candidates next to one character: its white space, letter, digit, case and closing-punctuation classes all decide
_AROUND = ("He left.{c}Then", "He left.'{c}x", "He left.’{c} The", "He left. {c}x. Then", "He left.”{c}he said. Yes",
           "{c}. He left. {c}", "ok?{c}! No", "x.){c} We", "a{c}. b. C", "(ii{c}. Go", "\n{c}1. Item. More",
           "x ...{c}. Y", "Mr.{c}Smith. Ok", "A. {c}B. C.")


def test_same_spans_around_code_points():
    """(Checked on every code point with every template once, by hand: ~4 minutes.)"""
    spaces = [point for point in range(0x3100) if chr(point).isspace()]
    points = list(range(0x250)) + spaces + list(range(0x250, 0x110000, 211))
    check(template.replace("{c}", chr(point)) for point in points for template in _AROUND[:5])
    check(template.replace("{c}", chr(point)) for point in points[::8] for template in _AROUND[5:])


def test_guard_runs_nupunkt_for_a_tokenizer_the_kernel_does_not_reproduce(monkeypatch):
    import nupunkt
    from nupunkt.tokenizers.sentence_tokenizer import PunktSentenceTokenizer

    tokenizer = nupunkt.load("default")
    assert segment._punkt_reproducible(tokenizer)
    monkeypatch.setattr(tokenizer, "EXCL_QUEST_LOWERCASE_CONTINUES", True)  # "Yahoo! in 1995" continues
    assert not segment._punkt_reproducible(tokenizer)
    monkeypatch.undo()
    monkeypatch.setattr(nupunkt, "__version__", "0.9.0")
    assert not segment._punkt_reproducible(tokenizer)
    monkeypatch.undo()

    class Custom(PunktSentenceTokenizer):
        def _is_line_start_enumerator(self, text, pos):
            return False

    assert not segment._punkt_reproducible(Custom(tokenizer.parameters))
    # the dispatch: for a tokenizer that fails the check, nupunkt's span_tokenize runs and the kernel never does
    text = "He went to Washington. He said so.\n\n1. First item. Second."
    expected = segment.split_sentences(text)
    assert len(expected) == 4

    class Refuses:
        sentence_spans = staticmethod(K.sentence_spans)

        def punkt_spans(self, block, decide):
            raise AssertionError("the kernel ran")

    monkeypatch.setattr(kernels, "compiled", Refuses())
    monkeypatch.setattr(kernels, "ACTIVE", True)
    monkeypatch.setattr(tokenizer, "EXCL_QUEST_LOWERCASE_CONTINUES", False)  # set on the instance: checked each time
    assert segment._punkt_decider() is not None
    monkeypatch.setattr(tokenizer, "EXCL_QUEST_LOWERCASE_CONTINUES", True)
    assert segment._punkt_decider() is None
    assert len(segment.split_sentences(text)) == 4  # (nupunkt's span_tokenize: the kernel would raise)
    monkeypatch.undo()
    monkeypatch.setattr(kernels, "compiled", Refuses())
    monkeypatch.setattr(kernels, "ACTIVE", True)
    monkeypatch.setattr(nupunkt, "__version__", "0.9.0")
    assert segment._punkt_decider() is None
    assert segment.split_sentences(text) == expected


def test_argument_checks():
    decide = decider()
    with pytest.raises(TypeError):
        K.punkt_spans(None, decide)
    with pytest.raises(TypeError):
        K.punkt_spans(b"He left. Then", decide)
    with pytest.raises(TypeError):
        K.punkt_spans("He left. Then", None)
    with pytest.raises(TypeError):
        K.punkt_spans("He left. Then", 3)  # called only when there is a candidate

    def fails(context):
        raise RuntimeError(context)

    with pytest.raises(RuntimeError, match="left"):
        K.punkt_spans("He left. Then", fails)
    assert K.punkt_spans("no candidate here", 3) == [(0, 17)]
    # the decision's truth value counts, as in nupunkt's `if contains_sentbreak(context)`
    assert K.punkt_spans("He left. Then", lambda context: 1) == [(0, 9), (9, 13)]
    assert K.punkt_spans("He left. Then", lambda context: []) == [(0, 13)]


# ---- furniture: lines of each rule and of none

_FURNITURE_LINES = ["Skip to content", "MENU", "Share this article", "Facebook Twitter Email", "Tweet", "Advertisement",
                    "Story continues below advertisement", "Read more: the full story", "Related Articles",
                    "Sign up for our newsletter", "Follow @reuters for more", "We use cookies to improve your experience",
                    "Photo by Jane Doe", "(AP Photo/Evan Vucci)", "Image copyright Getty Images", "Credit: Reuters",
                    "By John Smith and Jane Doe", "BY JANE DOE | Reuters", "Published 5 June 2020 at 10:30",
                    "© 2020 The Times", "All rights reserved.", "https://t.co/abc", "WASHINGTON —", "LONDON (Reuters) -",
                    "Search", "share", "print", "By the way, he said so.", "Washington said no.", "x x x"]


# ---- furniture_lines <- the line loop of find_furniture and the literal checks of furniture_reason

def ref_lines(text, groups, longest=400):
    """What `furniture_lines` gives, from `str.splitlines`, `str.strip` and `furniture._folded`."""
    from scorer.text import furniture

    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        stripped = raw.strip()
        if stripped and len(stripped) <= longest:
            start = pos + raw.index(stripped)
            folded = furniture._folded(stripped)
            mask = sum(1 << g for g, literals in enumerate(groups) if any(lit in folded for lit in literals))
            out.append((start, start + len(stripped), mask))
        pos += len(raw)
    return out


def test_find_furniture_same_on_polnear_and_fuzz(polnear_texts):
    from scorer.text import furniture

    for text in polnear_texts:
        assert furniture._find_furniture_compiled(text) == furniture._find_furniture_python(text)
    rng = random.Random(8)
    breaks = ["\n", "\r", "\r\n", "\n\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\n\n"]
    pieces = _FURNITURE_LINES + ["Getty Images", "REUTERS/Jo", "ſhutterstock", "cookIE", "İmage", "ımage", "\u212a",
                                 "Privacy settings", " ", "\t", "\u00a0", "\u3000", "\x00", "é", "\ud800", "😀", "x" * 399]
    found = set()
    for _ in range(1500):
        text = "".join(rng.choice(pieces) + (rng.choice(breaks) if rng.random() < 0.5 else " ")
                       for _ in range(rng.randrange(0, 12)))
        fast = furniture._find_furniture_compiled(text)
        assert fast == furniture._find_furniture_python(text), text
        found |= {item.reason for item in fast}
    assert found == {reason for reason, _ in furniture._RULES}  # each rule, with literals found or none


def test_furniture_lines_fold_every_code_point_as_folded_does():
    """Each of the code points below alone between two marks, against `_folded`, for every ASCII letter, digit and
    mark as a literal of its own (checked on every code point once, by hand)."""
    from scorer.text import furniture

    # (and those whose lower case holds an ASCII character or is longer)
    special = [c for c in range(128, 0x110000) if chr(c).lower().isascii() or len(chr(c).lower()) > 1]
    points = sorted(set(range(0x3100)) | set(range(0x3100, 0x110000, 97)) | set(special))
    letters = tuple((c,) for c in "abcdefghijklmnopqrstuvwxyz0123456789")
    marks = tuple((c,) for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ ")
    for groups in (letters, marks):
        text = "\n".join("\x01" + chr(c) + "\x01" for c in points)
        assert K.furniture_lines(text, groups, furniture._FOLD_TO_ASCII, 400) == ref_lines(text, groups)
    words = (("cookie",), ("photo", "reuters/", "credit"))
    text = "\n".join(f"co{chr(c)}kie pho{chr(c)}o Reuters{chr(c)}" for c in points[::3])
    assert K.furniture_lines(text, words, furniture._FOLD_TO_ASCII, 400) == ref_lines(text, words)


def test_furniture_lines_arguments():
    from scorer.text import furniture

    groups, folds = furniture._LITERAL_GROUPS, furniture._FOLD_TO_ASCII
    assert K.furniture_lines("", groups, folds, 400) == []
    assert K.furniture_lines("a\n" + "b" * 401 + "\n  c  ", groups, folds, 400) == [(0, 1, 0), (406, 407, 0)]
    assert K.furniture_lines("Photo", groups, folds, 0) == []
    for bad_groups in ((("Cookie",),), (("",),), (("café",),), ((3,),), tuple(("x",) for _ in range(65))):
        with pytest.raises(ValueError):
            K.furniture_lines("x", bad_groups, folds, 400)
    with pytest.raises(ValueError):
        K.furniture_lines("x", groups, (("ab", "c"),), 400)
    with pytest.raises(ValueError):
        K.furniture_lines("x", groups, folds, -1)
    with pytest.raises(TypeError):
        K.furniture_lines(None, groups, folds, 400)
    with pytest.raises(TypeError):
        K.furniture_lines("x", list(groups), folds, 400)
