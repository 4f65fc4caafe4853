"""The per-sentence table the models read: each sentence with its neighbours and its source, cue and content
spans (tagged by the learned span tagger, or, without one, extracted by the rules), the source resolved in the
article (the same function serves training and scoring, so both see the same inputs).

`article_inputs` returns plain columns (lists, and numpy arrays for the cue vectors), so scoring needs
no pandas; `training.train.article_frame` is the same as a DataFrame, for training.
"""
from __future__ import annotations

from itertools import chain

import numpy as np

from ..attribution.lexicon import CUE_VERBS
from ..attribution.spans import NO_ATTRIBUTION, ArticleSources, find_attribution, quotes_left_open
from ..attribution.tagger import sentence_attribution
from .cues import CUE_FEATURES, cue_matrix

FRAME_COLUMNS = ["text", "prev_text", "next_text", "source", "source_start", "source_end", "cue", "cue_start",
                 "cue_end", "src_type", "src_method", "src_refers_to", "inherited_source", "via",
                 "content_start", "content_end"]
VECTOR_COLUMNS = ["cue_vec", "prev_cue_vec", "next_cue_vec"]


class ModelInputs:
    """Columns of one or more articles' sentences: FRAME_COLUMNS as lists, VECTOR_COLUMNS as (n, k) arrays.
    Indexed like a DataFrame (`inputs["text"]`, `"cue_vec" in inputs`, `len(inputs)`)."""

    def __init__(self, columns: dict):
        self.columns = columns

    def __getitem__(self, name: str):
        return self.columns[name]

    def __contains__(self, name: str) -> bool:
        if type(self.columns) is _SlicedColumns:
            return name in self.columns or name in self.columns.inputs
        return name in self.columns or (type(self.columns) is _JoinedColumns and name in FRAME_COLUMNS)

    def __len__(self) -> int:
        return len(self.columns["text"])

    def records(self, names: list[str]) -> list[dict]:
        """One dict per sentence with the given list columns."""
        return [dict(zip(names, row)) for row in zip(*(self.columns[n] for n in names))]

    def rows(self, start: int, stop: int) -> "ModelInputs":
        """Rows start:stop (a block of a long article's sentences, `pipeline.MODEL_BLOCK`): each column sliced when it
        is first read (the vectors as views), so a block costs only the columns the models read, for its rows."""
        return ModelInputs(_SlicedColumns(self, start, stop))

    @classmethod
    def concat(cls, parts: list["ModelInputs"]) -> "ModelInputs":
        """The rows of several articles, in order (one model call for a batch). A list column is joined when it is
        first read (the models read about half of them: `_JoinedColumns`), the vectors at once. So the parts' lists
        must not be changed after the call (a column not read yet would show the change), and `columns` holds the
        columns read so far: read them by name (`inputs[name]`, `records`), as the pipeline does. One part is
        returned as it is."""
        if len(parts) == 1:  # one article (as `score` gives): its own columns, not copies (a long one's are big)
            return parts[0]
        out = _JoinedColumns(parts)
        out["text"] = out.__missing__("text")
        for name in VECTOR_COLUMNS:
            out[name] = np.vstack([p.columns[name] for p in parts]) if parts else np.zeros((0, len(CUE_FEATURES)))
        return cls(out)


class _JoinedColumns(dict):
    """The columns of `ModelInputs.concat`: a FRAME_COLUMNS column not read yet is joined from the parts' when it is
    first looked up (and kept)."""

    def __init__(self, parts: list[ModelInputs]):
        super().__init__()
        self.parts = list(parts)

    def __missing__(self, name: str) -> list:
        if name not in FRAME_COLUMNS:
            raise KeyError(name)
        column = self[name] = list(chain.from_iterable([p[name] for p in self.parts]))
        return column


class _SlicedColumns(dict):
    """The columns of `ModelInputs.rows`: a column is sliced from the whole inputs' when it is first looked up (and
    kept)."""

    def __init__(self, inputs: ModelInputs, start: int, stop: int):
        super().__init__()
        self.inputs, self.start, self.stop = inputs, start, stop

    def __missing__(self, name: str):
        column = self[name] = self.inputs[name][self.start:self.stop]
        return column


