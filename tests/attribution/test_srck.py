"""The sources resolver's fast paths (session 14, srck) give what the patterns and the rule loop they replace give:
`journalist_named` and `outlet_persons` (the article-wide journalist scans tried only where a match can start),
`capitalised_in_running_text` (a look-behind regex by str.find), the anonymity pre-check, `run_in_text` and the rule
dispatch of `SourceResolver.resolve`, on PolNeAR texts and on fuzzed strings."""
from __future__ import annotations

import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.attribution import sources
from scorer.attribution.lexicon import OUTLETS
from scorer.attribution.sources import (_ANONYMITY, _JOURNALIST_NAMED, _OUTLET_PERSON, CONTEXT_RULES, SourceResolver,
                                        capitalised_in_running_text, journalist_named, outlet_persons)

# the journalist pattern as it was written before its words were listed in _JOURNALIST_WORDS (frozen here)
OLD_JOURNALIST = (r"\b(moderator|host|anchor|reporter|columnist|correspondent|interviewer|"
                  r"editor|commentator|pundit|radio host|talk show host)\b")


def spans(matches) -> list:
    return [(m.span(), m.groupdict()) for m in matches]


def in_body(text: str, word: str, pos: int) -> bool:
    """The regex `capitalised_in_running_text` replaced."""
    return re.compile(r"(?<=[\w,] )" + re.escape(word) + r"\b").search(text, pos) is not None


def check(text: str) -> None:
    assert spans(journalist_named(text)) == spans(_JOURNALIST_NAMED.finditer(text)), text
    assert spans(outlet_persons(text)) == spans(_OUTLET_PERSON.finditer(text)), text


# pieces the fuzzed strings are made of: the patterns' words in every case, outlet names, apostrophes and names,
# the characters a case-insensitive pattern folds specially (İ ı ſ K), combining marks, surrogates, quotes, hyphens
PIECES = (["host", "Host", "HOST", "hoſt", "hİst", "edıtor", "Editor", "editorial", "radio host", "Talk Show Host",
           "talk  show host", "moderator,", "Moderator", "anchor", "pundit", "reporter", "ghost", "KNN", "News",
           "Radio", "TV", "Magazine", "Fox News", "Salem Radio", "Long-Hyphen-Word-Run-Of-Capitals", "Time",
           "’s", "'s", "’", "'", "s", " ", " ", "  ", "\n", "\t", ",", ".", "-", "—", "“", "”", '"', "Sean", "Hannity",
           "Jake", "Tapper", "Hugh", "O’Neil", "a", "the", "X", "e\u0301", "\u0301", "\ud800", "Ünal", "日本", "9",
           "_", "anonymously", "condition"]
          + sorted(OUTLETS)[:30] + [o.title() for o in sorted(OUTLETS)[::3]] + [o.upper() for o in sorted(OUTLETS)[:8]])


def fuzzed(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(PIECES) for _ in range(n))


def test_journalist_pattern_unchanged():
    assert sources._JOURNALIST.pattern == OLD_JOURNALIST and sources._JOURNALIST.flags & re.I


def test_scans_on_polnear(polnear_texts):
    found = 0
    for text in polnear_texts:
        check(text)
        found += len(journalist_named(text)) + len(outlet_persons(text))
    assert found > 20  # the corpus has matches of both (it is not a test of empty lists)


def test_scans_fuzzed():
    rng = random.Random(14)
    for _ in range(1500):
        check(fuzzed(rng, rng.randrange(0, 40)))
    check("")
    check("Fox News’ " + "Sean Hannity " * 2000)
    check("x" * 100 + "-" * 50 + "Big-" * 500 + "News’s Jake Tapper said")
    long_word = "Conservative" + "-Talk" * 20 + " Radio’s Hugh Hewitt asked"  # a prefix longer than _PREFIX_REACH
    check(long_word)
    check("said " + long_word)
    assert outlet_persons(long_word)[0].start() == 0


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_scans_hypothesis(text):
    check(text)


def test_capitalised_in_running_text(polnear_texts):
    rng = random.Random(7)
    for text in polnear_texts[:60]:
        words = set(re.findall(r"[A-Z][A-Za-z0-9'’.&-]*", text))
        for word in sorted(words)[:40]:
            pos = rng.choice([0, text.find("\n"), rng.randrange(len(text) + 1)])
            assert capitalised_in_running_text(text, word, pos) == in_body(text, word, pos), (word, pos)
    for _ in range(3000):
        text = fuzzed(rng, rng.randrange(0, 30))
        word = rng.choice(["Host", "News", "Fox News", "O’Neil", "Sean", "e\u0301", "X", "U.S.", "Long-", "_", "9",
                           text[3:7] or "a"])
        pos = rng.randrange(-2, len(text) + 3)
        assert capitalised_in_running_text(text, word, pos) == in_body(text, word, pos), (text, word, pos)


def test_anonymity_precheck():
    """The pre-check before _ANONYMITY (`_may_ask_anonymity`, now for text with non-ASCII characters too) passes
    every window where the pattern matches, whatever the case and the characters the regex engine folds."""
    for text, expected in (("Officials, who spoke on condition of anonymity, said so.", "asked not to be named"),
                           ("Officials, who spoke on CONDİTION of anonymity, said so.", "asked not to be named"),
                           ("Officials, who spoke ANONYMOUſLY, said so.", "asked not to be named"),
                           ("Officials said so. The minister spoke on the record.", "anonymous head")):
        assert SourceResolver(text).resolve(0, "Officials").method == expected
    rng = random.Random(3)
    for _ in range(400):
        text = fuzzed(rng, rng.randrange(0, 30)) + rng.choice(["", " who asked not to be named", " anonymously"])
        resolver = SourceResolver("Officials" + text)
        got = resolver._anonymity_asked(0, "Officials", None, sources.SourceType("anonymous_intelligence", "x"))
        window = _ANONYMITY.match("Officials" + text, 9, 9 + 160)
        assert (got is not None) == (window is not None), text


