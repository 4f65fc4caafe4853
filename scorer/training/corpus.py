"""Build the labelled sentence table from the human-annotated corpora in ../shared/data.

One row per sentence: PolNeAR articles are segmented with the scorer's own segmenter (so that
training and inference see the same sentences) and labelled from the human attribution spans;
the subjectivity corpora (NewsSD-ENG, CheckThat 2025) give `SUBJ` -> editorial_opinion and
`OBJ` -> "not opinion" (no attribution type is invented for them).
"""
from __future__ import annotations

import csv
import re
from pathlib import Path
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..attribution.lexicon import NO_COMMENT_RE, speech_cue
from ..attribution.sources import NAMED, SourceResolver, SourceType, classify_phrase, piece_in_outlet
from ..attribution.spans import find_attribution
from ..errors import InputError
from ..text.segment import Sentence, split_article
from .brat import Annotations, read_ann

COLUMNS = ["corpus", "split", "doc_id", "publisher", "sentence_index", "start", "end", "text",
           "label", "attributed", "subjectivity", "source_text", "cue_text", "source_start", "source_end",
           "cue_start", "cue_end", "label_method"]
POLNEAR_SPLITS = ("train", "dev")
_CONTENT_SHARE = 0.5
_IMPRESSION_CUE = re.compile(r"\b(seem\w*|appear\w*|look\w*|ask\w*|known|called|titled|dubbed|:)|^\W*$", re.I)
# PolNeAR also marks a source's wishes, plans, stances, votes, questions and seeming ("party leaders want",
# "Kasich has sought to", "she asked Sanders about"), and acts whose cue has no word of saying, thinking or
# showing ("had issued a threat", "cast their votes for"): the sentence then narrates an act and its claim rests
# on the outlet (ANNOTATION.md, rule 5), not on the word of the one who acts. Not when the sentence or the
# attribution's content quotes ('"Isn't that a bribe?" Trump asked': rule 1) or the source is a poll share or a
# document ("33% of voters backing", "in the latest NBC News poll": the data's)
_ACT_CUE = re.compile(
    r"^\W*(?:(?:has|have|had|is|are|was|were|would|will|to)\s+)?"
    r"(?:wants?|wanted|wanting|prefers?|preferred|plans?|planned|planning|intends?|intended|seeks?|sought|seeking|"
    r"hopes?|hoped|hoping|aims?|aimed|tries|tried|trying|try|supports?|supported|supporting|backing|backed|"
    r"endorses?|endorsed|endorsing|opposes?|opposed|opposing|decides?|decided|refuses?|refused|votes?|voted|"
    r"elected|pleaded|asks?|asked|asking|seems?|seemed|appears?|appeared)\b", re.I)
_QUOTE_MARK = re.compile("[\"“”]|''")
_DATA_SOURCE = re.compile(r"poll|document")  # source-type methods of poll shares and documents
ACT_METHOD = "polnear: an act, wish or question, not a claim (rule 5)"
NARRATED_METHOD = "polnear: a narrated act, no reporting word in the cue (rule 5)"
CLAIM_LEVEL_METHODS = (ACT_METHOD, NARRATED_METHOD)


def _quotes(text: str, sent, attr: dict) -> bool:
    """Whether the sentence or the attribution's content (with the characters around it) has a quotation mark."""
    if _QUOTE_MARK.search(sent.text):
        return True
    return any(_QUOTE_MARK.search(text[max(0, s - 2):e + 2]) for s, e in attr["content"])


def _require_dir(path: Path) -> Path:
    if not path.is_dir():
        raise InputError(f"{path}: directory not found")
    return path


