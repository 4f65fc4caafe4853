"""Fitting the claim-level head on the readers' labels (data/claims/), with the PolNeAR heads' outputs out of fold.

The readers' labels are stored as offsets and text hashes into the corpora (tools/reading.py deals the sheets and
collects the answers); the texts come from the data directory given to `scorer train`. For PolNeAR train articles
and CheckThat train sentences, whose words the PolNeAR and subjectivity heads were fitted on, the heads' outputs
come from heads refitted without them (five folds by article), so the claim head learns from outputs like those it
sees at scoring time.
"""
from __future__ import annotations

import csv
import hashlib
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..labels import LABELS
from ..model.claims import CLAIM_CLASSES, CompiledClaimModel, TfidfBlock, claim_features, combined, decide
from ..model.cues import cue_matrix
from ..model.heads import SOURCE_TOKEN_PATTERN
from ..model.inputs import article_inputs
from ..model.support import corroboration, support_features
from ..text.segment import Sentence
from .compile import compile_attribution
from .corpus import load_subjectivity
from .evaluate import keyword_rule, metrics_table, per_class
from .heads import document_folds, fit_heads

WORD_WEIGHT = 3.0     # the word and source-token blocks' weight against the scaled dense block (chosen on dev)
SOURCE_WEIGHT = 3.0
C = 1.0
GRADE_ALPHA = 30.0    # the grade row's ridge penalty (chosen by cross-validation by article on the training units)
FOLDS = 5
SEED = 11


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def read_tsv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def article_text(data_dir: Path, article_id: str, examples_dir: Path | None = None) -> str:
    """The text of a read article: `corpus/split/name` ids into the data directory (polnear, bbc, checkthat) or
    `example/name` into the examples directory."""
    corpus, rest = article_id.split("/", 1)
    if corpus == "polnear":
        split, name = rest.split("/", 1)
        return (data_dir / "polnear" / "data" / split / "text" / f"{name}.txt").read_text(encoding="utf-8")
    if corpus == "bbc":
        return (data_dir / "bbc" / "articles" / f"{rest}.txt").read_text(encoding="utf-8")
    if corpus == "checkthat":
        split, sid = rest.split("/", 1)
        return _checkthat(data_dir, split)[sid]
    if corpus == "example" and examples_dir is not None:
        return (examples_dir / f"{rest}.txt").read_text(encoding="utf-8")
    raise ValueError(f"unknown corpus in article id {article_id!r}")


_CHECKTHAT: dict = {}


def _checkthat(data_dir: Path, split: str) -> dict[str, str]:
    key = (str(data_dir), split)
    if key not in _CHECKTHAT:
        with (data_dir / "checkthat2025_en" / f"{split}_en.tsv").open(encoding="utf-8", newline="") as fh:
            _CHECKTHAT[key] = {row["sentence_id"]: row["sentence"].strip()
                               for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)}
    return _CHECKTHAT[key]


class ClaimArticle:
    """One read article: its text and its units (Sentence-like: start, end, text), labels by unit index."""

    def __init__(self, article_id: str, set_name: str, text: str, units: list, labels: dict[int, dict]):
        self.article_id, self.set, self.text, self.units, self.labels = article_id, set_name, text, units, labels


def load_claims(claims_dir: Path, data_dir: Path, examples_dir: Path | None = None) -> list[ClaimArticle]:
    """The read articles with their standing labels; a unit whose text no longer matches its hash is an error."""
    units = read_tsv(claims_dir / "units.tsv")
    labels = {(r["article_id"], int(r["index"])): r for r in read_tsv(claims_dir / "labels.tsv")}
    by_article = defaultdict(list)
    for u in units:
        by_article[u["article_id"]].append(u)
    out = []
    for aid, us in by_article.items():
        if not any((aid, int(u["index"])) in labels for u in us):
            continue
        if aid.startswith("example/") and examples_dir is None:
            continue
        text = article_text(data_dir, aid, examples_dir)
        sents = []
        for u in sorted(us, key=lambda u: int(u["index"])):
            s, e = int(u["start"]), int(u["end"])
            if text_hash(text[s:e]) != u["sha"]:
                raise InputError(f"{claims_dir / 'units.tsv'}: {aid} unit {u['index']} no longer matches its text "
                                 f"hash (corpus changed?)")
            sents.append(Sentence(s, e, text[s:e]))
        out.append(ClaimArticle(aid, us[0]["set"], text, sents,
                                {i: labels[(aid, i)] for i in range(len(sents)) if (aid, i) in labels}))
    return out