def article_inputs(article_text: str, sentences, cues: frozenset[str] = CUE_VERBS, spans=None,
                   cue_vectors: np.ndarray | None = None) -> ModelInputs:
    """One row per sentence (objects with start/end/text): context, source/cue/content spans and the source's type.

    `spans`: the span tagger's spans of the sentences (`SpanTagger.spans`), as the scorer gives them; without them
    the rule-based extractor (`find_attribution` with the cue words `cues`, the baseline) finds source and cue.
    `cue_vectors`: `cue_matrix` of the sentences' texts when the caller has it (a batch computes it for all its
    articles' sentences in one call: each row is its sentence's alone). Offsets of source, cue and content are
    relative to the article text.
    """
    sources = ArticleSources(article_text, cues)
    add = sources.add
    texts = [s.text for s in sentences]
    left_open = quotes_left_open(texts)  # (the quotation each sentence leaves open, for all of them at once)
    rows = []
    for i, sent in enumerate(sentences):
        if spans is None:
            found, content = find_attribution(sent.text, cues), None
        else:
            tagged = spans[i]
            if tagged["SOURCE"] or tagged["CUE"]:
                found, content = sentence_attribution(article_text, sent, tagged)
            else:  # most sentences: no source or cue tagged (`sentence_attribution` of them, without the call)
                contents = tagged["CONTENT"]
                found, content = NO_ATTRIBUTION, (contents[0][0], contents[-1][1]) if contents else None
        if found is NO_ATTRIBUTION and not sources.quote_open and (content is None or not sources.previous):
            # nothing found and nothing carried over (no quotation open before it, and no content running on from a
            # sentence with a source; 40% of the PolNeAR dev sentences): `add` would only move its state on, done here
            sources.previous, sources.quote_open = False, left_open[i]
            rows.append(_NO_SOURCE_ROW if content is None else _NO_SOURCE_ROW[:-2] + content)
            continue
        attr, stype, inherited = add(sent.start, sent.text, found, content is not None and found.cue is None,
                                     left_open[i])
        if attr is NO_ATTRIBUTION and stype is None:  # most sentences: no source, no cue, nothing carried over
            rows.append(_NO_SOURCE_ROW if content is None else _NO_SOURCE_ROW[:-2] + content)
            continue
        shift = sent.start
        rows.append((
            attr.source, None if attr.source_start is None else attr.source_start + shift,
            None if attr.source_end is None else attr.source_end + shift,
            attr.cue, None if attr.cue_start is None else attr.cue_start + shift,
            None if attr.cue_end is None else attr.cue_end + shift,
            "none" if stype is None else (stype.label or "unresolved"),
            "" if stype is None else stype.method, None if stype is None else stype.refers_to, inherited,
            attr.via, None if content is None else content[0], None if content is None else content[1],
        ))
    if rows:
        columns = {"text": texts, "prev_text": [""] + texts[:-1], "next_text": texts[1:] + [""]}
        columns.update(zip(FRAME_COLUMNS[3:], map(list, zip(*rows))))
    else:
        columns = {name: [] for name in FRAME_COLUMNS}
    vecs = cue_matrix(texts) if cue_vectors is None else cue_vectors
    if len(vecs) != len(texts):
        raise ValueError(f"article_inputs: {len(vecs)} cue vectors for {len(texts)} sentences")
    # the neighbours' rows: the matrix shifted by one row, a row of zeros at the open end; the three are views of one
    # array with a row of zeros above and below the sentences' (a long article's matrix held once, not three times)
    padded = np.zeros((len(vecs) + 2, vecs.shape[1]), dtype=vecs.dtype)
    padded[1:-1] = vecs
    columns["cue_vec"] = padded[1:-1]
    columns["prev_cue_vec"] = padded[:-2]
    columns["next_cue_vec"] = padded[2:]
    return ModelInputs(columns)


# the row of a sentence with no source, no cue and nothing carried over (its last two cells: the content span)
_NO_SOURCE_ROW = (None, None, None, None, None, None, "none", "", None, None, None, None, None)
