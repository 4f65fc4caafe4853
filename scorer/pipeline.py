"""The one scoring pipeline behind the API, the CLI, batch and the notebooks:

decode -> furniture -> segment -> model inputs -> attribution types -> sources/cues -> support -> summary

`Scorer` scores articles; `score` uses one Scorer per model, loaded once per process (`cached_scorer`, which
batch workers use too). `Scorer.score_many` scores many texts, in worker processes when asked (`pool`).

The stages hand over typed values: an `Article` in, a `PreparedArticle` (sentences, skipped furniture, model inputs)
from `Scorer._prepare`, the claim head's probabilities per article from `Scorer._claim_outputs` (one model call
for a batch), a `Report` per article from `Scorer._finish_many` (the support features and the reasons once for
the batch).
"""
from __future__ import annotations

import sys
from itertools import accumulate, chain
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .errors import InputError, ScorerError
from .labels import LABELS
from .model.claims import FURNITURE_REASON, article_means, claim_features_many, decide
from .model.cues import cue_matrix
from .model.inputs import ModelInputs, article_inputs
from .model.store import MODEL_ID, load_bundle
from .model.support import corroboration_and_overlap, reasons_many, support_features
from .pool import CHUNK, chunks, ordered_map
from .pool import restart as restart_pool
from .report.report import Report
from .report.summary import summarise
from .text import kernels
from .text.files import (DEFAULT_MAX_BYTES, article_id as file_article_id, article_text, decode_bytes, input_kind,
                         read_text_file, replace_surrogates, require_content)
from .text.furniture import Skipped
from .text.language import NON_ENGLISH_FLAG, looks_english
from .text.segment import Sentence, headline_index, split_article


# the most sentences (rows) the model stages read in one call: a batch's articles are read together up to it, a longer
# article (a hostile one can hold millions of one-word sentences) in blocks of at most this many rows, so the
# models' arrays (hundreds of floats per row) stay bounded; each row's numbers are the same either way
MODEL_BLOCK = 8192