def reference_resolve(resolver: SourceResolver, start: int, source_text: str, cue_text: str | None):
    """`SourceResolver.resolve` as the plain loop over CONTEXT_RULES it was (without remembering)."""
    result = sources.classify_phrase(source_text)
    for _, applies_to, rule in sources.CONTEXT_RULES:
        if applies_to is None or result.method == applies_to:
            result = rule(resolver, start, source_text, cue_text, result) or result
    return result


def test_resolve_dispatch_is_the_rule_loop(polnear_texts):
    rng = random.Random(21)
    checked = set()
    for text in polnear_texts[:120]:
        new, ref = SourceResolver(text), SourceResolver(text)
        starts = sorted(rng.sample(range(len(text)), min(30, len(text))))
        for start in starts:
            words = text[start:start + 40].split()[:rng.randrange(1, 4)]
            if not words:
                continue
            phrase, cue = " ".join(words), rng.choice([None, "said", "asked", ":", "pressed"])
            expected = reference_resolve(ref, start, phrase, cue)
            ref.history.append((start, phrase, expected))
            assert new.resolve(start, phrase, cue_text=cue) == expected, (phrase, start)
            checked.add(expected.method)
    assert len(checked) > 10


def test_resolve_follows_a_changed_rule_table(monkeypatch):
    """The dispatch is made from the table in use; a rule that changes the method hands over to the rules for the
    new method that come after it (as the loop did)."""
    calls = []

    def to_pronoun(resolver, start, source_text, cue_text, result):
        calls.append("first")
        return result._replace(method="pronoun")

    def after(resolver, start, source_text, cue_text, result):
        calls.append(result.method)

    table = (("first", "name", to_pronoun), ("earlier pronoun", "pronoun", after), ("any", None, after)) \
        + CONTEXT_RULES[:0]
    monkeypatch.setattr(sources, "CONTEXT_RULES", table)
    assert SourceResolver("Trump said so.").resolve(0, "Trump").method == "pronoun"
    assert calls == ["first", "pronoun", "pronoun"]


def test_run_in_text(polnear_texts):
    rng = random.Random(11)
    for text in polnear_texts[:40]:
        runs = set(sources._RUN.findall(text))
        words = sorted(runs)[:30] + [w.lower() for w in re.findall(r"[A-Z][a-z]+s\b", text)][:30] + ["", "zzq"]
        for word in words:
            if not sources._RUN_DELIMITERS.search(word):
                assert sources.run_in_text(text, word) == (word in runs), word
    for _ in range(3000):
        text = fuzzed(rng, rng.randrange(0, 25))
        runs = set(sources._RUN.findall(text))
        for word in {rng.choice(["host", "s", "News", "’s", "e\u0301", "a", "\ud800"]), *list(runs)[:3]}:
            if not sources._RUN_DELIMITERS.search(word):
                assert sources.run_in_text(text, word) == (word in runs), (text, word)


def test_written_in_lower_many_words():
    """After _RUN_SEARCHES words an article's runs are collected once; the answers stay the same."""
    text = "Words " + " ".join(f"word{k}s" for k in range(100)) + " Mourners mourners."
    resolver = SourceResolver(text)
    for k in range(100):
        assert resolver._written_in_lower(f"word{k}s")
        assert (resolver._runs is not None) == (k >= sources._RUN_SEARCHES)
    assert not resolver._written_in_lower("words")
    assert resolver._written_in_lower("mourners") and not resolver._written_in_lower("protesters")
    assert SourceResolver(text)._written_in_lower("mourners") and not SourceResolver(text)._written_in_lower("word99")


def test_spelled_out_word_checks_follow_their_lists():
    """`_may_ask_anonymity` and `_folds_plainly` spell out _ANONYMITY_WORDS and _FOLD_EXCEPTIONS: each entry counts."""
    for word in sources._ANONYMITY_WORDS:
        assert sources._may_ask_anonymity("x " + word.upper() + " y") and sources._may_ask_anonymity(word + "’")
    for ch in sources._FOLD_EXCEPTIONS:
        assert not sources._folds_plainly("ab" + ch) and sources._may_ask_anonymity("é " + ch)
    assert sources._folds_plainly("aéK“") and not sources._may_ask_anonymity("spoke on the record “here”")
    assert sources._POLL_NEARBY.flags & re.I == 0  # the pre-check `"poll" in text` relies on it


def test_may_hold_is_the_word_pattern():
    rng = random.Random(4)
    for _ in range(3000):
        window = fuzzed(rng, rng.randrange(0, 12))
        word = rng.choice(["host", "spokeswoman", "editor", "s", "o’neil", "u.s.", "a&b", "9", "k"])
        if sources._word_pattern(word).search(window):
            assert sources._may_hold(window, word), (window, word)
    assert sources._may_hold("the Spokeswoman", "spokeswoman") and not sources._may_hold("the spokesman", "spokeswoman")
