"""Training and measuring the span tagger (`scorer.attribution.tagger`) on PolNeAR's human Source, Cue and Content
spans, next to the rule-based extractor (`scorer.attribution.spans.find_attribution`) measured in the same run.

The gold tags: each token of a sentence (the scorer's own segmentation) takes the role of the human span its first
character is in, with B- where a span (or a discontinuous span's piece) starts in the sentence. python-crfsuite
(a training-time dependency, extra `train`) fits a linear-chain CRF by L-BFGS, which is deterministic; its state
features and transitions become the arrays the scorer decodes with numpy.

The measures (PolNeAR's, computed over tokens within sentences, per role):
- exact: a predicted span counts when a gold span of the role has the same first and last token (P, R, F1 over
  spans);
- token overlap: precision = share of the tokens predicted in the role that are gold tokens of the role, recall =
  share of the gold tokens of the role predicted in it;
- detection: a sentence is attributed when it has a source or cue token, or content tokens make up more than
  half of it (the corpus's rule for a sentence carried by an attribution); F1 of the predicted against the gold.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from ..attribution.spans import CUE_VERBS, find_attribution
from ..attribution.tagger import (
    ROLES,
    TAGS,
    SpanTagger,
    Tokens,
    crf_items,
    sentence_tokens,
)
from ..errors import InputError
from ..text.segment import split_article
from .brat import read_ann
from .corpus import attributions, polnear_metadata

# L-BFGS with an L1 and an L2 penalty (the L1 keeps the stored feature list small); chosen on dev (c1 0.05, c2 0.01,
# 150 iterations before: source overlap F1 0.693 -> 0.710, cue 0.557 -> 0.577 with the -3..+3 word window)
CRF_PARAMS = {"c1": 0.1, "c2": 0.05, "max_iterations": 250, "feature.possible_transitions": True}
_ROLE_CODE = {role: k + 1 for k, role in enumerate(ROLES)}
# the confidence thresholds at which `span_figures` also measures the reports' sources (None: every source)
THRESHOLD_SWEEP = (None, 0.5, 0.6, 0.7, 0.8, 0.9)


class SpanDocument:
    """One PolNeAR article: its text, the scorer's sentences, their tokens and the gold tag of each token."""

    def __init__(self, name: str, text: str, sentences, tokens: Tokens, gold: np.ndarray):
        self.name, self.text, self.sentences, self.tokens, self.gold = name, text, sentences, tokens, gold


def gold_tags(text: str, ann, tokens: Tokens) -> np.ndarray:
    """BIO tag index (into TAGS) of each token from the article's human attributions."""
    role = np.zeros(len(text) + 1, dtype=np.int64)
    piece = np.zeros(len(text) + 1, dtype=np.int64)
    counter = 0
    for attr in attributions(ann):
        parts = [("SOURCE", attr["source"].spans if attr["source"] else ()),
                 ("CUE", attr["cue"].spans if attr["cue"] else ()), ("CONTENT", attr["content"])]
        for name, spans in parts:
            for s, e in spans:
                counter += 1
                role[s:e] = _ROLE_CODE[name]
                piece[s:e] = counter
    out = np.zeros(len(tokens.words), dtype=np.int64)
    k = 0
    for n in tokens.lengths:
        prev_piece = 0
        for i in range(k, k + n):
            start = int(tokens.starts[i])
            r, p = int(role[start]), int(piece[start])
            if r:
                out[i] = TAGS.index(("I-" if p == prev_piece else "B-") + ROLES[r - 1])
            prev_piece = p if r else 0
        k += n
    return out


def span_documents(data_dir: str | Path, split: str, limit: int | None = None) -> list[SpanDocument]:
    """The PolNeAR articles of `split` (first listed annotator, as the corpus) with their gold tags; the first
    `limit` of them in metadata order when given."""
    base = Path(data_dir) / "polnear" / "data"
    docs = []
    for meta in polnear_metadata(Path(data_dir)):
        if meta["compartment"] != split:
            continue
        if limit is not None and len(docs) >= limit:
            break
        name, annotator = meta["filename"], meta["annotators"].split("|")[0]
        text = (base / split / "text" / f"{name}.txt").read_text(encoding="utf-8")
        ann = read_ann(base / split / "attributions" / f"{name}_{annotator}.ann")
        sentences, _ = split_article(text)
        tokens = sentence_tokens(text, sentences)
        docs.append(SpanDocument(name, text, sentences, tokens, gold_tags(text, ann, tokens)))
    return docs


