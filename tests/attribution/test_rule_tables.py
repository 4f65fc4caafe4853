"""The source rules as ordered tables: `sources.PHRASE_RULES` (a phrase's type), `sources.CONTEXT_RULES` (its type in
the article) and `training.corpus.LABEL_RULES` (a PolNeAR sentence's label). Each rule has its own name, and each is
reached: a rule that an earlier one always pre-empts would be dead. No context rule gives a method that a later one
applies to, which keeps the rules for one method exclusive, as CONTEXT_RULES documents."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from scorer.attribution import sources
from scorer.attribution.sources import CONTEXT_RULES, PHRASE_RULES, SourceResolver, classify_phrase, phrase_rule
from scorer.training.corpus import LABEL_RULES


@pytest.mark.parametrize("table", [PHRASE_RULES, CONTEXT_RULES, LABEL_RULES])
def test_rule_names_are_unique(table):
    names = [rule[0] for rule in table]
    assert len(set(names)) == len(names)


def test_classify_phrase_is_the_first_rule_that_applies():
    assert phrase_rule("“”") == ("empty", classify_phrase("“”"))
    assert phrase_rule("a Washington Post report")[0] == "outlet's report"
    assert phrase_rule("a report in the Washington Post")[0] == "report in an outlet"
    assert phrase_rule("the spokeswoman")[0] == "definite role noun"
    assert phrase_rule("his campaign")[0] == "possessed role noun"


@pytest.fixture(scope="module")
def reached(corpus_frame, shared_data):
    """(phrase rules, context rules that changed a type) reached by the PolNeAR train and dev articles' human-marked
    sources, resolved in text order; and every (method before, method after) of a context rule that changed it."""
    pol = corpus_frame[(corpus_frame["corpus"] == "polnear") & corpus_frame["source_start"].notna()
                       & corpus_frame["source_text"].notna()]
    phrase_rules, context_rules, changes = Counter(), Counter(), []

    def counted(name, rule):
        def run(resolver, start, source_text, cue_text, result):
            new = rule(resolver, start, source_text, cue_text, result)
            if new is not None:
                context_rules[name] += 1
                changes.append((name, result.method, new.method))
            return new
        return run

    base = Path(shared_data) / "polnear" / "data"
    original = sources.CONTEXT_RULES
    sources.CONTEXT_RULES = tuple((name, method, counted(name, rule)) for name, method, rule in original)
    try:
        for (split, doc), rows in pol.groupby(["split", "doc_id"]):
            resolver = SourceResolver((base / split / "text" / f"{doc}.txt").read_text(encoding="utf-8"))
            marked = {(int(r.source_start), r.source_text, r.cue_text if isinstance(r.cue_text, str) else None)
                      for r in rows.itertuples()}
            for start, source_text, cue_text in sorted(marked, key=lambda m: (m[0], m[1], m[2] or "")):
                phrase_rules[phrase_rule(source_text)[0]] += 1
                resolver.resolve(start, source_text, cue_text=cue_text)
    finally:
        sources.CONTEXT_RULES = original
    return phrase_rules, context_rules, changes


def test_every_rule_is_reached_by_polnear_sources(reached):
    phrase_rules, context_rules, _ = reached
    assert [name for name, _, _ in PHRASE_RULES if name != "empty" and not phrase_rules[name]] == []
    assert [name for name, _, _ in CONTEXT_RULES if not context_rules[name]] == []


def test_no_context_rule_gives_a_method_a_later_rule_applies_to(reached):
    later = {name: {method for _, method, _ in CONTEXT_RULES[k + 1:]} for k, (name, _, _) in enumerate(CONTEXT_RULES)}
    assert [change for change in reached[2] if change[2] in later[change[0]]] == []


def test_every_label_rule_labels_some_polnear_sentence(corpus_frame):
    methods = set(corpus_frame["label_method"].dropna())
    prefixes = {"declined to comment": "polnear: declined to comment", "act, not a claim": "polnear: an act",
                "no source span": "polnear: no source span", "piece in another outlet": "polnear: name, piece",
                "source type": "polnear: name"}
    assert [name for name, _, _ in LABEL_RULES if not any(m.startswith(prefixes[name]) for m in methods)] == []
