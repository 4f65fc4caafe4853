"""`lexicon.LazyPattern`: compiled on first use, then it finds exactly what the compiled pattern finds; the sources'
rarely needed outlet patterns are not compiled by importing the module."""
import re
import subprocess
import sys

from scorer.attribution.lexicon import LazyPattern


def test_lazy_pattern_is_the_compiled_pattern():
    text = "A column in The Washington Post, a piece on fox news; an article for the Times."
    cases = ((r"\b(column|piece|article)\s+(in|on|for)\s+(the\s+)?(\w+ ?\w*)", re.IGNORECASE), (r"[A-Z]\w+", 0))
    for pattern, flags in cases:
        lazy, compiled = LazyPattern(pattern, flags), re.compile(pattern, flags)
        assert "search" not in vars(lazy)  # nothing compiled yet
        assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in compiled.finditer(text)]
        assert lazy.search(text, 5).span() == compiled.search(text, 5).span()
        assert lazy.findall(text) == compiled.findall(text) and lazy.sub("x", text) == compiled.sub("x", text)
        assert lazy.flags == compiled.flags and lazy.pattern == compiled.pattern
        assert lazy.groupindex == compiled.groupindex


def test_sources_outlet_patterns_compiled_on_first_use():
    code = ("import scorer.attribution.sources as s\n"
            "print('search' in vars(s._OUTLET_PERSON), 'search' in vars(s._PIECE_IN_OUTLET))\n"
            "print(bool(s._PIECE_IN_OUTLET.search('a column in the New York Times')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.split() == ["False", "False", "True"], out.stdout
