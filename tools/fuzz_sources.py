"""Differential fuzz of the sources resolver's rules (review of session 14): `tools/fuzz_vs.py` with articles made of
many named sources, pronouns after names, journalists and outlets named in the article ("host Sean Hannity", "Fox
News’ Sean Hannity", "HANNITY:"), "according to" with anonymity words, polls and shares, role nouns, capitalised
plurals at sentence starts and in lower case elsewhere, non-ASCII names, title-case headlines; 40% of the articles
with the characters case-insensitive patterns fold specially (İ ı ſ K), final and medial sigma, ß, ligatures,
combining marks, surrogates and odd spaces put in, a fifth all lower or upper case.

    python tools/fuzz_sources.py [--vs dc1f77a] [--seeds 1-4] [--batches 8] [--kernels 0,1] [--show SEED:INDEX]

(the options are tools/fuzz_vs.py's; --hostile is ignored)
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fuzz_vs  # (beside this file)

NAMES = ["Sean Hannity", "Chris Wallace", "Hope Hicks", "Jake Tapper", "İlhan Omar", "José Ruiz", "Ωmega Σίσυφος",
         "Dženan Kovač", "ſam ſmith", "\u212aelvin Brown", "Hugh Hewitt", "Mr. Tribe", "Sen. Jeff Merkley", "Ana María",
         "Zoë O’Neil", "Li Wei", "Δημήτρης Παπαδόπουλος", "Ivan Petrov", "Straße Meyer", "ǅemal Bey", "Ǆ Ǳ"]
OUTLETS = ["Fox News", "CNN", "Salem Radio", "The New York Times", "Yahoo News", "Xyz-Abc News", "BBC", "fox news",
           "FOX NEWS", "Reuters", "the Washington Post"]
ANON = ["officials", "sources familiar with the matter", "a senior official who spoke on the condition of anonymity",
        "an aide who asked not to be named", "a person who requested not to be identified", "a diplomat, speaking anonymously",
        "an official who spoke on condİtion of anonymity", "an aide who asked not to be naMed", "ANONYMOUSLY",
        "people who spoke anonymouſly", "a source on the CONDITION of anonymity", "an aide who asked not to be ıdentified",
        "officials who declined to be named", "intelligence officials"]
ROLES = ["spokeswoman", "spokesman", "SPOKESWOMAN", "ſpokeswoman", "spokesperson", "aide", "official", "survey", "poll",
         "governor", "senator", "\u212aeeper", "director", "director’s", "chairman"]
PLURALS = ["Mourners", "Protesters", "Voters", "Sasas", "Officials", "Critics", "Residents", "Analysts", "Ωmegas",
           "Protesters’", "Voters.", "Activists"]
JOURN = ["host", "Host", "HOST", "moderator", "Moderator", "anchor", "reporter", "columnist", "radio host",
         "talk show host", "talK show host", "ModeratOR", "correspondent", "İnterviewer", "editor", "pundit"]
CUES = ["said", "says", "told reporters", "asked", "pressed", "added", "noted", "wrote", "argued", "questioned",
        "followed up", "insisted", "chanted"]
PRON = ["He", "She", "They", "It", "I", "His", "he", "She’s", "We"]
QUOTES = [("“", "”"), ('"', '"'), ("'", "'"), ("‘", "’"), ("«", "»"), ("", "")]
ODD = ["İ", "ı", "ſ", "\u212a", "ς", "σ", "ß", "ẞ", "ﬀ", "\u0301", "\ud800", "\u00a0", "\u2028", "\n", "’", "'", "٣"]

def claim(rng):
    return rng.choice(["the plan failed", "taxes will rise", "the deal is dead", "52 percent back the bill",
                       "a majority of voters agree", "the vote was rigged", "mourners gathered", "protesters chanted",
                       "voters said no", "sasas are here", "the spokeswoman left", "a Monmouth poll found 40 percent"])

def sentence(rng, names):
    q0, q1 = rng.choice(QUOTES)
    n = rng.choice(names)
    c = rng.choice(CUES)
    forms = [
        lambda: f"{n} {c} {claim(rng)}.",
        lambda: f"{q0}{claim(rng).capitalize()},{q1} {n} {c}.",
        lambda: f"{rng.choice(PRON)} {c} {claim(rng)}.",
        lambda: f"According to {rng.choice(ANON)}, {claim(rng)}.",
        lambda: f"{rng.choice(ANON).capitalize()} {c} {claim(rng)}.",
        lambda: f"{rng.choice(JOURN)} {n} {c} whether {claim(rng)}?",
        lambda: f"{rng.choice(OUTLETS)}’s {n} {c} {claim(rng)}.",
        lambda: f"{rng.choice(OUTLETS)}'s {n} {c}: {q0}Why?{q1}",
        lambda: f"{n.split()[-1]} {rng.choice(['pressed', 'asked', 'said'])} {claim(rng)}.",
        lambda: f"{n.split()[-1].upper()}: {claim(rng).capitalize()}{rng.choice(['?', '.'])}",
        lambda: f"The {rng.choice(ROLES)} {c} {claim(rng)}.",
        lambda: f"{n}, a campaign {rng.choice(ROLES)}, {c} {claim(rng)}.",
        lambda: f"Campaign {rng.choice(ROLES)} {n} {c} {claim(rng)}.",
        lambda: f"{rng.choice(PLURALS)} {c} {claim(rng)}.",
        lambda: f"Some {rng.choice(PLURALS).lower()} {c} {claim(rng)}.",
        lambda: f"{rng.randint(1, 99)} percent of voters {c} {claim(rng)}, a {rng.choice(['Monmouth', 'CNN/ORC', 'Gallup'])} {rng.choice(['poll', 'survey', 'Poll'])} found.",
        lambda: f"A {rng.choice(['Quinnipiac University', 'new', 'Fox News'])} {rng.choice(['poll', 'survey'])} {c} {claim(rng)}.",
        lambda: f"The {rng.choice(['poll', 'survey', 'study'])} {c} {claim(rng)}.",
        lambda: f"In a column on {rng.choice(OUTLETS)}, {n} {c} {claim(rng)}.",
        lambda: f"{n} {c} {q0}{claim(rng)}{q1} and {rng.choice(['he', 'she', 'they'])} {c} more.",
        lambda: f"Others, including {n}, {c} {claim(rng)}.",
    ]
    return rng.choice(forms)()

def art(rng):
    names = rng.sample(NAMES, rng.randint(1, 6))
    parts = []
    if rng.random() < 0.5:
        parts.append(rng.choice(["Angry Voters Come Out Against The Plan", "Conservative Heavyweights Come Out Against Trump",
                                 "Mourners Gather After Storm", "Sasas Say No To Deal", "Officials Warn Of Delay",
                                 "Protesters Chanted Outside"]) + "\n")
    for _ in range(rng.choice([3, 10, 30, 80])):
        parts.append(sentence(rng, names) + rng.choice([" ", " ", "\n", "\n\n", " "]))
    text = "".join(parts)
    if rng.random() < 0.4:
        chars = list(text)
        for _ in range(rng.randint(1, 40)):
            at = rng.randrange(len(chars) + 1)
            chars.insert(at, rng.choice(ODD)) if rng.random() < 0.7 or at == len(chars) else chars.__setitem__(at, rng.choice(ODD))
        text = "".join(chars)
    if rng.random() < 0.2:
        text = text.lower() if rng.random() < 0.5 else text.upper()
    return text


def batches(seed: int, n: int, hostile: str | None = None) -> list[list[str]]:
    rng = random.Random(seed)
    return [[art(rng) for _ in range(rng.choice([1, 2, 5, 9]))] for _ in range(n)]


if __name__ == "__main__":
    fuzz_vs.batches = batches  # (fuzz_vs.main makes its batches by this name)
    sys.exit(fuzz_vs.main())
