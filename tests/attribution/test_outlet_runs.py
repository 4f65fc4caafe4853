"""outlet_persons (a person introduced by their outlet: "Fox News' Sean Hannity") on long runs of word characters and
hyphens: it tried every start of such a run in turn, each reading the rest of the run, so a hostile article of one
24 KB hyphenated "word" before "News Radio's Jo Smith" cost 1.7 s and grew with the square of its length. The first
start where "[A-Z][\\w-]+ News" can begin now decides for the whole run; matches stay those of `finditer`."""
import random

import scorer.attribution.sources as sources


def _finditer(text):
    return [(m.span(), m.group("name")) for m in sources._OUTLET_PERSON.finditer(text)]


def _fast(text):
    return [(m.span(), m.group("name")) for m in sources.outlet_persons(text)]


def _structured(rng: random.Random) -> str:
    runs = ["Ab", "A", "ab", "Ab-Cd", "AB-", "-Ab", "x-Ab-Cd", "Ab_9", "É-Ab", "Fox", "CNN", "cnn-Ab", "Ab-cnn"]
    words = ["News", "Radio", "TV", "Magazine", "Fox News", "CNN", "fox news", "Newz", ""]
    names = [" Jo Smith", " Sean Hannity", "  Ab Cd", " jo Smith", " Jo smith", " Jo"]
    parts = []
    for _ in range(rng.randint(1, 4)):
        run = "".join(rng.choice(runs) + rng.choice(["-", ""]) for _ in range(rng.randint(0, 40)))
        parts.append(rng.choice([" ", ". ", "-", "", "  ", ", "]) + run + rng.choice([" ", ""]) + rng.choice(words)
                     + rng.choice(["'s", "’s", "'", "’"]) + rng.choice(names))
    return "".join(parts)


def test_matches_are_finditers_on_runs_and_outlets():
    rng = random.Random(16)
    found = 0
    for _ in range(1000):
        text = _structured(rng)
        expected = _finditer(text)
        assert _fast(text) == expected, text
        found += bool(expected)
    assert found > 300  # the generator does reach matches, near and far from the apostrophe


def test_long_hyphenated_run_costs_a_few_match_attempts(monkeypatch):
    calls = []
    real = sources._OUTLET_PERSON

    class Counting:
        def match(self, text, pos=0):
            calls.append(pos)
            return real.match(text, pos)

    monkeypatch.setattr(sources, "_OUTLET_PERSON", Counting())
    for tail, expected in (("Ab Daily's Jo Smith said.", []),  # the run's first start fails: all fail
                           ("Ab Radio's Jo Smith said.", "run")):   # the run's first start matches
        calls.clear()
        text = "He said. " + "Ab-" * 20_000 + tail
        got = [m.group("name") for m in sources.outlet_persons(text)]
        # one attempt for the 60,000-character run, then the starts within reach of the apostrophe
        assert len(calls) <= sources._PREFIX_REACH + 3, len(calls)
        assert got == ([] if expected == [] else ["Jo Smith"])
        assert calls[0] == len("He said. ")


def test_phrase_rule_keeps_no_long_phrase():
    """The resolver's phrase cache keeps short phrases only: a hostile article's megabyte-long source phrases would
    stay in memory after it (4,096 of them)."""
    sources.phrase_rule.cache_clear()
    long = "officials " * 30
    assert len(long) > sources._CACHED_LONGEST
    assert sources.phrase_rule(long) == sources.phrase_rule(long)
    assert sources.phrase_rule.cache_info().currsize == 0
    assert sources.phrase_rule("officials") == sources.phrase_rule("officials")
    assert sources.phrase_rule.cache_info().currsize == 1
