"""The article summary: type shares, merged sources, weakest claims, overall score and reader flags."""
from __future__ import annotations

import re
from functools import lru_cache

from ..attribution.lexicon import outlet_pattern
from ..labels import LABELS
from ..model.support import GRADE_CUTS, content_words, hedge_words

_OUTLET = outlet_pattern()
_TITLES = re.compile(r"^(the|a|an|mr|mrs|ms|dr|sen|rep|gov|president|secretary|former)\.?\s+", re.I)
SCORE_EXPLANATION = ("mean support of the article's sentences x 100; the headline and the first two body "
                     "sentences count double, since readers take the main claim from them")


def source_key(name: str) -> str:
    """Merge key for a source phrase: lower case, without articles, titles and possessive endings (the keys of
    phrases up to 200 characters are kept: the same names come back, article after article)."""
    return _source_key(name) if len(name) <= 200 else _source_key.__wrapped__(name)


@lru_cache(maxsize=4096)
def _source_key(name: str) -> str:
    key = name.strip().lower()
    if key.endswith(("’s", "'s")):  # a possessive ending (nothing after it: the name is stripped)
        key = key[:-2]
    while match := _TITLES.match(key):  # one article or title after another ("the former president")
        key = key[match.end():]
    return key


def merge_sources(rows: list[dict]) -> list[dict]:
    """Sources cited, merged: pronouns/role nouns count for what they refer to; a surname joins its full name."""
    groups: dict[str, dict] = {}
    for row in rows:
        name = row.get("source")
        if not name:
            continue
        label = row["attribution_type"]
        if label == "editorial_opinion":
            continue
        key = _source_key(name) if len(name) <= 200 else _source_key.__wrapped__(name)  # (`source_key`)
        entry = groups.get(key)
        if entry is None:  # (its first name: no longer one yet)
            groups[key] = {"name": name, "type": label, "count": 1, "sentences": [row["index"]], "_types": {label: 1}}
            continue
        entry["count"] += 1
        entry["sentences"].append(row["index"])
        types = entry["_types"]
        types[label] = types.get(label, 0) + 1
        if len(name) > len(entry["name"]) and not name[:1].islower():
            entry["name"] = name
    if len(groups) < 2:  # (no other key to join)
        return [_closed(entry) for entry in groups.values()]
    # a key that starts or ends a longer key joins it: "trump" -> "donald trump",
    # "us intelligence" -> "us intelligence agencies"
    # (indexed by their leading and trailing words, so the cost grows with the sources, not their square)
    # (only the lengths of keys: the index is looked up with whole keys)
    split = {k: tuple(k.split()) for k in groups}
    # a key ends another only when their last words are the same, and starts it only when their first words are
    # (both of two words or more): none of either, nothing joins
    lasts = [kw[-1] for kw in split.values() if kw]
    firsts = [kw[0] for kw in split.values() if len(kw) > 1]
    if len(set(lasts)) == len(lasts) and len(set(firsts)) == len(firsts):
        return sorted(map(_closed, groups.values()), key=lambda e: (-e["count"], e["sentences"][0]))
    # so only the keys whose last word another key shares, or (of two words or more) whose first word another such key
    # shares, can join or be joined: the index and the joins are theirs (the others find and are found by nothing)
    shared_lasts, shared_firsts = _repeated(lasts), _repeated(firsts)
    joinable = {k: kw for k, kw in split.items()
                if kw and (kw[-1] in shared_lasts or (len(kw) > 1 and kw[0] in shared_firsts))}
    ends: dict[tuple, list[str]] = {}
    lengths = sorted({len(kw) for kw in joinable.values()})
    for k, kw in joinable.items():
        for n in lengths:
            if n >= len(kw):
                break
            if n < 1:
                continue
            ends.setdefault(("tail",) + kw[-n:], []).append(k)
            if n > 1:
                ends.setdefault(("head",) + kw[:n], []).append(k)
    for key in sorted(joinable, key=len):  # (in the order of `groups`, shortest first)
        if key not in groups:
            continue
        words = split[key]
        candidates = ends.get(("tail",) + words, []) + (ends.get(("head",) + words, []) if len(words) > 1 else [])
        longer = [k for k in dict.fromkeys(candidates) if k in groups and k != key]
        if len(longer) == 1:
            target, entry = groups[longer[0]], groups.pop(key)
            target["count"] += entry["count"]
            target["sentences"] = sorted(target["sentences"] + entry["sentences"])
            for t, n in entry["_types"].items():
                target["_types"][t] = target["_types"].get(t, 0) + n
    return sorted(map(_closed, groups.values()), key=lambda e: (-e["count"], e["sentences"][0]))