def polnear_metadata(root: Path) -> list[dict]:
    """Rows of PolNeAR's metadata.tsv (compartment, filename, annotators, publisher, ...)."""
    meta = root / "polnear" / "data" / "metadata.tsv"
    if not meta.is_file():
        raise InputError(f"{meta}: PolNeAR metadata not found (expected polnear/data/metadata.tsv under --data)")
    with meta.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def attributions(ann: Annotations) -> list[dict]:
    """One dict per attribution event: source/cue text-bounds (or None) and content spans."""
    out = []
    for event in ann.events:
        if not event.type.startswith("Attribution"):
            continue
        tb = ann.textbounds
        source = tb.get(event.args.get("Source", ""))
        cue = tb.get(event.args.get("Cue", "")) or tb.get(event.trigger)
        content = [tb[ref] for role, ref in event.args.items() if role.startswith("Content")]
        out.append({"source": source, "cue": cue,
                    "content": [span for t in content for span in t.spans]})
    return out


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def _pick_attribution(start: int, end: int, attrs: list[dict]) -> dict | None:
    """The attribution that carries this sentence: its cue or source is inside, or its content covers most of it."""
    best, best_score = None, 0.0
    length = max(1, end - start)
    for attr in attrs:
        content = sum(_overlap(start, end, s, e) for s, e in attr["content"]) / length
        marks = [t for t in (attr["cue"], attr["source"]) if t is not None]
        marked = any(_overlap(start, end, s, e) for t in marks for s, e in t.spans)
        if not marked and content <= _CONTENT_SHARE:
            continue
        score = content + (1.0 if marked else 0.0)
        if attr["cue"] is not None and NO_COMMENT_RE.search(attr["cue"].text):
            score -= 0.9  # rule 4: a refusal to comment supplies no claim; another attribution here wins
        if score > best_score:
            best, best_score = attr, score
    return best


class _Attributed(NamedTuple):
    """A sentence that an attribution carries, for the rules of LABEL_RULES."""

    text: str  # the article
    sent: Sentence
    attr: dict
    resolver: SourceResolver

    @property
    def src(self):
        return self.attr["source"]

    @property
    def cue(self):
        return self.attr["cue"]


def _declined(a: _Attributed) -> bool:
    return a.cue is not None and NO_COMMENT_RE.search(a.cue.text) is not None


def _act(a: _Attributed) -> bool:
    return a.src is not None and a.cue is not None and not _DATA_SOURCE.search(a.attr["type"].method) \
        and (_ACT_CUE.search(a.cue.text) is not None or not speech_cue(a.cue.text)) \
        and not _quotes(a.text, a.sent, a.attr)


def _spans(src) -> dict:
    return {"source_text": src.text, "source_start": src.start, "source_end": src.end}


def _act_label(a: _Attributed) -> dict:
    return dict(_spans(a.src), label="outlet_claim", label_method=ACT_METHOD if _ACT_CUE.search(a.cue.text)
                else NARRATED_METHOD)


def _source_in_sentence(a: _Attributed) -> dict:
    """A cue marked without its source ('..., said Russell'): the sentence's own source phrase, when the rules find
    one at that cue; else an agentless cue ("is expected", "were announced"): an unstated, unidentifiable source,
    but for the writer's impressions ("seemed", "appears") and questions ("asked"), which are left out."""
    found = find_attribution(a.sent.text)
    start = a.sent.start
    if found.source is not None and a.cue is not None \
            and _overlap(start + found.cue_start, start + found.cue_end, a.cue.start, a.cue.end) > 0:
        stype = a.resolver.resolve(start + found.source_start, found.source, remember=False)
        return {"source_text": found.source, "label": stype.label,
                "label_method": "polnear: source missing, found in sentence: " + stype.method}
    anonymous = a.cue is not None and not _IMPRESSION_CUE.search(a.cue.text)
    return {"label": "anonymous_intelligence" if anonymous else None,
            "label_method": "polnear: no source span" + ("" if anonymous else ", unresolved")}


