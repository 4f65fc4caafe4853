"""Claim-level reading: deal blind reading sheets, collect readers' answers, settle, measure agreement.

The procedure is ../shared/READING.md; the labels are ../shared/ANNOTATION.md's. Readers are
language-model readers (helper sessions) briefed with the guide and one sheet; they never see a
model's or a rule's label, nor another reader's answers.

    python tools/reading.py deal --data ../shared/data --sheets /tmp/reading/sheets
        choose the articles (seeded), split them into units with a plain sentence splitter run per
        paragraph (nupunkt, not the scorer), write the sheets (article text: NOT in the repository)
        and data/claims/units.tsv + plan.tsv (offsets, text hashes, which sheet each reading reads).
    python tools/reading.py collect --data ../shared/data --answers /tmp/reading/answers
        check every answer file against its sheet, write data/claims/readings.tsv (one row per unit
        per reading) and data/claims/labels.tsv (the standing label per unit), print agreement, and
        write a third-reading sheet for the units two readers disagree on (--third-sheets DIR).

What the repository stores: offsets, a SHA-256 prefix of each unit's text, labels and which reading
gave them; never the article text (tests/test_claim_labels.py checks the hashes against ../shared).
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from scorer.training.claims import article_text as claim_article_text

REPO = Path(__file__).resolve().parents[1]
CLAIMS = REPO / "data" / "claims"
TYPES = ("named_source", "anonymous_intelligence", "outlet_claim", "editorial_opinion", "furniture")
SEED = 20261206
SHEET_UNITS = 330          # units per sheet: about a dozen news articles
MAX_UNITS = 80             # longer articles are not drawn (sheets stay readable, more articles per label)
TRAIN_PER_PUBLISHER = 18   # PolNeAR train: 126 articles, all seven publishers
DEV_PER_PUBLISHER = 3      # PolNeAR dev: 21 articles, read twice
BBC_TRAIN_PER_TOPIC = 11   # 55 BBC articles for training
BBC_DEV_PER_TOPIC = 3      # 15 held back for dev (read twice), split by article
CHECKTHAT_SUBJ, CHECKTHAT_OBJ = 200, 100  # CheckThat 2025 train sentences read one by one
DOUBLE_SHARE = 0.2         # of training sheets read twice
DEV_SUPPLEMENT = 12        # PolNeAR dev articles densest in anonymous sourcing, added to dev (read twice)
TRAIN_SUPPLEMENT = 40      # the same for training (read once; A sheets)
TRAIN_SUPPLEMENT_2 = 50    # the next 50 by the same measure (B sheets), as the A sheets still left anonymous short of 500

_ANON = re.compile(r"\b(officials?|sources?|familiar with|anonymity|aides?|people (?:close|briefed)|advisers?|"
                   r"according to (?:a|one|two|three|several|some)|intelligence|reportedly|it is understood)\b", re.I)
_OPINION = re.compile(r"(\bI\b|\bwe\b|\bour\b|\bshould\b|\bmust\b|!|\?|\bperhaps\b|\bmaybe\b|\bof course\b)")


def text_hash(text: str) -> str:
    """The stored fingerprint of a unit's text (SHA-256, first 16 hex digits)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def split_units(text: str) -> list[tuple[int, int]]:
    """(start, end) of each unit: every non-empty line is a paragraph, split by nupunkt's plain sentence
    splitter; spans are stripped of surrounding white space."""
    import nupunkt

    spans = []
    for para in re.finditer(r"[^\n]+", text):
        base = para.start()
        for s, e in nupunkt.sent_spans(para.group()):
            piece = para.group()[s:e]
            lead = len(piece) - len(piece.lstrip())
            core = piece.strip()
            if core:
                spans.append((base + s + lead, base + s + lead + len(core)))
    return spans


def article_text(data: Path, article_id: str) -> str:
    """The text of a unit's article (article ids: corpus/split/name; example/name: this repository's examples)."""
    return claim_article_text(data, article_id, REPO / "examples")