def _repeated(words: list[str]) -> set[str]:
    """The words that are in `words` more than once."""
    seen, repeated = set(), set()
    for word in words:
        (repeated if word in seen else seen).add(word)
    return repeated


def _closed(entry: dict) -> dict:
    """A merged source as reported: its type the one it was cited as most (the first of those)."""
    types = entry.pop("_types")
    entry["type"] = next(iter(types)) if len(types) == 1 else max(types, key=types.__getitem__)
    return entry


def summarise(rows: list[dict], headline_index: int | None, overlap: list[int] | None = None) -> dict:
    """The `summary` block of the report from the sentence rows (`overlap`: the number of content words each shares
    with the headline, when already counted: `model.support.corroboration_and_overlap`)."""
    n = len(rows)
    shares = {label: 0.0 for label in LABELS}
    share = 1.0 / n
    for label in [row["attribution_type"] for row in rows]:
        shares[label] += share
    first_body = 0 if headline_index is None else headline_index + 1  # (the lede: `_is_lede`)
    indices = [row["index"] for row in rows]
    supports = [row["support"] for row in rows]
    weights = [2.0 if (i == headline_index or first_body <= i < first_body + 2) else 1.0 for i in indices]
    score = 100.0 * sum([w * s for w, s in zip(weights, supports)]) / sum(weights)
    sources = merge_sources(rows)
    # (the rows' keys (support, index) sorted as the rows by that key: the same comparisons, the same order)
    weakest = [i for _, i in sorted(zip(supports, indices))[:3]]
    return {
        "support_score": round(score, 1),
        "support_score_explanation": SCORE_EXPLANATION,
        "type_shares": {k: round(v, 4) for k, v in shares.items()},
        "sources": sources,
        "flags": flags(rows, headline_index, sources, shares, overlap),
        "weakest": weakest,
    }


def _is_lede(index: int, headline_index: int | None) -> bool:
    first_body = 0 if headline_index is None else headline_index + 1
    return first_body <= index < first_body + 2


# The flags' thresholds (docs/flags.md states each rule and its measured firing rate and reader agreement)
OPINION_PIECE_SHARE = 0.5     # an opinion piece: at least this share of the body is the writer's own judgement ...
FIRST_PERSON_SENTENCES = 3    # ... or the writer speaks as "I" in this many unattributed body sentences ...
MIXED_OPINION_SENTENCES = 3   # opinion mixed into news: at least this many opinion sentences in the body ...
MIXED_OPINION_SHARE = 0.15    # ... making at least this share of it
CARRY_SHARED_WORDS = 2        # a body sentence carries the headline's claim when it shares this many content words
_SECOND_CUT = GRADE_CUTS[1]   # (the support of grade 2 and up: `_weak`)
_RELAY_CUE = re.compile(r"(report|according|quot|said|say|writ|wrote|publish|reveal|learn|obtain|cit|claim|broke|"
                        r"air|broadcast|told|tell)")
OPINION_PIECE_FLAG = "opinion piece (column, letter or op-ed): the writer's own view, not a news report"
# a word of the writer's first person: "I", "I'm", "I’m", "I've", "I’ve", "I'd", "I’d", "my", "me" or "myself"
# between word boundaries (the word boundary before it as a look-behind after its first letter: the search then skips
# to the next "I" or "m" instead of trying the pattern at every character; only whether it is found is read)
_FIRST_PERSON = re.compile(r"(?:I(?<!\wI)(?:'m|’m|'ve|’ve|'d|’d)?|m(?<!\wm)(?:yself|y|e))\b")
_QUOTE_MARK = re.compile(r"[“”\"]|''")
# a contributor's closing line, naming a job outside the newsroom: "Jane Doe, a former adviser, is a senior fellow at
# ...", "... is the author of ..." (a staff line such as "... is a columnist for Breitbart News" does not count:
# news reports carry those too)
_BIO_LINE = re.compile(r"^(?!(?:The|A|An|Its|His|Her|Their|Mr|Mrs|Ms|Dr|Sir)\b)[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*){1,3}"
                       r"(?:,\s.{0,200}?,)?\s+(?:is|was|has been)\s+(?:a|an|the)?\s*"
                       r"(?:(?i:senior|visiting|associate|assistant|adjunct|executive|managing|founding|distinguished|"
                       r"research|retired|emeritus|co-)[\w-]*\s+|[A-Z][\w&-]*\s+){0,4}"
                       r"(?i:professor|fellow|lecturer|researcher|scientist|economist|director|founder|president|"
                       r"chairman|chairwoman|chair|author|playwright|[\w-]+-in-residence|attorney|lawyer|former)\b")