# (rule, applies to an attributed sentence, its label fields): the first rule that applies labels the sentence.
LABEL_RULES: tuple[tuple[str, Callable[[_Attributed], bool], Callable[[_Attributed], dict]], ...] = (
    # rule 4: a party that declines to comment supplies no claim; the outlet states the fact
    ("declined to comment", _declined,
     lambda a: {"source_text": a.src.text if a.src else None, "label": "outlet_claim",
                "label_method": "polnear: declined to comment (rule 4)"}),
    # rule 5: a wish, plan, stance, vote, question or act, not a claim
    ("act, not a claim", _act, _act_label),
    ("no source span", lambda a: a.src is None, _source_in_sentence),
    # rule 6: a person's words published as another outlet's piece
    ("piece in another outlet",
     lambda a: a.attr["type"].method == "name" and piece_in_outlet(a.cue.text if a.cue else None),
     lambda a: dict(_spans(a.src), label="outlet_claim",
                    label_method="polnear: name, piece in another outlet (rule 6)")),
    ("source type", lambda a: True,
     lambda a: dict(_spans(a.src), label=a.attr["type"].label, label_method="polnear: " + a.attr["type"].method)),
)


def polnear_document(text: str, ann: Annotations) -> list[dict]:
    """Labelled sentence rows (without corpus/split/doc fields) for one PolNeAR article: a sentence no attribution
    carries is the outlet's; the others are labelled by the first of LABEL_RULES that applies."""
    attrs = attributions(ann)
    resolver = SourceResolver(text)
    ordered = sorted(attrs, key=lambda a: (a["source"] or a["cue"]).start if (a["source"] or a["cue"]) else 0)
    for attr in ordered:
        if attr["source"] is not None:
            attr["type"] = resolver.resolve(attr["source"].start, attr["source"].text,
                                            cue_text=attr["cue"].text if attr["cue"] else None)
            if len(attr["source"].spans) > 1 and attr["type"].label != NAMED \
                    and any(classify_phrase(text[s:e]).method == "name" for s, e in attr["source"].spans):
                # a discontinuous source with a named part ("Justice Kennedy ... the court's liberals")
                attr["type"] = SourceType(NAMED, "name in a discontinuous source")
        else:
            attr["type"] = None
    rows = []
    sentences, _ = split_article(text)
    for index, sent in enumerate(sentences):
        attr = _pick_attribution(sent.start, sent.end, attrs)
        row = {"sentence_index": index, "start": sent.start, "end": sent.end, "text": sent.text,
               "attributed": attr is not None, "subjectivity": None,
               "source_text": None, "cue_text": None, "source_start": None, "source_end": None,
               "cue_start": None, "cue_end": None}
        if attr is None:
            row.update(label="outlet_claim", label_method="polnear: no attribution")
        else:
            if attr["cue"] is not None:
                row.update(cue_text=attr["cue"].text, cue_start=attr["cue"].start, cue_end=attr["cue"].end)
            attributed = _Attributed(text, sent, attr, resolver)
            row.update(next(label(attributed) for _, applies, label in LABEL_RULES if applies(attributed)))
        rows.append(row)
    return rows


def load_polnear(root: Path) -> pd.DataFrame:
    """PolNeAR train and dev sentences, first listed annotator per article."""
    base = _require_dir(root / "polnear" / "data")
    rows = []
    for meta in polnear_metadata(root):
        split = meta["compartment"]
        if split not in POLNEAR_SPLITS:
            continue
        name = meta["filename"]
        annotator = meta["annotators"].split("|")[0]
        text_path = base / split / "text" / f"{name}.txt"
        ann_path = base / split / "attributions" / f"{name}_{annotator}.ann"
        if not text_path.is_file() or not ann_path.is_file():
            raise InputError(f"{text_path if not text_path.is_file() else ann_path}: listed in metadata.tsv but missing")
        text = text_path.read_text(encoding="utf-8")
        for row in polnear_document(text, read_ann(ann_path)):
            row.update(corpus="polnear", split=split, doc_id=name, publisher=meta["publisher"])
            rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def best_overlap(doc: pd.DataFrame, start: int, end: int) -> tuple[int, int]:
    """(position in `doc`, characters shared) of the sentence row that overlaps [start, end) most.

    Stored samples (audit, grades) keep offsets only; this finds their sentence even after a change
    of segmentation moved its boundaries."""
    overlap = (doc["end"].clip(upper=end) - doc["start"].clip(lower=start)).clip(lower=0).to_numpy()
    pos = int(np.argmax(overlap))
    return pos, int(overlap[pos])


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _subjectivity_rows(corpus: str, split: str, records: list[tuple[str, str, str]]) -> list[dict]:
    rows = []
    for doc_id, sentence, label in records:
        label = label.strip().upper()
        if label not in ("SUBJ", "OBJ"):
            raise InputError(f"{corpus} {split}: record {doc_id}: unknown label {label!r}")
        sentence = sentence.strip()
        rows.append({"corpus": corpus, "split": split, "doc_id": doc_id, "publisher": None, "sentence_index": 0,
                     "start": 0, "end": len(sentence), "text": sentence,
                     "label": "editorial_opinion" if label == "SUBJ" else None,
                     "attributed": None, "subjectivity": label,
                     "label_method": f"{corpus}: {label}"})
    return rows