def _sequences(doc: SpanDocument):
    """(attributes, tag names) of each non-empty sentence of a document."""
    items, k = crf_items(doc.tokens), 0
    for feats, n in zip(items, doc.tokens.lengths):
        if n:
            yield feats, [TAGS[t] for t in doc.gold[k:k + n]]
        k += n


def train_tagger(docs: list[SpanDocument], params: dict | None = None, log=print,
                 crfsuite_file: str | Path | None = None) -> SpanTagger:
    """Fit the CRF on the documents' gold tags with python-crfsuite and return it as arrays (SpanTagger); the
    crfsuite model itself is written to `crfsuite_file` when given (the equality test reads it), else dropped."""
    try:
        import pycrfsuite
    except ImportError:
        raise InputError("training the span tagger needs python-crfsuite: pip install '.[train]'") from None

    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    n = 0
    for doc in docs:
        for feats, tags in _sequences(doc):
            trainer.append(feats, tags)
            n += 1
    trainer.set_params(CRF_PARAMS | (params or {}))
    log(f"span tagger: fitting a CRF on {n} sentences of {len(docs)} articles ...")
    with tempfile.TemporaryDirectory() as tmp:
        path = str(crfsuite_file) if crfsuite_file is not None else os.path.join(tmp, "spans.crfsuite")
        trainer.train(path)
        tagger = pycrfsuite.Tagger()
        tagger.open(path)
        try:
            return from_crfsuite(tagger.info())
        finally:
            tagger.close()


def from_crfsuite(info) -> SpanTagger:
    """The arrays of a crfsuite model's info(): the attributes with a non-zero weight (sorted), their weights per
    tag and the transition weights; the bias attribute and the sentence-edge attributes are always kept."""
    col = {tag: k for k, tag in enumerate(TAGS)}
    attrs = sorted({a for a, _ in info.state_features} | {"b", "-1:w=<s>", "1:w=</s>"})
    row = {a: i for i, a in enumerate(attrs)}
    weights = np.zeros((len(attrs), len(TAGS)))
    for (attr, label), w in info.state_features.items():
        weights[row[attr], col[label]] = w
    transitions = np.zeros((len(TAGS), len(TAGS)))
    for (a, b), w in info.transitions.items():
        transitions[col[a], col[b]] = w
    return SpanTagger(attrs, weights, transitions)


def crfsuite_tags(model_path: str, doc: SpanDocument) -> np.ndarray:
    """crfsuite's own tagging of a document (for the equality check of the numpy decoder)."""
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(model_path)
    try:
        out = [TAGS.index(t) for feats in crf_items(doc.tokens) if feats for t in tagger.tag(feats)]
    finally:
        tagger.close()
    return np.array(out, dtype=np.int64)


def _token_spans(doc_tokens: Tokens, tags: np.ndarray) -> list[dict[str, list[tuple[int, int]]]]:
    """Per sentence, role -> [(first token, last token)] (indices within the document)."""
    out, k = [], 0
    for n in doc_tokens.lengths:
        spans: dict[str, list[tuple[int, int]]] = {role: [] for role in ROLES}
        role = None
        for i in range(k, k + n):
            tag = TAGS[tags[i]]
            if tag == "O":
                role = None
                continue
            kind, r = tag.split("-")
            if kind == "B" or r != role:
                spans[r].append((i, i))
            else:
                spans[r][-1] = (spans[r][-1][0], i)
            role = r
        out.append(spans)
        k += n
    return out


def rule_tags(doc: SpanDocument, cues: frozenset[str] = CUE_VERBS) -> np.ndarray:
    """The rule-based extractor's source and cue of each sentence as tags (it marks no content)."""
    out = np.zeros(len(doc.tokens.words), dtype=np.int64)
    k = 0
    for sent, n in zip(doc.sentences, doc.tokens.lengths):
        found = find_attribution(sent.text, cues)
        for role, s, e in (("SOURCE", found.source_start, found.source_end), ("CUE", found.cue_start, found.cue_end)):
            if s is None:
                continue
            inside = [i for i in range(k, k + n)
                      if doc.tokens.starts[i] < sent.start + e and doc.tokens.ends[i] > sent.start + s]
            for j, i in enumerate(inside):
                out[i] = TAGS.index(("B-" if j == 0 else "I-") + role)
        k += n
    return out


