"""The one scoring pipeline behind the API, the CLI, batch and the notebooks:

decode -> furniture -> segment -> model inputs -> attribution types -> sources/cues -> support -> summary

`Scorer` scores articles; `score` uses one Scorer per model, loaded once per process (`cached_scorer`, which
batch workers use too). `Scorer.score_many` scores many texts, in worker processes when asked (`pool`).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from .errors import InputError, ScorerError
from .labels import LABELS
from .model.claims import FURNITURE_REASON, claim_features, decide
from .model.inputs import ModelInputs, article_inputs
from .model.store import MODEL_ID, load_bundle
from .model.support import corroboration, reasons_for, support_features
from .pool import CHUNK, chunks, ordered_map
from .report.report import Report
from .report.summary import summarise
from .text.files import DEFAULT_MAX_BYTES, decode_bytes, is_html, read_text_file, replace_surrogates, require_content
from .text.html import html_to_text
from .text.furniture import Skipped
from .text.language import NON_ENGLISH_FLAG, looks_english
from .text.segment import headline_index, split_article


class Scorer:
    """Loads the model once; `score(text)` returns a Report. Safe to reuse across many articles."""

    def __init__(self, model_dir: str | Path | None = None):
        self.model_dir = model_dir
        bundle = load_bundle(model_dir)
        self.attribution = bundle["attribution"]
        self.support = bundle["support"]
        self.claims = bundle["claims"]
        self.card = bundle["card"]
        self.model_info = {"id": self.card.get("id", MODEL_ID), "sha256": self.card.get("sha256")}

    def score(self, text: str, article_id: str | None = None, name: str = "<input>",
              include_text: bool = False) -> Report:
        """Score one article given as decoded text (HTML must be converted first: see `score_file`).
        `include_text` puts the scored text in `article.text` (done for HTML, whose offsets refer to it).
        `text` may also be UTF-8 `bytes` (decoded as a file would be: InputError if not UTF-8 text); any
        other type raises TypeError."""
        text = as_text(text, name)
        result = self.score_batch([(text, article_id, name, include_text)])[0]
        if isinstance(result, InputError):
            raise result
        return result

    def score_batch(self, items) -> list:
        """Score several articles with one model call: items are (text, article_id, name, include_text)
        tuples; returns a Report, or the InputError of an article that cannot be scored, per item."""
        prepared = []
        for item in items:
            try:
                prepared.append(self._prepare(*item))
            except InputError as exc:
                prepared.append(exc)
        ready = [p for p in prepared if not isinstance(p, InputError)]
        if not ready:
            return prepared
        heads = np.column_stack(self.attribution.head_probabilities(ModelInputs.concat([p["frame"] for p in ready])))
        texts, tokens, dense, offset = [], [], [], 0
        for p in ready:  # the claim-level head reads each article's sentences with their neighbours
            n = len(p["frame"])
            article_tokens, article_dense = claim_features(p["frame"], heads[offset:offset + n],
                                                           [len(s.text) for s in p["sentences"]])
            texts += [s.text for s in p["sentences"]]
            tokens += article_tokens
            dense.append(article_dense)
            offset += n
        probs = self.claims.predict_proba(texts, tokens, np.vstack(dense))
        out, offset = [], 0
        for p in prepared:
            if isinstance(p, InputError):
                out.append(p)
                continue
            n = len(p["frame"])
            out.append(self._finish(p, probs[offset:offset + n]))
            offset += n
        return out

    def _prepare(self, text: str, article_id=None, name: str = "<input>", include_text: bool = False) -> dict:
        """Furniture, sentences and model inputs of one article (InputError if there is nothing to score)."""
        require_content(text, name)
        sentences, skipped = split_article(text)
        if not sentences:
            raise InputError(f"{name}: no article sentences (only page furniture)")
        return {"text": text, "article_id": article_id, "name": name, "include_text": include_text, "sentences": sentences,
                "skipped": skipped, "frame": article_inputs(text, sentences, self.attribution.cues)}

    def _finish(self, p: dict, claim_probs: np.ndarray) -> Report:
        """Support, sources and the summary of one article, given its claim-level probabilities: sentences the
        claim head reads as page furniture are skipped (`model.claims.decide`), the others typed by the four
        labels' probabilities."""
        text = p["text"]
        furniture, four = decide(claim_probs)
        keep = np.flatnonzero(~furniture)
        sentences = [p["sentences"][k] for k in keep]
        skipped = sorted(list(p["skipped"]) + [Skipped(s.start, s.end, s.text, FURNITURE_REASON)
                                               for s, f in zip(p["sentences"], furniture) if f])
        probs = four[keep]
        labels = [LABELS[i] for i in probs.argmax(axis=1).tolist()]
        texts = [s.text for s in sentences]
        corr = corroboration(texts, labels)
        X = support_features(texts, probs, corr, p["frame"]["cue_vec"][keep])
        support, grades = self.support.predict(X)
        contrib = self.support.contributions(X)
        head = headline_index(text, sentences)
        rows = []
        records = p["frame"].records(["source", "cue", "inherited_source", "src_method", "src_type", "src_refers_to",
                                      "via"])
        # plain Python numbers (tolist) instead of one numpy scalar per cell: the same values, faster
        kept, prob_rows, support_list, grade_list = keep.tolist(), probs.tolist(), support.tolist(), grades.tolist()
        for i, sent in enumerate(sentences):
            rec = records[kept[i]]
            label = labels[i]
            phrase, cue, refers = _source_for(rec, label)
            rows.append({
                "index": i, "start": sent.start, "end": sent.end, "text": sent.text,
                "attribution_type": label,
                "probabilities": {lab: round(q, 4) for lab, q in zip(LABELS, prob_rows[i])},
                "source": refers or phrase, "cue": cue, "source_phrase": phrase, "via": _value(rec["via"]),
                "support": round(support_list[i], 4), "support_grade": grade_list[i],
                "reasons": reasons_for(contrib[i], X[i], sent.text, corr[i], label),
                "corroborated_by": corr[i], "is_headline": i == head,
            })
        summary = summarise(rows, head)
        if not looks_english(text):
            summary["flags"].insert(0, NON_ENGLISH_FLAG)
        title = sentences[head].text if head is not None else None
        article = {"id": p["article_id"], "title": title, "n_sentences": len(rows), "n_skipped": len(skipped)}
        if p["include_text"]:
            article["text"] = text
        return Report(model=self.model_info, article=article, summary=summary, sentences=rows,
                      skipped=[s._asdict() for s in skipped])

    def score_file(self, path: str | Path, article_id: str | None = None,
                   max_bytes: int | None = DEFAULT_MAX_BYTES) -> Report:
        """Score a .txt/.md/.html file; HTML is converted to article text first (offsets refer to that text).
        Files over `max_bytes` (None or 0: no limit) are refused before they are read."""
        text = read_text_file(path, max_bytes)
        html = is_html(path, text)
        if html:
            text = html_to_text(text, str(path))
        return self.score(text, article_id=article_id or Path(path).stem, name=str(path), include_text=html)

    def score_many(self, texts, n_jobs: int = 1):
        """Iterator of Reports for an iterable of texts, in order; n_jobs > 1 uses worker processes
        (each loads this Scorer's model once). The first text that cannot be scored raises its InputError."""
        if n_jobs > 1:
            numbered = ((i, replace_surrogates(as_text(t, f"<text {i}>"))) for i, t in enumerate(texts))
            for result in ordered_map(_score_in_worker, numbered, jobs=n_jobs, args=(self.model_dir,)):
                if isinstance(result, ScorerError):
                    raise InputError(str(result))
                yield result
            return
        for chunk in chunks(texts, CHUNK):
            for result in self.score_batch([(as_text(t), None, "<input>", False) for t in chunk]):
                if isinstance(result, InputError):
                    raise result
                yield result