def _lede(rows: list[dict], headline_index: int | None) -> list[dict]:
    first_body = 0 if headline_index is None else headline_index + 1  # (`_is_lede`)
    return [r for r in rows if first_body <= r["index"] < first_body + 2 and r["index"] != headline_index]


def is_opinion_piece(rows: list[dict], headline_index: int | None) -> bool:
    """A column, letter or op-ed: at least half the body sentences are the writer's own judgement, or the writer
    speaks as "I" in three or more sentences of the writer's or the outlet's own without quotation marks, or the
    piece ends with a contributor's line ("Jane Doe is a senior fellow at ...")."""
    body = [r for r in rows if r["index"] != headline_index]
    return _opinion_piece(body, sum(r["attribution_type"] == "editorial_opinion" for r in body))


def _opinion_piece(body: list[dict], n_opinion: int) -> bool:
    """`is_opinion_piece` of the body rows, `n_opinion` of them the writer's own judgement."""
    if not body:
        return False
    if n_opinion / len(body) >= OPINION_PIECE_SHARE:
        return True
    # the writer's voice: "I" in a sentence typed as the writer's or the outlet's own, with no quotation mark in it
    # (quoted speakers say "I" too, and the middle of a long quotation is often typed as narration)
    own = [r["text"] for r in body if r["attribution_type"] in ("editorial_opinion", "outlet_claim")]
    # (the matches of them all, joined by a line break: no match holds one, and the look-behind and the word boundary
    # see a line break as they see a text's either end, so a sentence has a match alone exactly when one falls in its
    # stretch of the joined text; only those sentences are then read for quotation marks. The search goes on after
    # the sentence of each match, walking the sentences' ends: no list of offsets, one match per sentence at most)
    if own:
        joined, search = "\n".join(own), _FIRST_PERSON.search
        speaking, k, end = 0, 0, len(own[0])  # (own[k] ends at joined[end], a line break or the end)
        match = search(joined)
        while match is not None:
            while match.start() >= end:  # (the sentence the match starts in)
                k += 1
                end += len(own[k]) + 1
            if not _QUOTE_MARK.search(own[k]):
                speaking += 1
                if speaking >= FIRST_PERSON_SENTENCES:
                    return True
            match = search(joined, end + 1)
    return any(_BIO_LINE.match(r["text"]) for r in body[-2:])


def _carriers(rows: list[dict], headline_index: int, overlap: list[int] | None = None) -> list[dict]:
    """The body sentences that carry the headline's claim: those sharing CARRY_SHARED_WORDS content words with it
    (`overlap`: the number each shares, when counted)."""
    if overlap is not None:
        return [r for r in rows if r["index"] != headline_index and overlap[r["index"]] >= CARRY_SHARED_WORDS]
    head = content_words(rows[headline_index]["text"])
    return [r for r in rows if r["index"] != headline_index
            and len(head & content_words(r["text"])) >= CARRY_SHARED_WORDS]


def _weak(row: dict) -> bool:
    """Weakly or not supported: support in the band of grade 0-1, or resting on an anonymous source."""
    # (grade_of(support) <= 1: the support is not at or above the second cut point; NaN is grade 0)
    return not row["support"] >= _SECOND_CUT or row["attribution_type"] == "anonymous_intelligence"