def _prf(tp: float, n_pred: float, n_gold: float) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 3)}


def _attributed(tags: np.ndarray) -> bool:
    roles = [TAGS[t].split("-")[-1] for t in tags]
    return any(r in ("SOURCE", "CUE") for r in roles) or (len(roles) > 0 and roles.count("CONTENT") > len(roles) / 2)


def span_measures(docs: list[SpanDocument], predicted: list[np.ndarray]) -> dict:
    """Exact and token-overlap P/R/F1 per role and sentence detection F1 of predicted tags against the gold."""
    exact = {role: [0, 0, 0] for role in ROLES}  # matched, predicted, gold
    overlap = {role: [0, 0, 0] for role in ROLES}
    detect = [0, 0, 0]
    n_sent = 0
    for doc, pred in zip(docs, predicted):
        gold_spans, pred_spans = _token_spans(doc.tokens, doc.gold), _token_spans(doc.tokens, pred)
        for g, p in zip(gold_spans, pred_spans):
            for role in ROLES:
                exact[role][0] += len(set(g[role]) & set(p[role]))
                exact[role][1] += len(p[role])
                exact[role][2] += len(g[role])
        gold_role = np.array([TAGS[t].split("-")[-1] for t in doc.gold]) if len(doc.gold) else np.array([], dtype=str)
        pred_role = np.array([TAGS[t].split("-")[-1] for t in pred]) if len(pred) else np.array([], dtype=str)
        for role in ROLES:
            overlap[role][0] += int(((gold_role == role) & (pred_role == role)).sum())
            overlap[role][1] += int((pred_role == role).sum())
            overlap[role][2] += int((gold_role == role).sum())
        k = 0
        for n in doc.tokens.lengths:
            if n:
                g, p = _attributed(doc.gold[k:k + n]), _attributed(pred[k:k + n])
                detect[0] += g and p
                detect[1] += p
                detect[2] += g
                n_sent += 1
            k += n
    return {"exact": {role: _prf(*v) for role, v in exact.items()},
            "overlap": {role: _prf(*v) for role, v in overlap.items()},
            "detection": _prf(*detect) | {"n": n_sent}}


def _token_f1(a: set, b: set) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else 0.0


def report_source_measures(docs: list[SpanDocument], reports) -> dict:
    """The issue's sentence-level figure of the source a report names (its `source_span`, the mention in the
    sentence) against the human Source spans of the sentence: a named source matches when its tokens and the tokens
    of one human Source span of the sentence have a token-overlap F1 >= 0.5. Precision: the share of the sentences
    with a reported source span whose source matches; recall: the share of the sentences with a human source whose
    reported source matches. `reports`: one report dict (`Report.to_dict()`-like: "sentences" with "start" and
    "source_span") per document, or None for a document the scorer refused. `inherited`: sentences whose report
    names a source carried over from an earlier sentence (no span in the sentence; left out of the measure)."""
    matched = named = with_gold = inherited = 0
    for doc, report in zip(docs, reports):
        rows = {row["start"]: row for row in (report or {}).get("sentences", [])}
        k = 0
        for sent, n, spans in zip(doc.sentences, doc.tokens.lengths, _token_spans(doc.tokens, doc.gold)):
            gold = [set(range(a, b + 1)) for a, b in spans["SOURCE"]]
            row = rows.get(sent.start)
            span = row.get("source_span") if row else None
            with_gold += bool(gold)
            if span is None:
                inherited += bool(row and row.get("source"))
            else:
                named += 1
                s, e = span
                tokens = {i for i in range(k, k + n) if doc.tokens.starts[i] < e and doc.tokens.ends[i] > s}
                matched += any(_token_f1(tokens, g) >= 0.5 for g in gold)
            k += n
    p = matched / named if named else 0.0
    r = matched / with_gold if with_gold else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 3),
            "named": named, "gold": with_gold, "inherited": inherited}


class _RuleSpans:
    """Stands in for the span tagger in a Scorer so that its reports take source and cue from the rules."""

    @staticmethod
    def spans_many(articles) -> list:
        return [None for _ in articles]