_CT_CACHE: dict = {}


def _checkthat(data: Path, split: str) -> dict[str, tuple[str, str]]:
    if split not in _CT_CACHE:
        rows = {}
        with (data / "checkthat2025_en" / f"{split}_en.tsv").open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                rows[row["sentence_id"]] = (row["sentence"].strip(), row["label"])
        _CT_CACHE[split] = rows
    return _CT_CACHE[split]


def _pick(rng: random.Random, pool: list, n: int, key=None, top: int = 0) -> list:
    """`top` items with the highest `key`, then random ones, `n` in all, from `pool` (sorted ids)."""
    chosen = sorted(pool, key=key, reverse=True)[:top] if key and top else []
    rest = [a for a in pool if a not in chosen]
    return chosen + rng.sample(rest, min(n - len(chosen), len(rest)))


def choose_articles(data: Path, seed: int = SEED) -> list[dict]:
    """The articles to read: dicts with article_id, set (train/dev), group (publisher/topic/label)."""
    rng = random.Random(seed)
    meta = list(csv.DictReader((data / "polnear" / "data" / "metadata.tsv").open(encoding="utf-8"), delimiter="\t"))
    chosen = []
    for split, per in (("train", TRAIN_PER_PUBLISHER), ("dev", DEV_PER_PUBLISHER)):
        for publisher in sorted({m["publisher"] for m in meta}):
            names = sorted(m["filename"] for m in meta if m["compartment"] == split and m["publisher"] == publisher)
            pool, dens = [], {}
            for name in names:
                text = article_text(data, f"polnear/{split}/{name}")
                n = len(split_units(text))
                if 3 <= n <= MAX_UNITS:
                    pool.append(name)
                    dens[name] = (len(_ANON.findall(text)) / n, len(_OPINION.findall(text)) / n)
            if split == "train":  # oversample the rarer labels: anonymous sourcing and the writer's voice
                picked = _pick(rng, pool, 5, key=lambda a: dens[a][0], top=5)
                rest = [a for a in pool if a not in picked]
                picked += _pick(rng, rest, 2, key=lambda a: dens[a][1], top=2)
                rest = [a for a in pool if a not in picked]
                picked += rng.sample(rest, per - len(picked))
            else:
                picked = rng.sample(pool, per)
            chosen += [{"article_id": f"polnear/{split}/{a}", "set": split, "group": publisher} for a in sorted(picked)]
    bbc = sorted(p.stem for p in (data / "bbc" / "articles").glob("*.txt"))
    for topic in sorted({b.split("-")[0] for b in bbc}):
        names = [b for b in bbc if b.startswith(topic + "-")]
        picked = rng.sample(names, BBC_TRAIN_PER_TOPIC + BBC_DEV_PER_TOPIC)
        for i, name in enumerate(picked):
            chosen.append({"article_id": f"bbc/{name}", "set": "dev" if i < BBC_DEV_PER_TOPIC else "train",
                           "group": f"bbc-{topic}"})
    ct = _checkthat(data, "train")
    for label, n in (("SUBJ", CHECKTHAT_SUBJ), ("OBJ", CHECKTHAT_OBJ)):
        ids = sorted(k for k, (_, lab) in ct.items() if lab == label)
        chosen += [{"article_id": f"checkthat/train/{k}", "set": "train", "group": f"checkthat-{label}"}
                   for k in sorted(rng.sample(ids, n))]
    return chosen + dev_supplement(data, chosen) + [
        {"article_id": "example/iran-bounties-commune", "set": "example", "group": "example"}]