def outlet_named(phrase: str | None) -> str | None:
    """The news outlet a source phrase names, as written, or None: a name of the outlet lexicon written as a name
    (its words capitalised, "the" aside) and not the end of a person's name ("Liam Fox")."""
    if not phrase:
        return None
    for m in _OUTLET.finditer(phrase):
        words = [w for w in m.group().split() if w.lower() not in ("the", "of")]
        before = phrase[:m.start()].split()
        if all(w[:1].isupper() for w in words) and not (before and before[-1][:1].isupper()
                                                        and before[-1].lower() not in ("the", "a", "an")):
            return m.group()
    return None


def flags(rows: list[dict], headline_index: int | None, sources: list[dict], shares: dict,
          overlap: list[int] | None = None) -> list[str]:
    """Reader warnings, each a short sentence; each rule is stated in docs/flags.md (`overlap`: as `summarise`)."""
    out = []
    # the body (every row but the headline's) in one pass: how many of each type, and whether the lede (`_lede`)
    # rests on an anonymous source
    body = []
    first_body = 0 if headline_index is None else headline_index + 1
    n_named = n_anonymous = n_opinion = 0
    anonymous_lede = False
    conduits = []  # the rows with an outlet as conduit (`via`), for the relay flag below
    for r in rows:
        if r.get("via"):
            conduits.append(r)
        index = r["index"]
        if index == headline_index:
            continue
        body.append(r)
        label = r["attribution_type"]
        if label == "anonymous_intelligence":
            n_anonymous += 1
            anonymous_lede = anonymous_lede or first_body <= index < first_body + 2
        elif label == "named_source":
            n_named += 1
        elif label == "editorial_opinion":
            n_opinion += 1
    if n_anonymous >= 2 and (anonymous_lede or n_anonymous / (n_named + n_anonymous) >= 0.5):
        out.append("main claim rests on anonymous sources")
    opinion_piece = _opinion_piece(body, n_opinion)
    if opinion_piece:
        out.append(OPINION_PIECE_FLAG)
    else:
        if body and n_opinion >= MIXED_OPINION_SENTENCES and n_opinion / len(body) >= MIXED_OPINION_SHARE:
            out.append("opinion mixed into a news story")
    if headline_index is not None:
        head = rows[headline_index]
        carriers = _carriers(rows, headline_index, overlap)
        weak = sum(_weak(r) for r in carriers)
        head_hedged = bool(hedge_words(head["text"], 1))
        if (not head_hedged and head["attribution_type"] == "outlet_claim" and len(carriers) >= 2
                and weak >= len(carriers) / 2):
            out.append("headline more certain than the body (the headline states it as fact; most body sentences "
                       "that carry it are weakly supported)")
        elif head_hedged and len(carriers) >= 2 and weak == 0 and not any(hedge_words(r["text"], 1) for r in carriers):
            out.append("headline less certain than the body (the headline hedges; the body sentences that carry it "
                       "do not and are well supported)")
    named = [s for s in sources if s["type"] in ("named_source", "anonymous_intelligence")]
    if len(named) == 1 and named[0]["count"] >= 3:
        out.append(f"single-source story ({named[0]['name']})")
    # another outlet's report (as the source, or as the conduit: "officials told CNN") that no named source in the
    # article backs up; only a source phrase naming an outlet of the lexicon counts, and the flag names that outlet
    by_index = None
    relayed: dict[str, list[int]] = {}
    for entry in (s for s in sources if s["type"] == "outlet_claim"):
        outlet = outlet_named(entry["name"])
        if by_index is None:
            by_index = {r["index"]: r for r in rows}
        # the outlet reporting ("Reuters reported", "according to CNN"), not a party to the news ("the BBC denied")
        reported = [i for i in entry["sentences"] if _RELAY_CUE.match((by_index[i].get("cue") or "").lower())]
        if outlet and reported:
            relayed.setdefault(outlet, []).extend(reported)
    for r in conduits:  # a conduit counts for a claim resting on no named source ("officials told CNN")
        outlet = outlet_named(r["via"]) if r["attribution_type"] != "named_source" else None
        if outlet:
            relayed.setdefault(outlet, []).append(r["index"])
    if relayed and by_index is None:
        by_index = {r["index"]: r for r in rows}
    for outlet, indices in relayed.items():
        backed = any(by_index[i]["corroborated_by"] is not None
                     and by_index[by_index[i]["corroborated_by"]]["attribution_type"] == "named_source"
                     for i in indices)
        if not backed:
            out.append(f"another outlet's report relayed without independent confirmation ({outlet})")
            break
    return out