def report_sources(scorer, docs: list[SpanDocument], rules: bool = False) -> list:
    """The report of each document by `scorer` (a `pipeline.Scorer`) as a dict (None where it is refused); with
    `rules`, by the same scorer with the rule-based extractor in place of its span tagger."""
    tagger = scorer.spans
    if rules:
        scorer.spans = _RuleSpans()
    try:
        out = scorer.score_batch([(doc.text, doc.name) for doc in docs])
    finally:
        scorer.spans = tagger
    return [None if isinstance(r, Exception) else r.to_dict() for r in out]


def span_figures(tagger: SpanTagger, docs: list[SpanDocument], cues: frozenset[str] = CUE_VERBS,
                 scorer=None) -> dict:
    """The measures of the learned tagger and of the rule-based extractor on the same documents; with `scorer`
    (a `pipeline.Scorer` whose span tagger is `tagger`), also the sentence-level measure of the source its reports
    name (`report_source_measures`), with the tagger and with the rules."""
    learned = [tagger.tag(doc.tokens, tagger.source_threshold) for doc in docs]
    rules = [rule_tags(doc, cues) for doc in docs]
    out = {"n_articles": len(docs), "tagger": span_measures(docs, learned), "rules": span_measures(docs, rules)}
    if tagger.source_threshold is not None:  # the best sequence's every source, unsure ones too
        every = span_measures(docs, [tagger.tag(doc.tokens) for doc in docs])
        out["tagger"]["every_source"] = every["overlap"]["SOURCE"]
        out["tagger"]["source_threshold"] = tagger.source_threshold
    if scorer is not None:
        for who in ("tagger", "rules"):
            out[who]["report_source"] = report_source_measures(docs, report_sources(scorer, docs, who == "rules"))
        # the same at other thresholds of the source confidence (how SOURCE_THRESHOLD is chosen, on dev)
        shipped, sweep = scorer.spans.source_threshold, {}
        try:
            for threshold in THRESHOLD_SWEEP:
                scorer.spans.source_threshold = threshold
                sweep["every" if threshold is None else str(threshold)] = report_source_measures(
                    docs, report_sources(scorer, docs))
        finally:
            scorer.spans.source_threshold = shipped
        out["tagger"]["report_source_by_threshold"] = sweep
    return out


def format_span_figures(figures: dict, split: str = "dev") -> list[str]:
    """The span figures as lines of `scorer evaluate`."""
    lines = [f"Source, cue and content spans vs PolNeAR {split}'s human spans ({figures['n_articles']} articles, "
             f"{figures['tagger']['detection']['n']} sentences; exact = same first and last token; overlap = over "
             f"tokens):",
             f"  {'':<10}{'':<9}" + "".join(f"{role.lower():>21}" for role in ROLES),
             f"  {'':<19}" + "       P     R    F1" * len(ROLES)]
    for who in ("tagger", "rules"):
        for measure in ("exact", "overlap"):
            m = figures[who][measure]
            cells = "".join(f"  {m[r]['precision']:5.3f} {m[r]['recall']:5.3f} {m[r]['f1']:5.3f}"
                            if not (who == "rules" and r == "CONTENT") else f"{'(none)':>21}" for r in ROLES)
            lines.append(f"  {who if measure == 'exact' else '':<10}{measure:<9}{cells}")
    every = figures["tagger"].get("every_source")
    if every is not None:
        lines.append(f"  (the tagger drops a source span whose mean posterior is below "
                     f"{figures['tagger']['source_threshold']}; with every source of the best sequence, source "
                     f"overlap P {every['precision']:.3f}, R {every['recall']:.3f}, F1 {every['f1']:.3f})")
    for who in ("tagger", "rules"):
        d = figures[who]["detection"]
        lines.append(f"  attribution detection ({who}): P {d['precision']:.3f}, R {d['recall']:.3f}, F1 {d['f1']:.3f}")
    for who in ("tagger", "rules"):
        r = figures[who].get("report_source")
        if r is not None:
            lines.append(f"  source the report names, per sentence ({who}; matches a human Source span of the sentence "
                         f"with token-overlap F1 >= 0.5): P {r['precision']:.3f}, R {r['recall']:.3f}, "
                         f"F1 {r['f1']:.3f} ({r['named']} sentences name one, {r['gold']} have one; {r['inherited']} "
                         f"carry one over, left out)")
    sweep = figures["tagger"].get("report_source_by_threshold", {})
    if sweep:
        lines.append("  the same (tagger) with a source shown only when its confidence reaches "
                     + "; ".join(f"{t}: P {r['precision']:.3f} R {r['recall']:.3f}" for t, r in sweep.items()))
    return lines

