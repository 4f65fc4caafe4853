"""The per-sentence table the models read: each sentence with its neighbours and its rule-extracted,
article-resolved source (the same function serves training and scoring, so both see the same inputs).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .attribution import CUE_VERBS, ArticleSources, find_attribution
from .features import CUE_FEATURES, cue_matrix

FRAME_COLUMNS = ["text", "prev_text", "next_text", "source", "source_start", "source_end", "cue", "cue_start",
                 "cue_end", "src_type", "src_method", "src_refers_to", "inherited_source", "via"]


def article_frame(article_text: str, sentences, cues: frozenset[str] = CUE_VERBS) -> pd.DataFrame:
    """One row per sentence (objects with start/end/text): context, extracted source/cue and their type.

    Offsets of source and cue are relative to the article text.
    """
    sources = ArticleSources(article_text, cues)
    texts = [s.text for s in sentences]
    rows = []
    for i, sent in enumerate(sentences):
        attr, stype, inherited = sources.add(sent.start, sent.text, find_attribution(sent.text, cues))
        shift = sent.start
        rows.append((
            sent.text, texts[i - 1] if i else "", texts[i + 1] if i + 1 < len(texts) else "",
            attr.source, None if attr.source_start is None else attr.source_start + shift,
            None if attr.source_end is None else attr.source_end + shift,
            attr.cue, None if attr.cue_start is None else attr.cue_start + shift,
            None if attr.cue_end is None else attr.cue_end + shift,
            "none" if stype is None else (stype.label or "unresolved"),
            "" if stype is None else stype.method, None if stype is None else stype.refers_to, inherited,
            attr.via,
        ))
    frame = pd.DataFrame(rows, columns=FRAME_COLUMNS)
    vecs = list(cue_matrix(texts)) if texts else []
    empty = np.zeros(len(CUE_FEATURES))
    frame["cue_vec"] = pd.Series(vecs, dtype=object)
    frame["prev_cue_vec"] = pd.Series([empty] + vecs[:-1], dtype=object) if vecs else frame["cue_vec"]
    frame["next_cue_vec"] = pd.Series(vecs[1:] + [empty], dtype=object) if vecs else frame["cue_vec"]
    return frame
