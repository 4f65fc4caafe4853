"""The training corpora as model inputs: PolNeAR articles sentence by sentence with their context and
rule-extracted sources (`article_frame`, the DataFrame form of `scorer.model.inputs.article_inputs`, so that
training and scoring see the same inputs), the subjectivity corpora's sentences on their own, and the cue
lexicon learned from PolNeAR's human-marked cues (`prepare`).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..attribution.lexicon import CUE_VERBS
from ..model.inputs import FRAME_COLUMNS, VECTOR_COLUMNS, article_inputs
from ..text.segment import Sentence
from .brat import read_ann
from .corpus import attributions, build_corpus, polnear_metadata
from .cuelexicon import learn_cue_lexicon


def polnear_texts(data_dir: Path) -> dict[str, str]:
    """Article text per PolNeAR document id (train and dev)."""
    base = data_dir / "polnear" / "data"
    return {m["filename"]: (base / m["compartment"] / "text" / f"{m['filename']}.txt").read_text(encoding="utf-8")
            for m in polnear_metadata(data_dir) if m["compartment"] in ("train", "dev")}


def cue_spans(data_dir: Path, split: str = "train"):
    """(article text, cue spans) for each PolNeAR document of `split`: the cue lexicon's training signal."""
    base = data_dir / "polnear" / "data"
    for meta in polnear_metadata(data_dir):
        if meta["compartment"] != split:
            continue
        name, annotator = meta["filename"], meta["annotators"].split("|")[0]
        ann = read_ann(base / split / "attributions" / f"{name}_{annotator}.ann")
        text = (base / split / "text" / f"{name}.txt").read_text(encoding="utf-8")
        yield text, [s for a in attributions(ann) if a["cue"] is not None for s in a["cue"].spans]


def article_frame(article_text: str, sentences, cues: frozenset[str] = CUE_VERBS):
    """`article_inputs` as a pandas DataFrame (cue vectors as object columns of arrays), for training."""
    inputs = article_inputs(article_text, sentences, cues)
    frame = pd.DataFrame({name: inputs[name] for name in FRAME_COLUMNS}, columns=FRAME_COLUMNS)
    for name in VECTOR_COLUMNS:
        frame[name] = pd.Series(list(inputs[name]), dtype=object)
    return frame


def polnear_frames(corpus: pd.DataFrame, texts: dict[str, str], cues: frozenset[str]) -> pd.DataFrame:
    """PolNeAR corpus rows joined with the model inputs of `article_frame` (one call per article)."""
    pol = corpus[corpus["corpus"] == "polnear"].sort_values(["doc_id", "sentence_index"])
    parts = []
    for doc_id, group in pol.groupby("doc_id", sort=True):
        sents = [Sentence(r.start, r.end, r.text) for r in group.itertuples()]
        frame = article_frame(texts[doc_id], sents, cues).drop(columns=["text"]).add_prefix("x_")
        frame.index = group.index
        parts.append(frame)
    joined = pol.join(pd.concat(parts))
    return joined.rename(columns={f"x_{c}": c for c in MODEL_INPUT_COLUMNS})


# the article_frame columns the heads read (besides `text`); keeping the precomputed cue vectors means
# training, like scoring, computes each sentence's cue features once
MODEL_INPUT_COLUMNS = ["prev_text", "next_text", "src_type", "src_method", "cue_vec", "prev_cue_vec", "next_cue_vec"]


def single_sentence_frame(texts: list[str], cues: frozenset[str]) -> pd.DataFrame:
    """Model inputs for isolated sentences (subjectivity corpora): no neighbours."""
    parts = [article_frame(t, [Sentence(0, len(t), t)], cues) for t in texts]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def checkthat_texts(data_dir: Path) -> dict[str, str]:
    """CheckThat sentence id -> sentence, both splits, before de-duplication (graded ids may be duplicates)."""
    out = {}
    for name in ("train_en.tsv", "dev_en.tsv"):
        table = pd.read_csv(data_dir / "checkthat2025_en" / name, sep="\t", dtype=str, quoting=3)
        out.update(zip(table["sentence_id"], table["sentence"].str.strip()))
    return out


def prepare(data_dir: str | Path, cues: frozenset[str] | None = None, corpus: pd.DataFrame | None = None):
    """Corpus, cue lexicon (learned unless given), PolNeAR model frames and subjectivity frames
    (`corpus`: the corpus of `data_dir` when it is already built)."""
    data_dir = Path(data_dir)
    corpus = build_corpus(data_dir) if corpus is None else corpus
    if cues is None:
        cues = learn_cue_lexicon(cue_spans(data_dir, "train")) | CUE_VERBS
    pol = polnear_frames(corpus, polnear_texts(data_dir), cues)
    subj = corpus[corpus["corpus"] != "polnear"].reset_index(drop=True)
    inputs = single_sentence_frame(list(subj["text"]), cues)[MODEL_INPUT_COLUMNS]
    subj = pd.concat([subj, inputs], axis=1)
    return corpus, cues, pol, subj