def article_claim_inputs(text: str, sentences: list, model, cues: frozenset[str], tagger=None):
    """(texts, source tokens, dense features, model inputs, heads' outputs) of one article's sentences, as the
    scorer computes them (`model`: the compiled PolNeAR heads; `tagger`: the span tagger, else the rules)."""
    inputs = article_inputs(text, sentences, cues, spans=tagger.spans(text, sentences) if tagger else None)
    heads = np.column_stack(model.head_probabilities(inputs))
    tokens, dense = claim_features(inputs, heads, [len(s.text) for s in sentences])
    return [s.text for s in sentences], tokens, dense, inputs, heads


def fit_claim_model(texts: list[str], tokens: list[str], dense: np.ndarray, y: list[str], grades: np.ndarray):
    """The scikit-learn parts of the claim head, fitted (deterministic: lbfgs and conjugate gradients, no random
    state involved): the vectorizers, the scaler, the classifier, and the grade row (a ridge regression over the
    same inputs, fitted on the units with a grade)."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.preprocessing import StandardScaler

    words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, dtype=np.float32).fit(texts)
    sources = TfidfVectorizer(token_pattern=SOURCE_TOKEN_PATTERN, min_df=2, sublinear_tf=True,
                              dtype=np.float32).fit(tokens)
    scaler = StandardScaler().fit(dense)
    X = hstack([words.transform(texts) * WORD_WEIGHT, sources.transform(tokens) * SOURCE_WEIGHT,
                csr_matrix(scaler.transform(dense))]).tocsr()
    clf = LogisticRegression(C=C, max_iter=5000).fit(X, y)
    if tuple(clf.classes_) != tuple(sorted(CLAIM_CLASSES)):
        raise ValueError(f"claim labels {list(clf.classes_)}: every class of {CLAIM_CLASSES} must occur")
    grades = np.asarray(grades, dtype=np.float64)
    graded = ~np.isnan(grades)
    grade = Ridge(alpha=GRADE_ALPHA, solver="sparse_cg", tol=1e-6).fit(X[graded], grades[graded])
    return words, sources, scaler, clf, grade


def compile_claim_model(words, sources, scaler, clf, grade):
    """The fitted parts as a CompiledClaimModel (classes in CLAIM_CLASSES order, then the grade row; block weights
    folded in)."""
    order = [list(clf.classes_).index(c) for c in CLAIM_CLASSES]
    n_w, n_s = len(words.idf_), len(sources.idf_)
    coef = np.vstack([np.asarray(clf.coef_, dtype=np.float64)[order],
                      np.asarray(grade.coef_, dtype=np.float64).reshape(1, -1)])
    coef[:, :n_w] *= WORD_WEIGHT
    coef[:, n_w:n_w + n_s] *= SOURCE_WEIGHT
    blocks = []
    for vec in (words, sources):
        terms = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
        blocks.append(TfidfBlock(terms, np.asarray(vec.idf_), vec.token_pattern, vec.ngram_range[1]))
    scale = np.asarray(scaler.scale_, dtype=np.float64)
    return CompiledClaimModel(blocks[0], blocks[1], np.asarray(scaler.mean_, dtype=np.float64), scale,
                              coef[:len(order)], np.asarray(clf.intercept_, dtype=np.float64)[order], coef[len(order)],
                              float(grade.intercept_))


def heads_without(arts: list[ClaimArticle], pol, subj, cues: frozenset[str], final_model, log=print) -> dict:
    """The PolNeAR heads for each read article: refitted without its fold of the training articles whose words
    the heads learn from (PolNeAR train documents, CheckThat train sentences), else the final heads."""
    seen = [a.article_id for a in arts if a.set == "train" and a.article_id.startswith(("polnear/train/",
                                                                                          "checkthat/train/"))]
    folds = document_folds(seen, FOLDS, SEED)
    out = {a.article_id: final_model for a in arts}
    for k in range(FOLDS):
        held = [a for a in arts if folds.get(a.article_id) == k]
        docs = {a.article_id.split("/", 2)[2] for a in held if a.article_id.startswith("polnear/")}
        sentences = {a.text.strip() for a in held if a.article_id.startswith("checkthat/")}
        heads = compile_attribution(fit_heads(pol[~pol["doc_id"].isin(docs)],
                                              subj[~subj["text"].str.strip().isin(sentences)], cues))
        out.update({a.article_id: heads for a in held})
        log(f"  claim head: PolNeAR heads without fold {k + 1}/{FOLDS} ({len(docs)} articles, {len(sentences)} sentences)")
    return out


class ClaimRows:
    """The labelled units of some read articles as the claim head's inputs, in article order."""

    def __init__(self, arts: list[ClaimArticle], inputs: dict):
        self.texts, self.tokens, dense, self.y, self.grades, self.groups, self.index = [], [], [], [], [], [], []
        for a in arts:
            texts, tokens, d, _, _ = inputs[a.article_id]
            for i, label in sorted(a.labels.items()):
                self.texts.append(texts[i])
                self.tokens.append(tokens[i])
                dense.append(d[i])
                self.y.append(label["type"])
                self.grades.append(float(label["grade"]) if label["grade"] else np.nan)
                self.groups.append(a.article_id)
                self.index.append(i)
        self.dense = np.array(dense)
        self.y, self.grades, self.groups = np.array(self.y), np.array(self.grades), np.array(self.groups)