def dev_supplement(data: Path, chosen: list[dict]) -> list[dict]:
    """More PolNeAR articles, those densest in anonymous-sourcing words (the first dev reading had only 16
    anonymous units in 934, the first training sheets 5%): chosen by the words of the whole article, never by
    a label, and dealt on sheets of their own (dev: sheets E.., train: sheets A..) so that the sheets dealt
    before stay as they were."""
    taken = {a["article_id"] for a in chosen}
    meta = list(csv.DictReader((data / "polnear" / "data" / "metadata.tsv").open(encoding="utf-8"), delimiter="\t"))
    out = []
    for split, count in (("dev", DEV_SUPPLEMENT), ("train", TRAIN_SUPPLEMENT)):
        scored = []
        for m in sorted(meta, key=lambda m: m["filename"]):
            aid = f"polnear/{split}/{m['filename']}"
            if m["compartment"] != split or aid in taken:
                continue
            text = article_text(data, aid)
            n = len(split_units(text))
            if 3 <= n <= MAX_UNITS:
                scored.append((-len(_ANON.findall(text)) / n, aid, m["publisher"]))
        out += [{"article_id": aid, "set": split, "group": f"{publisher} (anonymous-dense supplement)"}
                for _, aid, publisher in sorted(scored)[:count]]
        if split == "train":
            out += [{"article_id": aid, "set": split, "group": f"{publisher} (anonymous-dense supplement 2)"}
                    for _, aid, publisher in sorted(scored)[count:count + TRAIN_SUPPLEMENT_2]]
    return out


def deal(data: Path, sheets_dir: Path, seed: int = SEED) -> None:
    """Write data/claims/units.tsv, plan.tsv and the sheets (outside the repository)."""
    rng = random.Random(seed + 1)
    articles = choose_articles(data, seed)
    units = []
    for art in articles:
        text = article_text(data, art["article_id"])
        spans = [(0, len(text))] if art["article_id"].startswith("checkthat/") else split_units(text)
        art["n_units"] = len(spans)
        for i, (s, e) in enumerate(spans):
            units.append({"article_id": art["article_id"], "set": art["set"], "index": i, "start": s, "end": e,
                          "sha": text_hash(text[s:e])})
    sheets: list[tuple[str, str, list[dict]]] = []  # (sheet id, set, articles)
    for set_name, prefix in (("dev", "D"), ("train", "T"), ("dev", "E"), ("train", "A"), ("train", "B"),
                             ("example", "K")):
        # the supplements' sheets (E, A, B) have their own draws, so the sheets dealt before them stay as they were
        r = rng if prefix in "DT" else random.Random(seed + 2 + "EABK".index(prefix))
        kind = {"D": "", "T": "", "E": "supplement", "A": "supplement", "B": "supplement 2", "K": ""}[prefix]
        news = [a for a in articles if a["set"] == set_name and not a["article_id"].startswith("checkthat/")
                and (kind in a["group"] if kind else "supplement" not in a["group"])
                and not (prefix == "A" and "supplement 2" in a["group"])]
        r.shuffle(news)
        singles = [a for a in articles if a["set"] == set_name and a["article_id"].startswith("checkthat/")
                   and prefix in "DT"]
        r.shuffle(singles)
        current, size = [], 0
        for art in news + singles:
            if size and size + art["n_units"] > SHEET_UNITS:
                sheets.append((f"{prefix}{len([s for s in sheets if s[0][0] == prefix]) + 1:02d}", set_name, current))
                current, size = [], 0
            current.append(art)
            size += art["n_units"]
        if current and size < SHEET_UNITS // 3 and sheets and sheets[-1][0][0] == prefix:
            sheets[-1][2].extend(current)  # a short remainder joins the last sheet
        elif current:
            sheets.append((f"{prefix}{len([s for s in sheets if s[0][0] == prefix]) + 1:02d}", set_name, current))
    train_ids = [s[0] for s in sheets if s[0][0] == "T" and not all(a["article_id"].startswith("checkthat/")
                                                                   for a in s[2])]
    double = set(rng.sample(train_ids, max(1, round(DOUBLE_SHARE * len([s for s in sheets if s[0][0] == "T"])))))
    for prefix in "AB":  # each supplement: 20% of its sheets read twice too
        supplement = sorted(s[0] for s in sheets if s[0][0] == prefix)
        double |= set(supplement[:max(1, round(DOUBLE_SHARE * len(supplement)))])
    # the sheet of CheckThat single sentences is read twice as well, so that over 20% of the training units
    # (and of the articles) are read twice once the supplements are added
    double |= {s[0] for s in sheets if s[0][0] == "T" and sum(a["article_id"].startswith("checkthat/") for a in s[2])
               > len(s[2]) / 2}
    plan = []
    for sheet_id, set_name, arts in sheets:
        readings = 2 if set_name in ("dev", "example") or sheet_id in double else 1
        plan += [{"reading": f"{sheet_id}-{k}", "sheet": sheet_id, "set": set_name, "role": role}
                 for k, role in zip("ab", ("first", "second"))][:readings]
        for pos, art in enumerate(arts):
            art["sheet"], art["sheet_pos"] = sheet_id, pos
        write_sheet(data, sheets_dir, sheet_id, arts, units)
    CLAIMS.mkdir(parents=True, exist_ok=True)
    _write_tsv(CLAIMS / "units.tsv", units, ["article_id", "set", "index", "start", "end", "sha"])
    _write_tsv(CLAIMS / "articles.tsv", articles, ["article_id", "set", "group", "n_units", "sheet", "sheet_pos"])
    _write_tsv(CLAIMS / "plan.tsv", plan, ["reading", "sheet", "set", "role"])
    by_set = Counter(u["set"] for u in units)
    print(f"{len(articles)} articles, {len(units)} units ({dict(by_set)}), {len(sheets)} sheets, "
          f"{len(plan)} readings planned; sheets in {sheets_dir}")


