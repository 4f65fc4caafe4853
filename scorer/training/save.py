"""Saving the model: the fitted model as plain arrays (an npz archive with fixed bytes) and a JSON manifest, then the
card, which pins each file's SHA-256, and the card in prose. `scorer.model.store` loads what this writes, checking every
file against the card before it parses it; nothing is pickled."""
from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from ..atomic import write_bytes_atomic
from ..attribution.tagger import GROUPS, TAGS
from ..model.claims import CLAIM_CLASSES
from ..model.cues import CUE_FEATURES
from ..model.store import ARRAYS_FILE, CARD_FILE, FORMAT_VERSION, HEADS, MANIFEST_FILE
from ..model.support import SUPPORT_FEATURES

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed member dates: the same model gives the same bytes


def model_files(bundle: dict) -> tuple[dict, dict]:
    """(manifest without the arrays' checksum, arrays by name) of a bundle {attribution, support, claims, labels}."""
    model, support = bundle["attribution"], bundle["support"]
    terms = model.tokens.terms()
    if any("\n" in t for t in terms):
        raise ValueError("vocabulary terms must be free of newlines (they are saved newline-joined)")
    arrays = {"tokens.terms": np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8)}
    heads = {}
    for name, head in zip(HEADS, model.heads()):
        if head.tokens is not model.tokens:
            raise ValueError("the heads must share the model's token pass")
        arrays[f"{name}.columns"] = np.asarray(head.columns, dtype=np.int64)
        arrays[f"{name}.idf"] = np.asarray(head.idf, dtype=np.float64)
        arrays[f"{name}.coef"] = np.hstack([head.coef_words, head.coef_dense]).astype(np.float64)
        arrays[f"{name}.intercept"] = np.asarray(head.intercept, dtype=np.float64)
        heads[name] = {"parts": [list(kind) for kind in head.parts], "classes": np.asarray(head.classes_).tolist(),
                       "n_words": int(head.n_words)}
    for key, value in (("mean", support.mean_), ("scale", support.scale_), ("coef", support.coef_),
                       ("intercept", support.intercept_)):
        arrays[f"support.{key}"] = np.asarray(value, dtype=np.float64)
    manifest = {"format_version": FORMAT_VERSION, "labels": list(bundle["labels"]),
                "tokens": {"pattern": model.tokens.pattern.pattern, "ngram_max": int(model.tokens.ngram_max),
                           "n_terms": len(terms)},
                "cues": sorted(model.cues), "cue_features": list(CUE_FEATURES), "heads": heads,
                "support": {"C": float(support.C), "features": list(SUPPORT_FEATURES),
                            "classes": np.asarray(support.classes_).tolist()}}
    claims = bundle["claims"]
    manifest["claims"] = {"classes": list(CLAIM_CLASSES), "n_dense": int(len(claims.mean))}
    for name, block in (("words", claims.words), ("sources", claims.sources)):
        block_terms = block.terms()
        if any("\n" in t for t in block_terms):
            raise ValueError("vocabulary terms must be free of newlines (they are saved newline-joined)")
        arrays[f"claims.{name}.terms"] = np.frombuffer("\n".join(block_terms).encode("utf-8"), dtype=np.uint8)
        arrays[f"claims.{name}.idf"] = np.asarray(block.idf, dtype=np.float64)
        manifest["claims"][name] = {"pattern": block.token_pattern, "ngram_max": int(block.ngram_max),
                                    "n_terms": len(block_terms)}
    for key, value in (("mean", claims.mean), ("scale", claims.scale), ("coef", claims.coef),
                       ("intercept", claims.intercept), ("grade_coef", claims.grade_coef),
                       ("grade_intercept", [claims.grade_intercept])):
        arrays[f"claims.{key}"] = np.asarray(value, dtype=np.float64)
    spans = bundle["spans"]
    if any("\n" in f for f in spans.features):
        raise ValueError("span features must be free of newlines (they are saved newline-joined)")
    arrays["spans.features"] = np.frombuffer("\n".join(spans.features).encode("utf-8"), dtype=np.uint8)
    arrays["spans.weights"] = np.asarray(spans.weights, dtype=np.float64)
    arrays["spans.transitions"] = np.asarray(spans.transitions, dtype=np.float64)
    manifest["spans"] = {"tags": list(TAGS), "groups": dict(GROUPS), "n_features": len(spans.features)}
    return manifest, arrays