def row_blocks(n: int, size: int) -> list[tuple[int, int]]:
    """(start, stop) of `n` rows cut into the fewest blocks of at most `size` rows, of equal sizes (give or take
    one): never a block of one row among longer ones (a product's last bits depend on its shape; one row is a BLAS
    matrix-vector call)."""
    k = max(-(-n // max(size, 1)), 1)
    return [(n * i // k, n * (i + 1) // k) for i in range(k)]


class Article(NamedTuple):
    """One article to score: its decoded text, its id (None: none), the name errors give (a file, a record) and
    whether the report carries the text (done for HTML, whose offsets refer to the converted text)."""

    text: str
    article_id: str | None = None
    name: str = "<input>"
    include_text: bool = False


class PreparedArticle(NamedTuple):
    """An article ready for the model: its sentences, the page furniture skipped, and the model inputs (one row per
    sentence)."""

    article: Article
    sentences: list[Sentence]
    skipped: list[Skipped]
    inputs: ModelInputs


def as_article(item) -> Article:
    """An `Article`, or a tuple of its fields in order (text, article_id, name, include_text), as an Article."""
    return item if isinstance(item, Article) else Article(*item)


class Scorer:
    """Loads the model once; `score(text)` returns a Report. Safe to reuse across many articles.

    `block`: the most sentences the models read in one call (`MODEL_BLOCK`; a long article's in several)."""

    block = MODEL_BLOCK

    def __init__(self, model_dir: str | Path | None = None):
        self.model_dir = model_dir
        bundle = load_bundle(model_dir)
        self.attribution = bundle["attribution"]
        self.support = bundle["support"]
        self.claims = bundle["claims"]
        self.spans = bundle["spans"]
        self.card = bundle["card"]
        self.model_info = {"id": self.card.get("id", MODEL_ID), "sha256": self.card.get("sha256")}

    def score(self, text: str, article_id: str | None = None, name: str = "<input>",
              include_text: bool = False) -> Report:
        """Score one article given as decoded text (HTML must be converted first: see `score_file`).
        `include_text` puts the scored text in `article.text` (done for HTML, whose offsets refer to it).
        `text` may also be UTF-8 `bytes` (decoded as a file would be: InputError if not UTF-8 text); any
        other type raises TypeError."""
        text = as_text(text, name)
        result = self.score_batch([Article(text, article_id, name, include_text)])[0]
        if isinstance(result, InputError):
            raise result
        return result

    def score_batch(self, items) -> list:
        """Score several articles with one model call: items are `Article`s (or tuples of its fields); returns a
        Report, or the InputError of an article that cannot be scored, per item."""
        prepared = self._prepare_many([as_article(item) for item in items])
        ready = [p for p in prepared if not isinstance(p, InputError)]
        reports = iter(self._finish_many(ready, self._claim_outputs(ready), release=True))
        return [p if isinstance(p, InputError) else next(reports) for p in prepared]

    def _prepare(self, article: Article) -> PreparedArticle:
        """One article ready for the model (InputError if there is nothing to score)."""
        prepared = self._prepare_many([article])[0]
        if isinstance(prepared, InputError):
            raise prepared
        return prepared

    def _prepare_many(self, articles: list[Article]) -> list:
        """Furniture, sentences and model inputs of each article, or its InputError when there is nothing to score:
        the span tagger reads every sentence of the batch in one pass, then each article's sources are resolved."""
        segmented = []
        for article in articles:
            try:
                segmented.append(self._segment(article))
            except InputError as exc:
                segmented.append(exc)
        ready = [s for s in segmented if not isinstance(s, InputError)]
        tagged = iter(self.spans.spans_many([(article.text, sentences) for article, sentences, _ in ready]))
        # the cue features of every sentence of the batch in one call (each row is its sentence's alone), cut back
        # into the articles' blocks
        vectors = cue_matrix([sent.text for _, sentences, _ in ready for sent in sentences])
        ends = accumulate(len(sentences) for _, sentences, _ in ready)
        blocks = iter([vectors[end - len(s[1]):end] for s, end in zip(ready, ends)])
        return [s if isinstance(s, InputError) else
                PreparedArticle(*s, article_inputs(s[0].text, s[1], self.attribution.cues, spans=next(tagged),
                                                   cue_vectors=next(blocks)))
                for s in segmented]

    @staticmethod
    def _segment(article: Article) -> tuple[Article, list[Sentence], list[Skipped]]:
        """The furniture and sentences of one article (InputError if there is nothing to score)."""
        require_content(article.text, article.name)
        sentences, skipped = split_article(article.text)
        if not sentences and article.include_text:  # text extracted from a page (HTML, Markdown)
            raise InputError(f"no article text found in {article.name} (only page furniture)")
        if not sentences:
            raise InputError(f"{article.name}: no article sentences (only page furniture)")
        return article, sentences, skipped

    def _claim_outputs(self, ready: list[PreparedArticle]) -> list[tuple[np.ndarray, np.ndarray]]:
        """The claim head's probabilities (model.claims.CLAIM_CLASSES) of each article's sentences, with one call of
        each model for all the articles; when they are more than `block` sentences (a long or hostile article), with
        one call per block of rows, each row's numbers the same (`row_blocks`)."""
        if not ready:
            return []
        inputs = ModelInputs.concat([p.inputs for p in ready])
        counts = [len(p.inputs) for p in ready]
        # the claim-level head reads each article's sentences with their neighbours (claim_features, for the batch)
        texts = [s.text for p in ready for s in p.sentences]
        lengths = [len(t) for t in texts]
        spans = row_blocks(len(texts), self.block)
        if len(spans) == 1:
            heads = np.column_stack(self.attribution.head_probabilities(inputs))
            tokens, dense = claim_features_many(inputs, heads, lengths, counts)
            probs, grades = self.claims.predict(texts, tokens, dense)
        else:
            heads = np.vstack([np.column_stack(self.attribution.head_probabilities(inputs.rows(a, b)))
                               for a, b in spans])
            means = article_means(heads, counts)
            outputs = [self.claims.predict(texts[a:b], *claim_features_many(inputs, heads, lengths, counts, (a, b),
                                                                           means))
                       for a, b in spans]
            probs, grades = np.vstack([p for p, _ in outputs]), np.concatenate([g for _, g in outputs])
        cuts = np.cumsum(counts)[:-1]
        return list(zip(np.split(probs, cuts), np.split(grades, cuts)))

    def _finish(self, p: PreparedArticle, claim_probs: np.ndarray, claim_grades: np.ndarray) -> Report:
        """Support, sources and the summary of one article, given its claim-level probabilities and grade estimates
        (`_finish_many` of the one article)."""
        return self._finish_many([p], [(claim_probs, claim_grades)])[0]

    def _finish_many(self, ready: list[PreparedArticle], claims: list[tuple[np.ndarray, np.ndarray]],
                     release: bool = False) -> list[Report]:
        """Support, sources and the summary of each article, given its claim-level probabilities and grade estimates
        (`_claim_outputs`): sentences the claim head reads as page furniture are skipped (`model.claims.decide`), the
        others typed by the four labels' probabilities.

        The articles' kept sentences are stacked for the support features and the reasons (one call of each for the
        batch: each row's numbers are those of the article alone, row by row the same operations), and their numbers
        turned into plain Python lists once; the support model, corroboration, the rows and the summary are per
        article.

        `release`: the articles are this call's alone (`score_batch`'s): the model inputs' columns the sentence rows do
        not read are let go once read (a long article's cue vectors, tens of MB), before the rows are made."""
        if not ready:
            return []
        decided = [decide(claim_probs) for claim_probs, _ in claims]
        keeps = [np.flatnonzero(~furniture) for furniture, _ in decided]
        probs = np.vstack([four[keep] for (_, four), keep in zip(decided, keeps)])
        labels = [LABELS[i] for i in probs.argmax(axis=1).tolist()]
        kept, sentences, texts, corr, heads, overlaps, bounds = [], [], [], [], [], [], [0]
        for p, keep in zip(ready, keeps):
            kept.append(keep.tolist())
            sentences.append([p.sentences[k] for k in kept[-1]])
            article_texts = [s.text for s in sentences[-1]]
            heads.append(headline_index(p.article.text, sentences[-1]))
            texts += article_texts
            article_corr, overlap = corroboration_and_overlap(article_texts, labels[bounds[-1]:len(texts)], heads[-1])
            corr += article_corr
            overlaps.append(overlap)
            bounds.append(len(texts))
        cues = [p.inputs["cue_vec"][keep] for p, keep in zip(ready, keeps)]
        cues = cues[0] if len(cues) == 1 else np.vstack(cues)
        if release:
            for p in ready:
                for name in [name for name in p.inputs.columns if name not in _SOURCE_COLUMNS]:
                    del p.inputs.columns[name]
        claim_grades = np.concatenate([article_grades[keep] for (_, article_grades), keep in zip(claims, keeps)])
        X = support_features(texts, probs, corr, cues, claim_grades)
        # the support model on each article's rows alone, as when it is the batch's only article: a product's last bits
        # depend on its shape (one row is a BLAS matrix-vector call), so the products are made per article (the
        # cell-by-cell steps once for the batch: `SupportModel.predict_and_contributions_many`)
        support, grades, contrib = self.support.predict_and_contributions_many(X, bounds)
        # the reasons a block of rows at a time (each row's are its own: `reasons_many`), so a long article's sort
        # and masks (several arrays of its rows by the features) stay bounded; the arrays let go before the rows
        reasons = list(chain.from_iterable(reasons_many(contrib[a:b], X[a:b], texts[a:b], corr[a:b], labels[a:b])
                                           for a, b in row_blocks(len(texts), self.block)))
        furnitures = [furniture for furniture, _ in decided]
        del X, contrib, cues, claim_grades, decided, keeps
        # plain Python numbers (tolist) instead of one numpy scalar per cell, rounded as reported, for the whole batch
        probs, support, grades = rounded(probs, 4), rounded(support, 4), grades.tolist()
        reports = []
        for a, (p, furniture) in enumerate(zip(ready, furnitures)):
            at = slice(bounds[a], bounds[a + 1])
            rows = sentence_rows(sentences[a], kept[a], labels[at], probs[at], p.inputs, support[at], grades[at],
                                 reasons[at], corr[at], heads[a])
            reports.append(self._report(p, furniture, sentences[a], rows, heads[a], overlaps[a]))
        return reports

    def _report(self, p: PreparedArticle, furniture: np.ndarray, sentences: list[Sentence], rows: list[dict],
                head: int | None, overlap: list[int] | None) -> Report:
        """The Report of one article from its sentence rows: the summary, the flags, the skipped furniture."""
        text = p.article.text
        skipped = sorted(list(p.skipped) + [Skipped(s.start, s.end, s.text, FURNITURE_REASON)
                                            for s in map(p.sentences.__getitem__, np.flatnonzero(furniture).tolist())])
        summary = summarise(rows, head, overlap)
        if not looks_english(text):
            summary["flags"].insert(0, NON_ENGLISH_FLAG)
        title = sentences[head].text if head is not None else None
        article = {"id": p.article.article_id, "title": title, "n_sentences": len(rows), "n_skipped": len(skipped)}
        if p.article.include_text:
            article["text"] = text
        return Report(model=self.model_info, article=article, summary=summary, sentences=rows,
                      skipped=[s._asdict() for s in skipped], text=text)

    def score_file(self, path: str | Path, article_id: str | None = None,
                   max_bytes: int | None = DEFAULT_MAX_BYTES) -> Report:
        """Score a .txt/.md/.html file (HTML and Markdown also sniffed in a file without a suffix: see
        `text.files.input_kind`); HTML and Markdown are converted to article text first (offsets refer to that
        text, which the report carries as `article.text`). The id is the file name without its suffix. Files over
        `max_bytes` (None or 0: no limit) are refused before they are read."""
        text = read_text_file(path, max_bytes)
        return self.score_input(text, input_kind(path, text), article_id or file_article_id(Path(path).name), str(path))

    def score_input(self, text: str, kind: str, article_id: str | None = None, name: str = "<input>") -> Report:
        """Score an article read as `kind` ("html", "markdown" or "text"; see `text.files.input_kind`)."""
        converted = kind in ("html", "markdown")
        if converted:
            text = article_text(text, kind, name)
        return self.score(text, article_id=article_id, name=name, include_text=converted)

    def score_url(self, url: str, max_bytes: int | None = DEFAULT_MAX_BYTES, timeout: float | None = None) -> Report:
        """Fetch a web page (`text.fetch.fetch_page`: http/https only, bounded time, size and redirects) and score
        it as HTML; the id is the URL. `timeout`: seconds for the whole fetch (default: `text.fetch.fetch_timeout`).
        InputError naming the URL when the page cannot be fetched."""
        from .text.fetch import fetch_page

        page = fetch_page(url, max_bytes=max_bytes, timeout=timeout)
        return self.score_input(page, "html", article_id=url, name=url)

    def score_many(self, texts, n_jobs: int = 1):
        """Iterator of Reports for an iterable of texts, in order; n_jobs > 1 uses worker processes
        (each loads this Scorer's model once). The first text that cannot be scored raises its InputError."""
        if n_jobs > 1:
            # forked workers find this Scorer as their process's (`cached_scorer`): they use the model this process
            # loaded, in pages shared with it, instead of loading one each (spawned workers load their own)
            if _SCORERS.get(str(self.model_dir)) is not self:  # workers forked for another Scorer would use its model
                _SCORERS[str(self.model_dir)] = self
                restart_pool()
            numbered = ((i, replace_surrogates(as_text(t, f"<text {i}>"))) for i, t in enumerate(texts))
            for result in ordered_map(_score_in_worker, numbered, jobs=n_jobs, args=(self.model_dir,)):
                if isinstance(result, ScorerError):
                    raise InputError(str(result))
                yield result
            return
        # in this process as in the workers: the same names in errors, lone surrogates replaced
        for chunk in chunks(enumerate(texts), CHUNK):
            articles = [Article(replace_surrogates(as_text(t, f"<text {i}>")), None, f"<text {i}>") for i, t in chunk]
            for result in self.score_batch(articles):
                if isinstance(result, InputError):
                    raise result
                yield result


def as_text(text, name: str = "<input>") -> str:
    """An article given to the API as text: `str` as is (a subclass's value as a plain str), `bytes` decoded as UTF-8
    (InputError naming `name` if they are not UTF-8 text); anything else is a TypeError that names the accepted
    types."""
    if isinstance(text, str):
        return text if type(text) is str else str.__str__(text)  # a subclass (numpy.str_) as the text it holds
    if isinstance(text, (bytes, bytearray)):
        return decode_bytes(bytes(text), name)
    raise TypeError(f"an article must be str (or UTF-8 bytes), not {type(text).__name__}")


_SOURCE_COLUMNS = ("source", "cue", "inherited_source", "src_type", "src_refers_to", "via", "source_start",
                   "source_end", "cue_start", "cue_end", "content_start", "content_end")


def sentence_rows(sentences: list[Sentence], kept: list[int], labels: list[str], probabilities: list[list[float]],
                  inputs: ModelInputs, support: list[float], grades: list[int], reasons: list[list[str]],
                  corroborated: list[int | None], headline: int | None) -> list[dict]:
    """The report's sentence rows: sentence i is row kept[i] of `inputs`, typed labels[i], with its type probabilities
    and support as reported (rounded to 4 decimals: `rounded`).

    The source and cue reported are consistent with the type: none for the writer's opinion, nor for the outlet's own
    claim unless the source was typed as one; a source carried over from the sentence before when the sentence names
    none; `source` is what a pronoun, role noun or relative pronoun was resolved back to, else the phrase. The spans
    are [start, end] article offsets (null when not reported): the source span is the mention in this sentence ("they"
    for a source resolved from an earlier sentence); the content span is given with a reported source or cue, or a
    source carried over from the sentence before."""
    columns = [inputs[name] for name in _SOURCE_COLUMNS]
    if kernels.ACTIVE:  # the same rows by the compiled kernel, when the cells are plain (below; None when they are not)
        rows = kernels.report_rows(sentences, kept, labels, probabilities, LABELS, columns, support, grades, reasons,
                                   corroborated, headline, Sentence)
        if rows is not None:
            return rows
    # cells of plain types (as the model inputs give them): the columns as they are, a span's ends as they are (they
    # are ints); else missing markers made None (`_present`) and the ends made ints (`_span`)
    plain = set(map(type, chain.from_iterable(columns))) <= _PLAIN_CELLS
    (source_col, cue_col, inherited_col, type_col, refers_col, via_col, source_start, source_end, cue_start, cue_end,
     content_start, content_end) = columns if plain else map(_present, columns)
    span = _plain_span if plain else _span
    rows = []
    for i, sent in enumerate(sentences):
        k = kept[i]
        label = labels[i]
        if label == "editorial_opinion":
            phrase = cue = refers = None
            attributed = False
        else:
            inherited = inherited_col[k]
            if label == "outlet_claim" and type_col[k] != "outlet_claim":
                phrase = cue = refers = None
            else:
                phrase, cue = source_col[k], cue_col[k]
                if phrase is None and inherited:
                    phrase, cue, refers = inherited, None, None
                else:
                    refers = refers_col[k]
            attributed = phrase is not None or cue is not None or (label != "outlet_claim" and bool(inherited))
        rows.append({
            "index": i, "start": sent.start, "end": sent.end, "text": sent.text,
            "attribution_type": label,
            "probabilities": dict(zip(LABELS, probabilities[i])),
            "source": refers or phrase, "cue": cue, "source_phrase": phrase, "via": via_col[k],
            "source_span": span(source_start[k], source_end[k]) if phrase is not None else None,
            "cue_span": span(cue_start[k], cue_end[k]) if cue is not None else None,
            "content_span": span(content_start[k], content_end[k]) if attributed else None,
            "support": support[i], "support_grade": grades[i],
            "reasons": reasons[i],
            "corroborated_by": corroborated[i], "is_headline": i == headline,
        })
    return rows


_PLAIN_CELLS = frozenset({type(None), str, int})


def _plain_span(start, end) -> list[int] | None:
    """`_span` of cells that are ints or None."""
    return None if start is None or end is None else [start, end]


def rounded(values: np.ndarray, digits: int) -> list:
    """`round(float(v), digits)` of every value of a float array, as a (nested) list of Python floats.

    numpy's rint(v * 10**digits) / 10**digits is that value (Python's round: the double nearest to the decimal the
    exact v rounds to, half to even) whenever v * 10**digits is more than a millionth away from half an integer and
    below 1e9 (the product's rounding error, under half a millionth there, cannot move it across the half; the
    integer is exact and the division rounds correctly); each other value (a tie or close to one, NaN, infinite, very
    large) is rounded by Python."""
    values = np.asarray(values, dtype=np.float64)
    scale = 10.0 ** digits
    with np.errstate(over="ignore", invalid="ignore"):  # (an infinite product, inf - inf: not clear)
        scaled = values * scale
        out = (np.rint(scaled) / scale).tolist()
        clear = (np.abs(scaled - np.floor(scaled) - 0.5) >= 1e-6) & (np.abs(scaled) < 1e9)
    for at in np.argwhere(~clear).tolist():
        cells = out
        for i in at[:-1]:
            cells = cells[i]
        cells[at[-1]] = round(float(values[tuple(at)]), digits)
    return out


def _span(start, end) -> list[int] | None:
    """A span of model-inputs cells (`_present`) as [start, end], or None when either is missing."""
    return None if start is None or end is None else [int(start), int(end)]


def _present(column: list) -> list:
    """A model-inputs column with its missing markers (None, NaN) as None: the column itself when it holds no float."""
    if any(issubclass(kind, float) for kind in set(map(type, column))):
        return [_value(v) for v in column]
    return column


def _value(v):
    """A model-inputs cell as a plain value: missing markers (None, NaN) become None."""
    return None if v is None or (isinstance(v, float) and v != v) else v


def score_items(scorer: Scorer, items: list[Article]) -> list:
    """`scorer.score_batch(items)`, except that an unexpected exception (a bug, not bad input) costs only the item
    that raised it: the items are scored again one by one and that one gets a ScorerError naming it."""
    try:
        return scorer.score_batch(items)
    except Exception:  # noqa: BLE001 - isolate the failing item, report it, keep the others
        if len(items) == 1:
            return [internal_error(as_article(items[0]).name)]
        return [r for item in items for r in score_items(scorer, [item])]


def internal_error(name: str) -> ScorerError:
    """The ScorerError of the exception being handled (a bug, not bad input) of the article or record `name`: its
    type, message and where it was raised, to report."""
    import traceback

    exc = sys.exc_info()[1]
    frame = traceback.extract_tb(exc.__traceback__)[-1]
    return ScorerError(f"{name}: internal error {type(exc).__name__}: {exc} "
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
    return score_items(cached_scorer(model_dir), [Article(text, None, f"<text {i}>") for i, text in chunk])


def score(text: str, model_dir: str | Path | None = None) -> Report:
    """Score one article (str, or UTF-8 bytes) with the default (or given) model, loaded once and cached;
    TypeError for any other type (checked before the model is loaded)."""
    text = as_text(text)
    return cached_scorer(model_dir).score(text)