def out_of_fold_claims(rows: ClaimRows) -> tuple[np.ndarray, np.ndarray]:
    """Claim probabilities (CLAIM_CLASSES order) and grade estimates of each training unit from a head fitted without
    its article's fold (five folds by article): the support model learns from outputs like those of new text."""
    folds = document_folds_of(rows.groups)
    out = np.zeros((len(rows.y), len(CLAIM_CLASSES)))
    grades = np.zeros(len(rows.y))
    for k in range(FOLDS):
        test = folds == k
        train = ~test
        parts = fit_claim_model([t for t, m in zip(rows.texts, train) if m], [t for t, m in zip(rows.tokens, train) if m],
                                rows.dense[train], list(rows.y[train]), rows.grades[train])
        model = compile_claim_model(*parts)
        out[test], grades[test] = model.predict([t for t, m in zip(rows.texts, test) if m],
                                                [t for t, m in zip(rows.tokens, test) if m], rows.dense[test])
    return out, grades


def document_folds_of(groups: np.ndarray) -> np.ndarray:
    fold_of = document_folds(list(groups), FOLDS, SEED + 1)
    return np.array([fold_of[g] for g in groups])


def support_inputs(rows: ClaimRows, probs: np.ndarray, grades: np.ndarray) -> np.ndarray:
    """SUPPORT_FEATURES of the units, article by article (corroboration looks across the article's units), from
    claim probabilities renormalised over the four labels and the claim head's grade estimates."""
    four = probs[:, :4] / probs[:, :4].sum(axis=1, keepdims=True)
    blocks = {}
    for g in dict.fromkeys(rows.groups):
        k = np.flatnonzero(rows.groups == g)
        texts = [rows.texts[j] for j in k]
        labels = [LABELS[j] for j in four[k].argmax(axis=1)]
        blocks[g] = (k, support_features(texts, four[k], corroboration(texts, labels), cue_matrix(texts), grades[k]))
    X = np.zeros((len(rows.y), next(iter(blocks.values()))[1].shape[1]))
    for k, block in blocks.values():
        X[k] = block
    return X