def _read_table(path: Path, delimiter: str, fields: tuple[str, str, str | None]) -> list[tuple[str, str, str]]:
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    text_field, label_field, id_field = fields
    out = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter=delimiter)
        missing = {text_field, label_field} - set(reader.fieldnames or [])
        if missing:
            raise InputError(f"{path}:1: missing column(s) {', '.join(sorted(missing))}")
        for n, rec in enumerate(reader, 2):
            doc_id = rec[id_field] if id_field else f"{path.stem}-{n}"
            out.append((doc_id, rec[text_field], rec[label_field]))
    return out


def load_subjectivity(root: Path) -> pd.DataFrame:
    """CheckThat 2025 (train, dev) and NewsSD-ENG (train, val->dev) without duplicates or split leakage.

    CheckThat contains NewsSD's sentences: each text is kept once, in dev if any copy is in dev
    (so nothing seen in training is scored on dev), and from CheckThat rather than NewsSD.
    """
    ct = _require_dir(root / "checkthat2025_en")
    sd = _require_dir(root / "newssd_eng" / "data" / "english")
    rows = []
    for split, fname in (("train", "train_en.tsv"), ("dev", "dev_en.tsv")):
        rows += _subjectivity_rows("checkthat2025", split,
                                   _read_table(ct / fname, "\t", ("sentence", "label", "sentence_id")))
    for split, fname in (("train", "train.csv"), ("dev", "val.csv")):
        rows += _subjectivity_rows("newssd", split, _read_table(sd / fname, ",", ("Sentence", "Label", None)))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    # keep the first copy of each text in priority order: dev before train, CheckThat before NewsSD
    priority = (frame["split"] != "dev") * 2 + (frame["corpus"] != "checkthat2025")
    frame = frame.assign(_p=priority).sort_values("_p", kind="stable")
    frame = frame[~frame["text"].map(_norm).duplicated(keep="first")].drop(columns="_p").sort_index()
    return frame.reset_index(drop=True)


def build_corpus(root: str | Path) -> pd.DataFrame:
    """The whole labelled sentence table (see COLUMNS)."""
    root = _require_dir(Path(root))
    frame = pd.concat([load_polnear(root), load_subjectivity(root)], ignore_index=True)
    for col in ("start", "end", "sentence_index"):
        frame[col] = frame[col].astype("int64")
    for col in ("source_start", "source_end", "cue_start", "cue_end"):
        frame[col] = frame[col].astype("Int64")
    return frame


def write_corpus(data_dir: str | Path, out_path: str | Path) -> pd.DataFrame:
    """Build the corpus of `data_dir` and write it to `out_path` (CSV for a .csv name, else Parquet); returns it."""
    frame = build_corpus(data_dir)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".csv":
        frame.to_csv(out, index=False)
    else:
        frame.to_parquet(out, index=False)
    return frame


def class_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Sentences per corpus, split and label (OBJ rows appear as 'not opinion', unresolved as 'unresolved')."""
    label = frame["label"].copy()
    label[frame["subjectivity"] == "OBJ"] = "not opinion (OBJ)"
    label = label.fillna("unresolved")
    return pd.crosstab([frame["corpus"], frame["split"]], label)