def write_sheet(data: Path, sheets_dir: Path, sheet_id: str, arts: list[dict], units: list[dict],
                only: set[tuple[str, int]] | None = None) -> None:
    """One reading sheet: each article's full text, then its units `article_id<TAB>index<TAB>text`
    (`only`: the units to label on a third-reading sheet; the whole article is still shown)."""
    sheets_dir.mkdir(parents=True, exist_ok=True)
    by_article = defaultdict(list)
    for u in units:
        by_article[u["article_id"]].append(u)
    out = [f"# Reading sheet {sheet_id}", "",
           "Label every unit listed under 'Units to label' (one per line: article_id<TAB>index<TAB>text).", ""]
    n = 0
    for art in arts:
        aid = art["article_id"]
        text = article_text(data, aid)
        single = aid.startswith("checkthat/")
        out += [f"## Article {aid}" + (" (a single sentence from a news article, read on its own)" if single else ""),
                "", "### Full text", "", "~~~~text", text.rstrip("\n"), "~~~~", "", "### Units to label", "", "~~~~tsv"]
        for u in by_article[aid]:
            if only is None or (aid, int(u["index"])) in only:
                unit_text = text[int(u["start"]):int(u["end"])].replace("\t", " ").replace("\n", " ")
                out.append(f"{aid}\t{u['index']}\t{unit_text}")
                n += 1
        out += ["~~~~", ""]
    (sheets_dir / f"{sheet_id}.md").write_text("\n".join(out), encoding="utf-8")
    print(f"  sheet {sheet_id}: {len(arts)} articles, {n} units")


def _write_tsv(path: Path, rows: list[dict], columns: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, columns, delimiter="\t", extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _read_tsv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def read_answers(path: Path, expected: list[tuple[str, int]]) -> list[dict]:
    """A reader's TSV (article_id, index, type, grade) checked against the units its sheet lists."""
    rows = _read_tsv(path)
    problems = []
    if not rows or list(rows[0])[:4] != ["article_id", "index", "type", "grade"]:
        raise SystemExit(f"{path}: header must be article_id<TAB>index<TAB>type<TAB>grade")
    got = [(r["article_id"].strip(), int(r["index"])) for r in rows]
    if got != expected:
        missing = sorted(set(expected) - set(got))[:5]
        extra = sorted(set(got) - set(expected))[:5]
        raise SystemExit(f"{path}: {len(got)} answers for {len(expected)} units (missing {missing}, extra {extra})")
    out = []
    for line, r in enumerate(rows, 2):
        kind, grade = r["type"].strip(), (r["grade"] or "").strip()
        if kind not in TYPES:
            problems.append(f"{path}:{line}: type {kind!r}")
        if kind == "furniture" and grade:
            problems.append(f"{path}:{line}: furniture with a grade")
        if kind != "furniture" and grade not in ("0", "1", "2", "3"):
            problems.append(f"{path}:{line}: grade {grade!r}")
        out.append({"article_id": r["article_id"].strip(), "index": int(r["index"]), "type": kind, "grade": grade})
    if problems:
        raise SystemExit("; ".join(problems[:10]))
    return out


def cohen_kappa(a: list[str], b: list[str]) -> float:
    n = len(a)
    po = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return (po - pe) / (1 - pe) if pe < 1 else 1.0


def spearman(x: list[float], y: list[float]) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(x, y).statistic)