def claim_inputs(arts: list[ClaimArticle], heads_of, cues: frozenset[str], tagger=None) -> dict:
    """The claim head's inputs of every read article (`heads_of(article_id)`: the compiled heads to use)."""
    return {a.article_id: article_claim_inputs(a.text, a.units, heads_of(a.article_id), cues, tagger) for a in arts}


def raw_claim_inputs(arts: list[ClaimArticle], heads_of, cues: frozenset[str], tagger=None) -> dict:
    """{article id: (model inputs, heads' outputs (n, 5))} of the read articles: the slow part of the claim head's
    inputs (spans, sources, the PolNeAR heads), kept apart so experiments on `claim_features` can reuse them
    (`save_raw_inputs`, `inputs_from_raw`)."""
    out = {}
    for a in arts:
        inputs = article_inputs(a.text, a.units, cues, spans=tagger.spans(a.text, a.units) if tagger else None)
        out[a.article_id] = (inputs, np.column_stack(heads_of(a.article_id).head_probabilities(inputs)))
    return out


def inputs_from_raw(arts: list[ClaimArticle], raw: dict) -> dict:
    """The claim head's inputs (as `claim_inputs`) from `raw_claim_inputs`' output, with the current
    `claim_features`."""
    out = {}
    for a in arts:
        inputs, heads = raw[a.article_id]
        tokens, dense = claim_features(inputs, heads, [len(s.text) for s in a.units])
        out[a.article_id] = ([s.text for s in a.units], tokens, dense, inputs, heads)
    return out


def save_raw_inputs(prefix: Path, raw: dict) -> None:
    """`raw_claim_inputs`' output as `prefix`.json (the list columns) and `prefix`.npz (the arrays), no pickle."""
    from ..model.inputs import VECTOR_COLUMNS

    prefix = Path(prefix)
    columns, arrays = {}, {}
    for k, (aid, (inputs, heads)) in enumerate(raw.items()):
        columns[aid] = {name: value for name, value in inputs.columns.items() if name not in VECTOR_COLUMNS}
        arrays[f"{k}.heads"] = np.asarray(heads, dtype=np.float64)
        for name in VECTOR_COLUMNS:
            arrays[f"{k}.{name}"] = np.asarray(inputs[name], dtype=np.float64)
    prefix.with_suffix(".json").write_text(json.dumps({"articles": list(raw), "columns": columns}), encoding="utf-8")
    np.savez_compressed(prefix.with_suffix(".npz"), **arrays)


def load_raw_inputs(prefix: Path) -> dict:
    """What `save_raw_inputs` wrote (arrays read with allow_pickle=False)."""
    from ..model.inputs import VECTOR_COLUMNS, ModelInputs

    prefix = Path(prefix)
    meta = json.loads(prefix.with_suffix(".json").read_text(encoding="utf-8"))
    out = {}
    with np.load(prefix.with_suffix(".npz"), allow_pickle=False) as arrays:
        for k, aid in enumerate(meta["articles"]):
            columns = dict(meta["columns"][aid])
            columns.update({name: arrays[f"{k}.{name}"] for name in VECTOR_COLUMNS})
            out[aid] = (ModelInputs(columns), arrays[f"{k}.heads"])
    return out