def as_text(text, name: str = "<input>") -> str:
    """An article given to the API as text: `str` as is, `bytes` decoded as UTF-8 (InputError naming `name`
    if they are not UTF-8 text); anything else is a TypeError that names the accepted types."""
    if isinstance(text, str):
        return text
    if isinstance(text, (bytes, bytearray)):
        return decode_bytes(bytes(text), name)
    raise TypeError(f"an article must be str (or UTF-8 bytes), not {type(text).__name__}")


def _source_for(rec, label: str) -> tuple[str | None, str | None, str | None]:
    """The source and cue to report for a sentence, consistent with its predicted type."""
    source, cue, inherited = _value(rec["source"]), _value(rec["cue"]), _value(rec["inherited_source"])
    if label == "editorial_opinion":
        return None, None, None
    if label == "outlet_claim" and rec["src_type"] != "outlet_claim":
        return None, None, None
    if source is None and inherited:
        return inherited, None, None
    # set only when a pronoun, role noun or relative pronoun was resolved back to an earlier source
    return source, cue, _value(rec["src_refers_to"])


def _value(v):
    """A model-inputs cell as a plain value: missing markers (None, NaN) become None."""
    return None if v is None or (isinstance(v, float) and v != v) else v


def score_items(scorer: Scorer, items: list[tuple]) -> list:
    """`scorer.score_batch(items)`, except that an unexpected exception (a bug, not bad input) costs only the item
    that raised it: the items are scored again one by one and that one gets a ScorerError naming it."""
    try:
        return scorer.score_batch(items)
    except Exception:  # noqa: BLE001 - isolate the failing item, report it, keep the others
        if len(items) == 1:
            return [_internal_error(items[0])]
        return [r for item in items for r in score_items(scorer, [item])]


def _internal_error(item: tuple) -> ScorerError:
    import traceback

    exc = sys.exc_info()[1]
    frame = traceback.extract_tb(exc.__traceback__)[-1]
    return ScorerError(f"{item[2]}: internal error {type(exc).__name__}: {exc} "
                       f"(at {Path(frame.filename).name}:{frame.lineno}); please report it")


_SCORERS: dict[str, Scorer] = {}


def cached_scorer(model_dir: str | Path | None = None) -> Scorer:
    """This process's Scorer for `model_dir` (None: the shipped model), loaded on first use and kept: `score` uses
    it, and so does each worker process, which loads the model once."""
    key = str(model_dir)
    if key not in _SCORERS:
        _SCORERS[key] = Scorer(model_dir)
    return _SCORERS[key]


def _score_in_worker(chunk: list[tuple[int, str]], model_dir) -> list:
    """Worker side of `Scorer.score_many(n_jobs > 1)`: the Report, or the error, of each numbered text."""
    return score_items(cached_scorer(model_dir), [(text, None, f"<text {i}>", False) for i, text in chunk])


def score(text: str, model_dir: str | Path | None = None) -> Report:
    """Score one article (str, or UTF-8 bytes) with the default (or given) model, loaded once and cached;
    TypeError for any other type (checked before the model is loaded)."""
    text = as_text(text)
    return cached_scorer(model_dir).score(text)
