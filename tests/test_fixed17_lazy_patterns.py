"""fixed17 (session 17): patterns that a batch worker's scoring does not use with the kernels on (training's, or the
pure-Python twins') are `LazyPattern`s, compiled on first use instead of by every worker's import of the pipeline;
they find what the compiled pattern finds."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from scorer.attribution import lexicon, sources, spans
from scorer.attribution.lexicon import LazyPattern
from scorer.model import cues

LAZY = {"lexicon.NO_COMMENT_RE": (lexicon.NO_COMMENT_RE, re.I), "cues.MODAL_RE": (cues.MODAL_RE, re.I),
        "cues.ANON_PHRASE_RE": (cues.ANON_PHRASE_RE, re.I), "cues._CLOSE_THEN": (cues._CLOSE_THEN, 0),
        "sources._TURN": (sources._TURN, re.M), "spans._DASH_SPEAKER": (spans._DASH_SPEAKER, 0),
        "spans._COLON_SPEAKER": (spans._COLON_SPEAKER, 0)}
TEXTS = ["WALLACE: Did you? “PENCE: I did not respond,” he said — Mike Pence said. Officials said it "
         "should close; the aide, who asked not to be named, declined to comment.\nTRUMP: We have to win!\" — Fox",
         "", "Jake Tapper: no comment. “Sure,” Smith said, ‘Anyway’ – @CNN"]


def test_the_patterns_are_not_compiled_by_importing_the_pipeline():
    names = ", ".join(f"{name}" for name in LAZY)
    code = ("import scorer.pipeline, scorer.attribution.lexicon as lexicon, scorer.model.cues as cues, "
            "scorer.attribution.sources as sources, scorer.attribution.spans as spans\n"
            f"print(all('search' not in vars(p) and 'finditer' not in vars(p) for p in ({names},)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "True", done.stderr


@pytest.mark.parametrize("name", sorted(LAZY))
def test_a_lazy_pattern_finds_what_the_pattern_finds(name):
    lazy, flags = LAZY[name]
    assert isinstance(lazy, LazyPattern)
    compiled = re.compile(lazy.pattern, flags)
    assert lazy.flags == compiled.flags
    for text in TEXTS:
        assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in compiled.finditer(text)]
        assert bool(lazy.search(text)) == bool(compiled.search(text))
        assert [m.span() if m else None for m in (lazy.match(text), lazy.search(text))] == \
               [m.span() if m else None for m in (compiled.match(text), compiled.search(text))]