def train_claims(claims_dir: Path, data_dir: Path, pol, subj, heads, fit_support, log=print, tagger=None):
    """(claim head, support model, training figures): the head fitted on every training unit's reading, the
    support model on the readers' grades with the head's out-of-fold probabilities."""
    from scipy.stats import spearmanr

    arts = [a for a in load_claims(claims_dir, data_dir) if a.set == "train"]
    log(f"claim head: {len(arts)} read training articles, {sum(len(a.labels) for a in arts)} labelled units")
    refit = heads_without(arts, pol, subj, heads.cues, heads, log=log)
    rows = ClaimRows(arts, claim_inputs(arts, refit.get, heads.cues, tagger))
    log("claim head: out-of-fold probabilities for the support model ...")
    oof, oof_grades = out_of_fold_claims(rows)
    graded = ~np.isnan(rows.grades)
    X = support_inputs(rows, oof, oof_grades)
    support = fit_support(X[graded], np.rint(rows.grades[graded]).astype(int))
    model = compile_claim_model(*fit_claim_model(rows.texts, rows.tokens, rows.dense, list(rows.y), rows.grades))
    claim = rows.y != "furniture"
    pred = np.array([CLAIM_CLASSES[k] for k in oof.argmax(axis=1)])
    figures = {"n_units": int(len(rows.y)), "n_articles": len(arts),
               "class_counts": {c: int((rows.y == c).sum()) for c in CLAIM_CLASSES},
               "out_of_fold_accuracy": round(float((pred[claim] == rows.y[claim]).mean()), 3),
               "out_of_fold_grade_spearman": round(float(spearmanr(oof_grades[graded],
                                                                   rows.grades[graded]).statistic), 3),
               # the support model's fit on the units it was fitted on (its inputs are out of fold, it is not)
               "support_spearman_on_training_units": round(float(spearmanr(support.predict(X[graded])[0],
                                                                            rows.grades[graded]).statistic), 3)}
    return model, support, figures


def reader_agreement(claims_dir: Path, set_name: str) -> dict:
    """Agreement of the first and second readings of a set's units: raw, Cohen's kappa, grade Spearman."""
    from scipy.stats import spearmanr
    from sklearn.metrics import cohen_kappa_score

    sets = {(u["article_id"], u["index"]): u["set"] for u in read_tsv(claims_dir / "units.tsv")}
    pairs = defaultdict(dict)
    for r in read_tsv(claims_dir / "readings.tsv"):
        if r["role"] in ("first", "second") and sets.get((r["article_id"], r["index"])) == set_name:
            pairs[(r["article_id"], r["index"])][r["role"]] = r
    both = [p for p in pairs.values() if len(p) == 2]
    if not both:
        return {"n": 0}
    a, b = [p["first"]["type"] for p in both], [p["second"]["type"] for p in both]
    graded = [(int(p["first"]["grade"]), int(p["second"]["grade"])) for p in both
              if p["first"]["grade"] and p["second"]["grade"]]
    return {"n": len(both), "raw": round(sum(x == y for x, y in zip(a, b)) / len(both), 3),
            "kappa": round(float(cohen_kappa_score(a, b)), 3),
            "grade_spearman": round(float(spearmanr(*zip(*graded)).statistic), 3) if len(graded) > 2 else None}


