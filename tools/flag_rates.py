"""How often each reader flag fires, and how often the readers' labels agree with it.

    python tools/flag_rates.py --data ../shared/data [--bbc-sample N] [--json out.json] [--show]

Two sets:
  (a) the claim-level dev reading (data/claims/, set "dev": 33 PolNeAR dev and 15 held-back BBC articles);
  (b) ordinary news: the BBC pool (all 250 articles; --bbc-sample N: a seeded sample of N). Readers' labels exist
      for the 70 BBC articles that were read (15 dev, 55 train); agreement on (b) is measured on those of the
      sample that were read, and the 55 train ones were read for training the claim head (in sample: optimistic).

Each article is scored by the scorer as a user would (`scorer.Scorer`). The flags on the model's labels are the
report's `summary.flags`. The readers' version applies the same rules (`scorer.report.summary.summarise`) to the
same sentences with the readers' labels in place of the model's: each scored sentence takes the type and grade of
the read unit it overlaps most (units are nupunkt sentences, the scorer's sentences nearly always the same);
sentences the readers call furniture are left out. The readers gave types and grades only, so the source phrases,
cues and outlets named in both versions are the scorer's own. Precision of a flag = of the articles where it fires
on the model's labels, the share where it also fires on the readers'; recall = the converse.
"""
from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from pathlib import Path

from scorer.labels import LABELS
from scorer.pipeline import Scorer
from scorer.report.summary import summarise
from scorer.training.claims import load_claims, read_tsv

SEED = 20261206

REPO = Path(__file__).resolve().parents[1]


def flag_key(flag: str) -> str:
    """A flag's name without the part in brackets that names a source or outlet."""
    return flag.split(" (", 1)[0]


def reader_rows(rows: list[dict], units: list, labels: dict[int, dict]) -> tuple[list[dict], int | None] | None:
    """The scored rows with the readers' type and grade of the unit each overlaps most (None: no reading);
    rows read as furniture are dropped and the rest re-indexed (corroboration links follow)."""
    out, new_index = [], {}
    for r in rows:
        best, overlap = None, 0
        for k, u in enumerate(units):
            o = min(r["end"], u.end) - max(r["start"], u.start)
            if o > overlap:
                best, overlap = k, o
        lab = labels.get(best) if best is not None else None
        if lab is None or lab["type"] not in LABELS:
            continue
        grade = float(lab["grade"]) if lab["grade"] else 1.5
        new_index[r["index"]] = len(out)
        out.append(dict(r, attribution_type=lab["type"], support=grade / 3, support_grade=round(grade)))
    if not out:
        return None
    for r in out:
        r["index"] = new_index[r["index"]]
        c = r.get("corroborated_by")
        r["corroborated_by"] = new_index.get(c) if c is not None else None
    head = next((r["index"] for r in out if r.get("is_headline")), None)
    return out, head


def article_flags(scorer: Scorer, text: str, units=None, labels=None) -> tuple[set[str], set[str] | None, list[str]]:
    """(flag names on the model's labels, on the readers' labels or None, the model's flags in full)."""
    report = scorer.score(text)
    model = [f for f in report.summary["flags"]]
    readers = None
    if units is not None:
        got = reader_rows(report.sentences_list, units, labels)
        if got is not None:
            rows, head = got
            readers = {flag_key(f) for f in summarise(rows, head)["flags"]}
    return {flag_key(f) for f in model}, readers, model


def tally(results: list[tuple[set[str], set[str] | None]]) -> dict:
    """Per flag: articles, fires on the model's labels, on the readers', both, precision and recall."""
    names = sorted({f for m, r in results for f in m | (r or set())})
    read = [(m, r) for m, r in results if r is not None]
    out = {"n_articles": len(results), "n_read": len(read), "flags": {}}
    for name in names:
        model = sum(name in m for m, _ in results)
        model_read = sum(name in m for m, _ in read)
        readers = sum(name in r for _, r in read)
        both = sum(name in m and name in r for m, r in read)
        out["flags"][name] = {"model": model, "model_on_read": model_read, "readers": readers, "both": both,
                              "precision": round(both / model_read, 3) if model_read else None,
                              "recall": round(both / readers, 3) if readers else None}
    return out


def table(title: str, t: dict) -> list[str]:
    n, nr = t["n_articles"], t["n_read"]
    lines = [f"{title}: {n} articles, {nr} with the readers' labels",
             f"  {'flag':<62} {'model fires':>13} {'readers fire':>13} {'both':>5} {'precision':>9} {'recall':>6}"]
    for name, f in t["flags"].items():
        p = "-" if f["precision"] is None else f"{f['precision']:.2f}"
        r = "-" if f["recall"] is None else f"{f['recall']:.2f}"
        lines.append(f"  {name:<62} {f['model']:>4} ({f['model'] / n:5.1%}) {f['readers']:>4} "
                     f"({(f['readers'] / nr if nr else 0):5.1%}) {f['both']:>5} {p:>9} {r:>6}")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="the shared data directory (../shared/data)")
    ap.add_argument("--bbc-sample", type=int, default=0, help="BBC pool articles to sample (default 0: all 250)")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON here")
    ap.add_argument("--show", action="store_true", help="print each article's flags as the model gives them")
    args = ap.parse_args(argv)
    scorer = Scorer()
    claims = REPO / "data" / "claims"
    arts = {a.article_id: a for a in load_claims(claims, args.data)}
    sets = {r["article_id"]: r["set"] for r in read_tsv(claims / "articles.tsv")}
    figures = {}

    dev = []
    for aid in sorted(a for a in arts if arts[a].set == "dev"):
        a = arts[aid]
        m, r, full = article_flags(scorer, a.text, a.units, a.labels)
        dev.append((m, r))
        if args.show:
            print(aid, full)
    figures["claim_dev"] = tally(dev)

    pool = sorted(p.stem for p in (args.data / "bbc" / "articles").glob("*.txt"))
    sample = pool if args.bbc_sample <= 0 else sorted(random.Random(SEED).sample(pool, min(args.bbc_sample, len(pool))))
    bbc, in_train = [], Counter()
    for name in sample:
        aid = f"bbc/{name}"
        a = arts.get(aid)
        text = (args.data / "bbc" / "articles" / f"{name}.txt").read_text(encoding="utf-8")
        m, r, full = article_flags(scorer, text, a.units if a else None, a.labels if a else None)
        bbc.append((m, r))
        if a is not None:
            in_train[sets.get(aid, "?")] += 1
        if args.show:
            print(aid, full)
    figures["bbc_sample"] = tally(bbc)
    figures["bbc_sample"]["read_by_set"] = dict(in_train)

    print("\n".join(table("(a) claim-level dev reading", figures["claim_dev"])))
    print()
    what = f"a seeded sample (seed {SEED})" if args.bbc_sample > 0 else "all"
    print("\n".join(table(f"(b) BBC pool, {what}", figures["bbc_sample"])))
    print(f"  read articles in the sample by set: {dict(in_train)} (train: read for fitting the claim head)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