def npz_bytes(arrays: dict) -> bytes:
    """An npz archive (uncompressed zip of .npy members, read by numpy.load) with fixed member dates and
    attributes, so that the same arrays always give the same bytes; object arrays are refused. Each array
    keeps its memory order (npy's fortran_order): scikit-learn's coef_ is Fortran-ordered, and a matrix
    product over the other order can differ in the last bit."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
            info.create_system, info.external_attr = 3, 0o644 << 16
            archive.writestr(info, member.getvalue())
    return out.getvalue()


def save_bundle(bundle: dict, card: dict, model_dir: str | Path) -> tuple[Path, Path]:
    """Write the bundle {attribution, support, labels} as the arrays file and the manifest, then the card
    (format version, each file's SHA-256 and size, `sha256` = the manifest's) and its Markdown rendering.
    Returns (manifest file, card file)."""
    model_dir = Path(model_dir)
    manifest, arrays = model_files(bundle)
    arrays_raw = npz_bytes(arrays)
    manifest["arrays"] = {"file": ARRAYS_FILE, "sha256": hashlib.sha256(arrays_raw).hexdigest()}
    manifest_raw = (json.dumps(manifest, indent=2) + "\n").encode("utf-8")
    files = {name: {"sha256": hashlib.sha256(raw).hexdigest(), "size_bytes": len(raw)}
             for name, raw in ((MANIFEST_FILE, manifest_raw), (ARRAYS_FILE, arrays_raw))}
    card = {k: v for k, v in card.items() if k not in ("format_version", "files", "sha256", "size_bytes")}
    card.update(format_version=FORMAT_VERSION, files=files, sha256=files[MANIFEST_FILE]["sha256"])
    card_path = model_dir / CARD_FILE
    umask = os.umask(0)
    os.umask(umask)
    for path, raw in ((model_dir / ARRAYS_FILE, arrays_raw), (model_dir / MANIFEST_FILE, manifest_raw),
                      (card_path, (json.dumps(card, indent=2, sort_keys=False) + "\n").encode("utf-8")),
                      (card_path.with_suffix(".md"), card_markdown(card).encode("utf-8"))):
        write_bytes_atomic(path, raw)
        path.chmod(0o666 & ~umask)  # readable like any file written in place, not the temporary file's 0600
    return model_dir / MANIFEST_FILE, card_path


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.1f} kB"


def card_markdown(card: dict) -> str:
    """A human-readable rendering of the card (the JSON stays the source of truth)."""
    m = card.get("dev_metrics", {})
    lines = [f"# Model card: {card['id']}", "",
             f"- model SHA-256 (in every report; the manifest's, which pins the arrays'): `{card.get('sha256')}`",
             f"- model format version {card.get('format_version')}; files:"]
    lines += [f"  - `{name}`: SHA-256 `{info.get('sha256')}` ({_size(info.get('size_bytes', 0))})"
              for name, info in card.get("files", {}).items()]
    lines += [f"- code version: {card.get('code_version')}",
              "- versions: " + ", ".join(f"{k} {v}" for k, v in card.get("versions", {}).items()),
              f"- labels: {', '.join(card.get('labels', []))}",
              f"- retrain: `{card.get('retrain')}`"]
    if card.get("provenance"):
        lines.append(f"- provenance: {card['provenance']}")
    lines += ["", "## Training data", ""]
    for name, info in card.get("training_data", {}).items():
        lines.append(f"- {name}: {info['source']}; licence: {info['licence']}; "
                     f"content SHA-256 `{card.get('corpus_sha256', {}).get(name, '?')[:16]}...`")
    readings = card.get("claim_readings", {})
    if readings:
        t = readings.get("training", {})
        lines.append(f"- claim-level readings: {t.get('n_units')} training units of {t.get('n_articles')} articles "
                     f"({', '.join(f'{k} {v}' for k, v in t.get('class_counts', {}).items())}); readers: "
                     f"{readings.get('readers')}")
    lines += ["", f"{card.get('splits', '')}", "", "## Dev metrics", ""]
    if m:
        lines += [f"- four labels macro-F1 {m['four_class']['macro_f1']} (keyword rule "
                  f"{m['baseline_keyword_rule']['macro_f1']}, majority {m['baseline_majority']['macro_f1']}); "
                  f"ECE {m['four_class']['ece']}",
                  f"- attribution detection F1 {m['attribution_detection']['f1']}",
                  f"- source type macro-F1 given attributed {m['source_type_given_attributed']['macro_f1']}",
                  f"- editorial opinion vs not macro-F1 {m['opinion_vs_not']['macro_f1']}"]
        if "support_cross_validated" in m:
            lines.append(f"- support Spearman (5-fold CV) {m['support_cross_validated']['spearman']}")
        if "claim_level" in m:
            cl = m["claim_level"]
            lines.append(f"- four labels vs a blind claim-level reading of {cl['n']} random dev sentences: accuracy "
                         f"{cl['model']['accuracy']}, macro-F1 {cl['model']['macro_f1']} (PolNeAR's derived labels "
                         f"{cl['derived_labels']['accuracy']}, keyword rule {cl['keyword_rule']['accuracy']})")
    sp = m.get("spans", {})
    if sp.get("tagger"):
        for who in ("tagger", "rules"):
            f = sp[who]
            roles = ("SOURCE", "CUE") if who == "rules" else ("SOURCE", "CUE", "CONTENT")  # the rules mark no content
            lines.append(f"- spans vs PolNeAR dev ({'learned tagger' if who == 'tagger' else 'rule baseline'}): "
                         + "; ".join(f"{r.lower()} exact F1 {f['exact'][r]['f1']}, overlap P "
                                     f"{f['overlap'][r]['precision']} F1 {f['overlap'][r]['f1']}" for r in roles)
                         + f"; detection F1 {f['detection']['f1']}")
    cr = m.get("claim_reading", {})
    if cr.get("dev"):
        d = cr["dev"]
        lines.append(f"- claim-level dev reading ({d['n']} units; readers' kappa {d['agreement'].get('kappa')}): "
                     f"accuracy {d['model']['accuracy']}, macro-F1 {d['model']['macro_f1']} (previous model "
                     f"{d['previous_model']['accuracy']} / {d['previous_model']['macro_f1']}, keyword rule "
                     f"{d['keyword_rule']['accuracy']} / {d['keyword_rule']['macro_f1']}); support Spearman "
                     f"{d['support_spearman']}")
    for name, s in cr.get("subjectivity", {}).items():
        lines.append(f"- opinion vs not on {name}: macro-F1 {s['model_macro_f1']} (previous model "
                     f"{s['previous_model_macro_f1']})")
    return "\n".join(lines) + "\n"