def evaluate_claims(claims_dir: Path, data_dir: Path, bundle: dict, examples_dir: Path | None = None) -> dict:
    """The model on the claim-level dev reading (and the example article when `examples_dir` is given), with
    the previous model (the PolNeAR heads' four labels, what the scorer reported before the claim head), the
    keyword rule and the readers' agreement measured in the same run; subjectivity on CheckThat dev and NewsSD val."""
    from scipy.stats import spearmanr

    heads, claims, support = bundle["attribution"], bundle["claims"], bundle["support"]
    arts = [a for a in load_claims(claims_dir, data_dir, examples_dir) if a.set in ("dev", "example")]
    tagger = bundle.get("spans")
    inputs = claim_inputs(arts, lambda _: heads, heads.cues, tagger)
    out = {}
    for set_name in ("dev", "example"):
        rows = ClaimRows([a for a in arts if a.set == set_name], inputs)
        if not len(rows.y):
            continue
        probs, grade_estimates = claims.predict(rows.texts, rows.tokens, rows.dense)
        furniture_mask, four = decide(probs)  # as the scorer decides (per set here, not per article)
        pred = np.where(furniture_mask, "furniture", np.array(LABELS)[four.argmax(axis=1)])
        heads_out = np.vstack([inputs[g][4][i] for g, i in zip(rows.groups, rows.index)])
        previous = np.array([LABELS[k] for k in combined(heads_out).argmax(axis=1)])
        keyword = np.array([keyword_rule(t) for t in rows.texts])
        claim = rows.y != "furniture"
        figures = {"n": int(claim.sum()), "n_furniture": int((~claim).sum())}
        for name, p in (("model", pred), ("previous_model", previous), ("keyword_rule", keyword)):
            m = per_class(rows.y[claim], p[claim], LABELS)
            m["accuracy"] = round(float((p[claim] == rows.y[claim]).mean()), 3)
            figures[name] = m
        furniture = pred == "furniture"
        figures["furniture"] = {"precision": round(float((rows.y[furniture] == "furniture").mean()), 3)
                                if furniture.any() else None,
                                "recall": round(float(furniture[~claim].mean()), 3) if (~claim).any() else None}
        graded = ~np.isnan(rows.grades)
        sup, _ = support.predict(support_inputs(rows, probs, grade_estimates))
        figures["support_spearman"] = round(float(spearmanr(sup[graded], rows.grades[graded]).statistic), 3)
        figures["agreement"] = reader_agreement(claims_dir, set_name)
        if set_name == "example":
            figures["units"] = [{"index": int(i), "reader": str(t), "model": str(p), "support": round(float(s), 3)}
                                for i, t, p, s in zip(rows.index, rows.y, pred, sup)]
        out[set_name] = figures
    out["subjectivity"] = subjectivity_figures(data_dir, heads, claims, tagger, claims_dir)
    return out


def single_sentence_opinion_share(claims_dir: Path) -> tuple[float, int] | None:
    """(share read as editorial_opinion, count) of the training units that are one-sentence articles (the CheckThat
    train sentences read alone, drawn two SUBJ to one OBJ): the claim head's prior of opinion for a sentence read
    alone. None when there are none."""
    articles = {r["article_id"]: r for r in read_tsv(claims_dir / "articles.tsv")}
    types = [r["type"] for r in read_tsv(claims_dir / "labels.tsv")
             if (a := articles.get(r["article_id"])) and a["set"] == "train" and a["n_units"] == "1"]
    return (sum(t == "editorial_opinion" for t in types) / len(types), len(types)) if types else None


def balanced_opinion(p_opinion: np.ndarray, prior: float) -> np.ndarray:
    """Opinion (SUBJ) where the odds of opinion exceed `prior`'s odds: the Bayes decision between opinion and not
    with the two equally likely, for a head whose training prior of opinion on such sentences is `prior` (what the
    class-balanced opinion head decides at P = 0.5)."""
    p = np.asarray(p_opinion, dtype=np.float64)
    return p * (1.0 - prior) > (1.0 - p) * prior


def subjectivity_figures(data_dir: Path, heads, claims, tagger=None, claims_dir: Path | None = None) -> dict:
    """Opinion vs not on the subjectivity dev sets, sentences read one by one: macro-F1 of the model (SUBJ when the
    most probable label is editorial_opinion, as the scorer labels the sentence), of the previous model (the heads'
    four labels) and of the opinion head alone (P(opinion) > 0.5, class-balanced).

    With `claims_dir`, also the model's SUBJ/OBJ decision at equal priors (`balanced_opinion`): the claim head learnt
    sentences read alone from CheckThat train sentences drawn two SUBJ to one OBJ, which readers read 72% as
    opinion, so its most probable label on a lone sentence carries that prior; dividing the opinion odds by the
    training odds (counted from the readings, not chosen on dev) asks the balanced question the opinion head asks."""
    from sklearn.metrics import f1_score

    share = single_sentence_opinion_share(claims_dir) if claims_dir is not None else None
    subj = load_subjectivity(data_dir)
    out = {}
    for corpus, split in (("checkthat2025", "dev"), ("newssd", "dev")):
        part = subj[(subj["corpus"] == corpus) & (subj["split"] == split)]
        if not len(part):
            continue
        texts, tokens, dense, head_rows = [], [], [], []
        for text in part["text"]:
            t, k, d, _, h = article_claim_inputs(text, [Sentence(0, len(text), text)], heads, heads.cues, tagger)
            texts += t
            tokens += k
            dense.append(d[0])
            head_rows.append(h[0])
        probs = claims.predict_proba(texts, tokens, np.array(dense))
        head_rows = np.array(head_rows)
        truth = (part["subjectivity"] == "SUBJ").to_numpy()

        def macro(pred, truth=truth) -> float:
            return round(float(f1_score(truth, pred, average="macro")), 3)

        figures = {"n": len(part), "model_macro_f1": macro(probs.argmax(axis=1) == 3),
                   "previous_model_macro_f1": macro(combined(head_rows).argmax(axis=1) == 3),
                   "opinion_head_macro_f1": macro(head_rows[:, 4] > 0.5)}
        if share is not None:
            figures["model_balanced_macro_f1"] = macro(balanced_opinion(probs[:, CLAIM_CLASSES.index(
                "editorial_opinion")], share[0]))
            figures["single_sentence_opinion_share"] = {"share": round(share[0], 3), "n": share[1]}
        out[f"{corpus}/{split}"] = figures
    return out