def collect(data: Path, answers_dir: Path, third_dir: Path | None, readers: dict[str, str]) -> None:
    """readings.tsv, labels.tsv and agreement from every answer file ANSWERS/<reading>.tsv present."""
    units = _read_tsv(CLAIMS / "units.tsv")
    articles = {a["article_id"]: a for a in _read_tsv(CLAIMS / "articles.tsv")}
    plan = _read_tsv(CLAIMS / "plan.tsv")
    third_plan = _read_tsv(CLAIMS / "third_plan.tsv") if (CLAIMS / "third_plan.tsv").exists() else []
    by_sheet = defaultdict(list)  # the units of each sheet in sheet order
    for u in sorted(units, key=lambda u: (int(articles[u["article_id"]]["sheet_pos"]), int(u["index"]))):
        by_sheet[articles[u["article_id"]]["sheet"]].append((u["article_id"], int(u["index"])))
    readings = []
    for p in plan + third_plan:
        path = answers_dir / f"{p['reading']}.tsv"
        if not path.exists():
            continue
        expected = by_sheet[p["sheet"]] if p["role"] != "third" else \
            [(u["article_id"], int(u["index"])) for u in _read_tsv(CLAIMS / f"third_{p['sheet']}.tsv")]
        for row in read_answers(path, expected):
            readings.append(dict(row, reading=p["reading"], role=p["role"],
                                 reader=readers.get(p["reading"], "language-model reader (helper session)")))
    _write_tsv(CLAIMS / "readings.tsv", readings, ["article_id", "index", "reading", "role", "type", "grade", "reader"])
    per_unit = defaultdict(list)
    for r in readings:
        per_unit[(r["article_id"], r["index"])].append(r)
    labels, pairs, dropped, disputed = [], [], 0, []
    for u in units:
        key = (u["article_id"], int(u["index"]))
        rs = per_unit.get(key, [])
        if not rs:
            continue
        two = [r for r in rs if r["role"] in ("first", "second")]
        if len(two) == 2:
            pairs.append(two)
        votes = Counter(r["type"] for r in rs)
        top, count = votes.most_common(1)[0]
        if len(rs) == 1:
            status = "single"
        elif len(votes) == 1:
            status = "agreed"
        elif count >= 2 and count > len(rs) / 2:
            status = "settled"
        elif len(rs) >= 3:
            dropped += 1
            continue
        else:
            disputed.append(key)
            continue
        grades = [int(r["grade"]) for r in rs if r["type"] == top and r["grade"] != ""]
        labels.append({"article_id": key[0], "set": u["set"], "index": key[1], "start": u["start"], "end": u["end"],
                       "sha": u["sha"], "type": top, "grade": f"{sum(grades) / len(grades):.2f}" if grades else "",
                       "status": status, "readings": ",".join(r["reading"] for r in rs)})
    _write_tsv(CLAIMS / "labels.tsv", labels,
               ["article_id", "set", "index", "start", "end", "sha", "type", "grade", "status", "readings"])
    print(f"{len(readings)} unit readings from {len({r['reading'] for r in readings})} readings; "
          f"{len(labels)} labelled units, {len(disputed)} awaiting a third reading, {dropped} dropped (three-way split)")
    for set_name in ("train", "dev", "example"):
        lab = [x for x in labels if x["set"] == set_name]
        print(f"  {set_name}: {len(lab)} units; types {dict(Counter(x['type'] for x in lab))}; grades "
              f"{dict(sorted(Counter(round(float(x['grade'])) for x in lab if x['grade']).items()))}")
    agreement(pairs, units)
    if third_dir and disputed:
        write_third(data, third_dir, disputed, units, articles)


