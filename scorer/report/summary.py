"""The article summary: type shares, merged sources, weakest claims, overall score and reader flags."""
from __future__ import annotations

import re

from ..attribution.lexicon import FLAG_HEDGES, words_pattern
from ..labels import LABELS

_TITLES = re.compile(r"^(the|a|an|mr|mrs|ms|dr|sen|rep|gov|president|secretary|former)\.?\s+", re.I)
_HEDGE_WORDS = words_pattern(FLAG_HEDGES)
SCORE_EXPLANATION = ("mean support of the article's sentences x 100; the headline and the first two body "
                     "sentences count double, since readers take the main claim from them")


def source_key(name: str) -> str:
    """Merge key for a source phrase: lower case, without articles, titles and possessive endings."""
    key = re.sub(r"[’']s$", "", name.strip().lower())
    while True:
        stripped = _TITLES.sub("", key)
        if stripped == key:
            return key
        key = stripped


def merge_sources(rows: list[dict]) -> list[dict]:
    """Sources cited, merged: pronouns/role nouns count for what they refer to; a surname joins its full name."""
    groups: dict[str, dict] = {}
    for row in rows:
        name = row.get("source")
        if not name or row["attribution_type"] == "editorial_opinion":
            continue
        key = source_key(name)
        entry = groups.setdefault(key, {"name": name, "type": row["attribution_type"], "count": 0, "sentences": [],
                                        "_types": {}})
        entry["count"] += 1
        entry["sentences"].append(row["index"])
        entry["_types"][row["attribution_type"]] = entry["_types"].get(row["attribution_type"], 0) + 1
        if len(name) > len(entry["name"]) and not name[:1].islower():
            entry["name"] = name
    # a key that starts or ends a longer key joins it: "trump" -> "donald trump",
    # "us intelligence" -> "us intelligence agencies"
    # (indexed by their leading and trailing words, so the cost grows with the sources, not their square)
    ends: dict[tuple, list[str]] = {}
    for k in groups:
        kw = tuple(k.split())
        for n in range(1, len(kw)):
            ends.setdefault(("tail",) + kw[-n:], []).append(k)
            if n > 1:
                ends.setdefault(("head",) + kw[:n], []).append(k)
    for key in sorted(groups, key=len):
        if key not in groups:
            continue
        words = tuple(key.split())
        candidates = ends.get(("tail",) + words, []) + (ends.get(("head",) + words, []) if len(words) > 1 else [])
        longer = [k for k in dict.fromkeys(candidates) if k in groups and k != key]
        if len(longer) == 1:
            target, entry = groups[longer[0]], groups.pop(key)
            target["count"] += entry["count"]
            target["sentences"] = sorted(target["sentences"] + entry["sentences"])
            for t, n in entry["_types"].items():
                target["_types"][t] = target["_types"].get(t, 0) + n
    out = []
    for entry in groups.values():
        entry["type"] = max(entry.pop("_types").items(), key=lambda kv: kv[1])[0]
        out.append(entry)
    return sorted(out, key=lambda e: (-e["count"], e["sentences"][0]))


def summarise(rows: list[dict], headline_index: int | None) -> dict:
    """The `summary` block of the report from the sentence rows."""
    n = len(rows)
    shares = {label: 0.0 for label in LABELS}
    for row in rows:
        shares[row["attribution_type"]] += 1.0 / n
    weights = [2.0 if (row["index"] == headline_index or _is_lede(row["index"], headline_index)) else 1.0
               for row in rows]
    score = 100.0 * sum(w * r["support"] for w, r in zip(weights, rows)) / sum(weights)
    sources = merge_sources(rows)
    weakest = [r["index"] for r in sorted(rows, key=lambda r: (r["support"], r["index"]))[:3]]
    return {
        "support_score": round(score, 1),
        "support_score_explanation": SCORE_EXPLANATION,
        "type_shares": {k: round(v, 4) for k, v in shares.items()},
        "sources": sources,
        "flags": flags(rows, headline_index, sources, shares),
        "weakest": weakest,
    }


def _is_lede(index: int, headline_index: int | None) -> bool:
    first_body = 0 if headline_index is None else headline_index + 1
    return first_body <= index < first_body + 2


def flags(rows: list[dict], headline_index: int | None, sources: list[dict], shares: dict) -> list[str]:
    """Reader warnings, each a short sentence."""
    out = []
    lede = [r for r in rows if _is_lede(r["index"], headline_index)]
    attributed = [r for r in rows if r["attribution_type"] in ("named_source", "anonymous_intelligence")]
    anonymous = [r for r in attributed if r["attribution_type"] == "anonymous_intelligence"]
    if any(r["attribution_type"] == "anonymous_intelligence" for r in lede) or (
            attributed and len(anonymous) / len(attributed) >= 0.5):
        out.append("main claim rests on anonymous sources")
    n_opinion = sum(r["attribution_type"] == "editorial_opinion" for r in rows)
    if n_opinion >= 2 and shares["editorial_opinion"] < 0.6 and (shares["outlet_claim"] + len(attributed) / len(rows)) >= 0.4:
        out.append("opinion mixed into a news story")
    if headline_index is not None:
        head_hedged = bool(_HEDGE_WORDS.search(rows[headline_index]["text"]))
        body_hedged = sum(bool(_HEDGE_WORDS.search(r["text"])) for r in rows if r["index"] != headline_index)
        if not head_hedged and body_hedged >= 2:
            out.append("headline more certain than the body (body hedges, headline does not)")
        elif head_hedged and body_hedged == 0:
            out.append("headline less certain than the body (headline hedges, body does not)")
    named = [s for s in sources if s["type"] in ("named_source", "anonymous_intelligence")]
    if len(named) == 1 and named[0]["count"] >= 3:
        out.append(f"single-source story ({named[0]['name']})")
    # another outlet's report (as the source, or as the conduit: "officials told CNN") that no named
    # source in the article backs up
    by_index = {r["index"]: r for r in rows}
    relayed: dict[str, list[int]] = {}
    for entry in (s for s in sources if s["type"] == "outlet_claim"):
        relayed.setdefault(entry["name"], []).extend(entry["sentences"])
    for r in rows:
        if r.get("via"):
            relayed.setdefault(r["via"], []).append(r["index"])
    for outlet, indices in relayed.items():
        backed = any(by_index[i]["corroborated_by"] is not None
                     and by_index[by_index[i]["corroborated_by"]]["attribution_type"] == "named_source"
                     for i in indices)
        if not backed:
            out.append(f"another outlet's report relayed without independent confirmation ({outlet})")
            break
    return out