def format_claim_figures(cr: dict) -> list[str]:
    """The claim-level evaluation as readable lines (part of what `scorer evaluate` prints)."""
    lines = []
    dev = cr.get("dev")
    if dev:
        ag = dev["agreement"]
        lines += metrics_table(dev["model"], f"Claim-level dev reading: the four labels on {dev['n']} units of PolNeAR dev and "
                                      f"held-back BBC articles (readers' agreement: kappa {ag.get('kappa')}, raw "
                                      f"{ag.get('raw')}, on {ag.get('n')} units read twice: the ceiling)")
        lines.append(f"  accuracy: model {dev['model']['accuracy']:.3f}; previous model (PolNeAR heads) "
                     f"{dev['previous_model']['accuracy']:.3f}; keyword rule {dev['keyword_rule']['accuracy']:.3f}")
        lines.append(f"  macro-F1: model {dev['model']['macro_f1']:.3f}; previous model "
                     f"{dev['previous_model']['macro_f1']:.3f}; keyword rule {dev['keyword_rule']['macro_f1']:.3f}")
        lines.append(f"  furniture ({dev['n_furniture']} units): precision {dev['furniture']['precision']}, recall "
                     f"{dev['furniture']['recall']}")
        lines.append(f"  support vs the readers' grades: Spearman {dev['support_spearman']:.3f} (readers' grade "
                     f"agreement {ag.get('grade_spearman')})")
        lines.append("  confusion (rows = readers, columns = model, order as above):")
        lines += ["    " + " ".join(f"{v:>6}" for v in row) for row in dev["model"]["confusion"]]
    for name, s in cr.get("subjectivity", {}).items():
        line = (f"Opinion vs not on {name} (n={s['n']}, sentences read alone): macro-F1 {s['model_macro_f1']:.3f} "
                f"(previous model {s['previous_model_macro_f1']:.3f}")
        if "opinion_head_macro_f1" in s:
            line += f"; opinion head alone {s['opinion_head_macro_f1']:.3f}"
        if "model_balanced_macro_f1" in s:
            sh = s["single_sentence_opinion_share"]
            line += (f"; model at equal priors {s['model_balanced_macro_f1']:.3f}, its opinion odds over those of the "
                     f"{sh['n']} lone training sentences, {sh['share']:.3f} read as opinion")
        lines.append(line + ")")
    ex = cr.get("example")
    if ex:
        wrong = [u for u in ex["units"] if u["reader"] != u["model"]]
        lines.append(f"Example article ({ex['n']} claims, {ex['n_furniture']} furniture units, read twice): the model "
                     f"agrees on {len(ex['units']) - len(wrong)} of {len(ex['units'])} units"
                     + ("; differs on " + ", ".join(f"#{u['index']} ({u['reader']} read as {u['model']})"
                                                    for u in wrong) if wrong else ""))
    return lines