def agreement(pairs: list[list[dict]], units: list[dict]) -> dict:
    """Raw agreement, Cohen's kappa on type and Spearman on grade between first and second readings."""
    sets = {(u["article_id"], int(u["index"])): u["set"] for u in units}
    out = {}
    for set_name in ("train", "dev", "example", "all"):
        ps = [p for p in pairs if set_name == "all" or sets[(p[0]["article_id"], p[0]["index"])] == set_name]
        if not ps:
            continue
        a = [p[0]["type"] for p in ps]
        b = [p[1]["type"] for p in ps]
        graded = [(int(p[0]["grade"]), int(p[1]["grade"])) for p in ps if p[0]["grade"] and p[1]["grade"]]
        rho = spearman(*zip(*graded)) if len(graded) > 2 else float("nan")
        out[set_name] = {"n": len(ps), "raw": sum(x == y for x, y in zip(a, b)) / len(ps), "kappa": cohen_kappa(a, b),
                         "grade_spearman": rho, "n_graded": len(graded)}
        print(f"  agreement {set_name}: {len(ps)} units read twice, raw {out[set_name]['raw']:.3f}, "
              f"kappa {out[set_name]['kappa']:.3f}, grade Spearman {rho:.3f} ({len(graded)} graded by both)")
    return out


def write_third(data: Path, third_dir: Path, disputed: list[tuple[str, int]], units: list[dict],
                articles: dict) -> None:
    """Sheets for a third reader: the disputed units, with their whole articles, no answers shown."""
    existing = _read_tsv(CLAIMS / "third_plan.tsv") if (CLAIMS / "third_plan.tsv").exists() else []
    n = len(existing)
    dealt = {(u["article_id"], int(u["index"])) for p in existing for u in _read_tsv(CLAIMS / f"third_{p['sheet']}.tsv")}
    disputed = [key for key in disputed if key not in dealt]  # already on a third sheet, not yet answered
    if not disputed:
        return
    by_art = defaultdict(set)
    for aid, i in disputed:
        by_art[aid].add(i)
    sheet_id = f"X{n + 1:02d}"
    arts = [articles[a] for a in sorted(by_art)]
    only = {(a, i) for a, ix in by_art.items() for i in ix}
    write_sheet(data, third_dir, sheet_id, arts, units, only=only)
    _write_tsv(CLAIMS / f"third_{sheet_id}.tsv", [{"article_id": a, "index": i} for a, i in sorted(only)],
               ["article_id", "index"])
    existing.append({"reading": f"{sheet_id}-c", "sheet": sheet_id, "set": "mixed", "role": "third"})
    _write_tsv(CLAIMS / "third_plan.tsv", existing, ["reading", "sheet", "set", "role"])
    print(f"  third-reading sheet {sheet_id}: {len(only)} units in {len(arts)} articles -> {third_dir}")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("deal")
    d.add_argument("--data", required=True, type=Path)
    d.add_argument("--sheets", required=True, type=Path)
    d.add_argument("--seed", type=int, default=SEED)
    c = sub.add_parser("collect")
    c.add_argument("--data", required=True, type=Path)
    c.add_argument("--answers", required=True, type=Path)
    c.add_argument("--third-sheets", type=Path, default=None)
    args = ap.parse_args(argv)
    if args.cmd == "deal":
        deal(args.data, args.sheets, args.seed)
    else:
        collect(args.data, args.answers, args.third_sheets, {})


if __name__ == "__main__":
    sys.exit(main())
