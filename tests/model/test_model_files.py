"""Model files hold only arrays and JSON: a directory whose files were forged (checksums in the card updated,
as anyone who can write the directory could) is refused with exit 3 and one line, and nothing in it runs;
no module of the package can unpickle; saving is deterministic and loading gives back the same model."""
import ast
import hashlib
import io
import json
import os
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from scorer.errors import ModelError
from scorer.model.store import (ARRAYS_FILE, CARD_FILE, MANIFEST_FILE, MODEL_FILES, RETRAIN, default_model_dir,
                                load_bundle, verify_model)
from scorer.training.save import npz_bytes, save_bundle

REPO = Path(__file__).resolve().parents[2]


class _WritesAFile:
    """A pickle payload that creates a file when unpickled: loading it must never happen."""

    def __init__(self, target):
        self.target = str(target)

    def __reduce__(self):
        return (exec, (f"open({self.target!r}, 'w').write('executed')",))


@pytest.fixture()
def marker(tmp_path_factory):
    return tmp_path_factory.mktemp("marker") / "pwned.txt"


def _sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def forge(model_dir: Path, arrays_raw: bytes | None = None, manifest_raw: bytes | None = None,
          restamp_manifest: bool = True) -> None:
    """Write model files and update every checksum that records them (the manifest's record of the arrays,
    when the manifest is JSON, and the card's), as someone with write access to the directory would."""
    if arrays_raw is not None:
        (model_dir / ARRAYS_FILE).write_bytes(arrays_raw)
    if manifest_raw is not None:
        (model_dir / MANIFEST_FILE).write_bytes(manifest_raw)
    if restamp_manifest:
        try:
            manifest = json.loads((model_dir / MANIFEST_FILE).read_bytes())
            manifest["arrays"]["sha256"] = _sha((model_dir / ARRAYS_FILE).read_bytes())
            (model_dir / MANIFEST_FILE).write_text(json.dumps(manifest))
        except (ValueError, TypeError, KeyError, RecursionError):
            pass  # not a manifest any more: nothing to restamp in it
    card = json.loads((model_dir / CARD_FILE).read_text())
    for name in MODEL_FILES:
        raw = (model_dir / name).read_bytes()
        card["files"][name] = {"sha256": _sha(raw), "size_bytes": len(raw)}
    card["sha256"] = card["files"][MANIFEST_FILE]["sha256"]
    (model_dir / CARD_FILE).write_text(json.dumps(card))


def refused(model_dir: Path, file_name: str, pattern: str) -> ModelError:
    """load_bundle's ModelError: exit 3, one line, naming the file, saying how to retrain, matching `pattern`."""
    import re

    with pytest.raises(ModelError) as info:
        load_bundle(model_dir)
    message = str(info.value)
    assert info.value.exit_code == 3
    assert "\n" not in message and "\r" not in message
    assert message.startswith(f"{model_dir / file_name}: ") and message.endswith(RETRAIN)
    assert re.search(pattern, message), message
    return info.value


def _with(arrays: dict, **changes) -> bytes:
    """The npz bytes of `arrays` with entries replaced (None: removed)."""
    out = {k.replace("__", "."): v for k, v in arrays.items()}
    for key, value in changes.items():
        key = key.replace("__", ".")
        if value is None:
            del out[key]
        else:
            out[key] = value
    return npz_bytes(out)


def _column_duplicate(a):
    a = a.copy()
    used = np.flatnonzero(a >= 0)
    a[used[0]] = a[used[1]]
    return a


def _nan_at_end(a):
    a = a.copy()
    a[0, -1] = np.nan
    return a


ARRAY_CASES = {
    # name: (arrays -> npz bytes, expected message)
    "missing array": (lambda a: _with(a, support__coef=None), r"missing array\(s\) support\.coef"),
    "extra array": (lambda a: _with(a, extra=np.zeros(2)), r"unexpected array\(s\) extra"),
    "coef one column short": (lambda a: _with(a, attributed__coef=a["attributed.coef"][:, :-1]),
                              r"array 'attributed\.coef' is <f8 \(1, 82229\), expected <f8 \(1, 82230\)"),
    "support coef transposed": (lambda a: _with(a, support__coef=a["support.coef"].T),
                                r"array 'support\.coef' is <f8 \(22, 4\), expected <f8 \(4, 22\)"),
    "columns as int32": (lambda a: _with(a, opinion__columns=a["opinion.columns"].astype(np.int32)),
                         r"array 'opinion\.columns' is <i4"),
    "coef as float32": (lambda a: _with(a, source_type__coef=a["source_type.coef"].astype(np.float32)),
                        r"array 'source_type\.coef' is <f4"),
    "big-endian idf": (lambda a: _with(a, attributed__idf=a["attributed.idf"].astype(">f8")),
                       r"array 'attributed\.idf' is >f8"),
    "string array": (lambda a: _with(a, support__mean=np.array(["x"] * 22)), r"array 'support\.mean' is <U1"),
    "nan coefficient": (lambda a: _with(a, opinion__coef=_nan_at_end(a["opinion.coef"])),
                        r"'opinion\.coef' has values that are not finite"),
    "zero scale": (lambda a: _with(a, support__scale=np.zeros(22)),
                   r"'support\.scale' has values that are not positive"),
    "column used twice": (lambda a: _with(a, opinion__columns=_column_duplicate(a["opinion.columns"])),
                          r"'opinion\.columns' does not map the vocabulary onto columns 0\.\.3761 once each"),
    "column out of range": (lambda a: _with(a, opinion__columns=np.where(a["opinion.columns"] == 0, 10 ** 9,
                                                                         a["opinion.columns"])),
                            r"'opinion\.columns' does not map"),
    "terms not UTF-8": (lambda a: _with(a, tokens__terms=np.concatenate([a["tokens.terms"], [0xFF]]).astype(np.uint8)),
                        r"'tokens\.terms' is not UTF-8 text"),
    "a term repeated": (lambda a: _with(a, tokens__terms=np.frombuffer(b"\n".join([b"said"] * 82900), dtype=np.uint8)),
                        r"'tokens\.terms' holds 82900 terms \(1 distinct\), the manifest says 82900"),
    "terms as 2-D": (lambda a: _with(a, tokens__terms=a["tokens.terms"].reshape(1, -1)),
                     r"'tokens\.terms' is \|u1 \(1, \d+\), expected \|u1 \(n,\)"),
    "grade row one column short": (lambda a: _with(a, claims__grade_coef=a["claims.grade_coef"][:-1]),
                                   r"array 'claims\.grade_coef' is <f8 \(\d+,\), expected <f8 \(\d+,\)"),
    "grade row missing": (lambda a: _with(a, claims__grade_intercept=None),
                          r"missing array\(s\) claims\.grade_intercept"),
    "grade intercept not finite": (lambda a: _with(a, claims__grade_intercept=np.array([np.inf])),
                                   r"'claims\.grade_intercept' has values that are not finite"),
    "truncated archive": (lambda a: npz_bytes(a)[: len(npz_bytes(a)) // 2], r"unreadable arrays \(BadZipFile"),
    "truncated member": (lambda a: _truncated_member(npz_bytes(a)), r"unreadable arrays \("),
    "an .npy file, not an archive": (lambda a: _npy(a["support.mean"]), r"not an npz archive"),
    "empty file": (lambda a: b"", r"not an npz archive"),
}


def _npy(array) -> bytes:
    out = io.BytesIO()
    np.save(out, array)
    return out.getvalue()


def _truncated_member(raw: bytes) -> bytes:
    """The archive with one member's data cut short but a consistent zip directory (CRC and sizes updated)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, data[:200] if info.filename == "attributed.coef.npy" else data)
    return out.getvalue()


@pytest.mark.parametrize("case", ARRAY_CASES)
def test_forged_arrays_refused(model_dir, shipped, case):
    make, pattern = ARRAY_CASES[case]
    forge(model_dir, arrays_raw=make(shipped[0]))
    verify_model(model_dir)  # the checksums were forged too: only parsing can tell
    refused(model_dir, ARRAYS_FILE, pattern)


def _manifest_with(manifest: dict, path: str, value) -> bytes:
    """The manifest with the value at a dotted path replaced (value ... : removed)."""
    manifest = json.loads(json.dumps(manifest))
    *parents, last = path.split(".")
    node = manifest
    for key in parents:
        node = node[key]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return json.dumps(manifest).encode()


MANIFEST_CASES = {
    "not JSON": (b"{", r"not a JSON model manifest \(JSONDecodeError"),
    "not UTF-8": (b"\xff\xfe{}", r"not a JSON model manifest \(UnicodeDecodeError"),
    "a JSON list": (b"[1, 2]", r"not a JSON model manifest \(not an object\)"),
    "deeply nested": (b"[" * 100_000 + b"]" * 100_000, r"not a JSON model manifest \(RecursionError"),
    "missing key": (("heads.opinion.classes", ...), r"missing key 'heads\.opinion\.classes'"),
    "missing section": (("support", ...), r"missing key 'support\.C'"),
    "other format version": (("format_version", 1), r"model format version 1, but this scorer reads version 3"),
    "labels reordered": (("labels", ["outlet_claim", "named_source", "anonymous_intelligence", "editorial_opinion"]),
                         r"'labels' must be the labels named_source, "),
    "unknown feature part": (("heads.attributed.parts", [["cues", "headline"]]), r"'heads\.attributed\.parts' must be"),
    "feature part not a list": (("heads.attributed.parts", [{"cues": "text"}]), r"'heads\.attributed\.parts' must be"),
    "binary head with three classes": (("heads.opinion.classes", [0, 1, 2]),
                                       r"'heads\.opinion\.classes' must be \[0, 1\]"),
    "classes as booleans": (("heads.opinion.classes", [False, True]), r"'heads\.opinion\.classes' must be \[0, 1\]"),
    "source classes unknown": (("heads.source_type.classes", ["a", "b", "c"]),
                               r"'heads\.source_type\.classes' must be"),
    "source classes not strings": (("heads.source_type.classes", [1, "a"]), r"'heads\.source_type\.classes' must be"),
    "negative vocabulary size": (("heads.opinion.n_words", -1), r"'heads\.opinion\.n_words' must be a count"),
    "other cue features": (("cue_features", ["hedges"]), r"'cue_features' must be this scorer's cue features"),
    "other support features": (("support.features", ["hedges"]), r"'support\.features' must be this scorer's support"),
    "grades out of range": (("support.classes", [0, 5]), r"'support\.classes' must be increasing grades among 0-3"),
    "grades unhashable": (("support.classes", [[0], [1]]), r"'support\.classes' must be increasing grades"),
    "C not a number": (("support.C", "0.1"), r"'support\.C' must be a positive number"),
    "C too large for a float": (("support.C", 10 ** 400), r"malformed manifest \(OverflowError"),
    "ngram_max zero": (("tokens.ngram_max", 0), r"'tokens\.ngram_max' must be an integer from 1 to 10"),
    "bad token pattern": (("tokens.pattern", "(unclosed"), r"'tokens\.pattern' is not a regular expression"),
    "cues not strings": (("cues", [1, 2]), r"'cues' must be a list of words"),
    "other arrays file": (("arrays.file", "../elsewhere.npz"), r"'arrays\.file' must be 'attribution-v1\.npz'"),
}


@pytest.mark.parametrize("case", MANIFEST_CASES)
def test_forged_manifest_refused(model_dir, shipped, case):
    change, pattern = MANIFEST_CASES[case]
    raw = change if isinstance(change, bytes) else _manifest_with(shipped[1], *change)
    forge(model_dir, manifest_raw=raw)
    refused(model_dir, MANIFEST_FILE, pattern)


def test_manifest_must_pin_the_arrays_the_card_lists(model_dir, shipped):
    forge(model_dir, manifest_raw=_manifest_with(shipped[1], "arrays.sha256", "0" * 64), restamp_manifest=False)
    refused(model_dir, MANIFEST_FILE, r"'arrays\.sha256' must be the SHA-256 the card gives for the arrays file")


def test_vocabulary_size_disagreeing_with_the_arrays_refused(model_dir, shipped):
    """A manifest that is well-formed on its own but whose sizes do not fit the arrays."""
    forge(model_dir, manifest_raw=_manifest_with(shipped[1], "tokens.n_terms", 82901))
    refused(model_dir, ARRAYS_FILE, r"'tokens\.terms' holds 82900 terms \(82900 distinct\), the manifest says 82901")
    forge(model_dir, manifest_raw=_manifest_with(shipped[1], "heads.opinion.n_words", 3763))
    refused(model_dir, ARRAYS_FILE, r"array 'opinion\.columns' does not map the vocabulary onto columns 0\.\.3762")


@pytest.mark.parametrize("target", [ARRAYS_FILE, MANIFEST_FILE])
def test_forged_pickle_payload_never_runs(model_dir, marker, target):
    forge(model_dir, **{"arrays_raw" if target == ARRAYS_FILE else "manifest_raw": pickle.dumps(_WritesAFile(marker))})
    refused(model_dir, target, "not an npz archive" if target == ARRAYS_FILE else "not a JSON model manifest")
    assert not marker.exists()


def _object_array_npz(arrays: dict, marker) -> bytes:
    """A genuine npz (numpy.savez) whose 'support.mean' is an object array holding the payload."""
    out = io.BytesIO()
    np.savez(out, **dict(arrays, **{"support.mean": np.array([_WritesAFile(marker)], dtype=object)}))
    return out.getvalue()


def test_forged_object_array_never_unpickled(model_dir, shipped, marker):
    forge(model_dir, arrays_raw=_object_array_npz(shipped[0], marker))
    refused(model_dir, ARRAYS_FILE,
            r"unreadable arrays \(ValueError: Object arrays cannot be loaded when allow_pickle=False")
    assert not marker.exists()


def test_the_object_array_payload_would_have_run(shipped, marker):
    """Guards the test above: loading that archive with allow_pickle=True does run the payload."""
    with np.load(io.BytesIO(_object_array_npz(shipped[0], marker)), allow_pickle=True) as npz:
        npz["support.mean"]
    assert marker.read_text() == "executed"


@pytest.mark.parametrize("change, pattern", [
    (lambda card: card["files"].pop(ARRAYS_FILE), "must list exactly the model files"),
    (lambda card: card["files"].update({"other.bin": {"sha256": "0" * 64}}), "must list exactly the model files"),
    (lambda card: card["files"][ARRAYS_FILE].update(sha256=None), "must list exactly the model files"),
    (lambda card: card.update(sha256=card["files"][ARRAYS_FILE]["sha256"]), "sha256 is not the SHA-256 of"),
    (lambda card: card.clear(), "no model format version"),
])
def test_malformed_card_refused(model_dir, change, pattern):
    card = json.loads((model_dir / CARD_FILE).read_text())
    change(card)
    (model_dir / CARD_FILE).write_text(json.dumps(card))
    refused(model_dir, CARD_FILE, pattern)


@pytest.mark.parametrize("raw, pattern", [(b"[1]", r"unreadable model card \(not a JSON object\)"),
                                          (b"{", r"unreadable model card \(JSONDecodeError"),
                                          (pickle.dumps({"format_version": 1}), r"unreadable model card")])
def test_unreadable_card_refused(model_dir, raw, pattern):
    (model_dir / CARD_FILE).write_bytes(raw)
    refused(model_dir, CARD_FILE, pattern)


def test_missing_model_file_refused(model_dir):
    (model_dir / ARRAYS_FILE).unlink()
    refused(model_dir, ARRAYS_FILE, "model file not found")


def _run(args: list[str]) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "scorer", *args], capture_output=True, text=True, env=env,
                          timeout=120, cwd=REPO)


def test_cli_exit_3_one_line_for_a_replaced_and_a_forged_model(model_dir, marker, example_path):
    """The payload written over the arrays file: with the card untouched both commands refuse it on the
    checksum; with the card forged `score` refuses it when parsing, and `model-info`, which only checks
    checksums and prints the card, shows the (forged) card. The payload runs in neither case."""
    (model_dir / ARRAYS_FILE).write_bytes(pickle.dumps(_WritesAFile(marker)))
    for args in (["score", str(example_path)], ["model-info"]):
        out = _run(args + ["--model", str(model_dir)])
        assert out.returncode == 3 and out.stdout == ""
        assert out.stderr.count("\n") == 1 and f"{model_dir / ARRAYS_FILE}: checksum" in out.stderr, out.stderr
    forge(model_dir)
    out = _run(["score", str(example_path), "--model", str(model_dir)])
    assert out.returncode == 3 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and f"{model_dir / ARRAYS_FILE}: not an npz archive" in out.stderr, out.stderr
    out = _run(["model-info", "--model", str(model_dir)])
    assert out.returncode == 0 and json.loads(out.stdout)["files"][ARRAYS_FILE]["sha256"] == _sha(
        (model_dir / ARRAYS_FILE).read_bytes())
    assert not marker.exists()


# --- no module of the package can unpickle ---------------------------------------------------------------------

_UNPICKLING_MODULES = {"pickle", "_pickle", "cPickle", "cloudpickle", "dill", "shelve", "marshal", "torch"}
_ALLOWED_FROM_JOBLIB = {"Parallel", "delayed", "get_reusable_executor"}  # worker processes (pool.py), not files


def unpickling_uses(source: str, name: str = "<source>") -> list[str]:
    """Places in Python source that could unpickle: imports of pickle-like modules, `import joblib` (its
    load/dump), names other than Parallel/delayed/get_reusable_executor from joblib, any `.load`/`.loads` call on such a module or
    on joblib, `read_pickle`, and any allow_pickle that is not the literal False (numpy's load calls must
    say allow_pickle=False)."""
    found = []
    for node in ast.walk(ast.parse(source, name)):
        where = f"{name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top in _UNPICKLING_MODULES or top == "joblib":
                    found.append(f"{where}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            top = (node.module or "").split(".")[0]
            if top in _UNPICKLING_MODULES:
                found.append(f"{where}: from {node.module} import ...")
            elif top == "joblib" and {a.name for a in node.names} - _ALLOWED_FROM_JOBLIB:
                found.append(f"{where}: from joblib import {', '.join(a.name for a in node.names)}")
        elif isinstance(node, ast.Attribute):
            base = node.value.id if isinstance(node.value, ast.Name) else None
            if node.attr == "read_pickle" or (base in _UNPICKLING_MODULES | {"joblib"} and node.attr in (
                    "load", "loads", "dump", "dumps", "Unpickler", "open")):
                found.append(f"{where}: {base}.{node.attr}")
        elif isinstance(node, ast.Call):
            func = node.func
            for kw in node.keywords:
                if kw.arg == "allow_pickle" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                    found.append(f"{where}: allow_pickle={ast.unparse(kw.value)}")
            is_np_load = (isinstance(func, ast.Attribute) and func.attr == "load" and isinstance(func.value, ast.Name)
                          and func.value.id in ("np", "numpy"))
            if is_np_load and not any(kw.arg == "allow_pickle" for kw in node.keywords):
                found.append(f"{where}: {func.value.id}.load without allow_pickle=False")
    return found


def test_no_module_of_the_package_can_unpickle():
    sources = sorted((REPO / "scorer").rglob("*.py"))
    assert len(sources) > 20
    found = [hit for path in sources for hit in unpickling_uses(path.read_text(encoding="utf-8"), str(path))]
    assert found == []


@pytest.mark.parametrize("source", [
    "import pickle", "import _pickle as p", "from pickle import loads", "import cloudpickle", "import dill",
    "import joblib", "from joblib import load", "from joblib import Parallel, load", "import torch",
    "import numpy as np\nnp.load(f, allow_pickle=True)", "import numpy as np\nnp.load(f)",
    "numpy.load(f, allow_pickle=x)",
    "pd.read_pickle(p)", "x = torch.load(p)", "import shelve", "import marshal", "from torch import load",
])
def test_the_scan_finds_each_way_to_unpickle(source):
    """Guards the scan above: each of these is reported."""
    assert unpickling_uses(source)


def test_the_scan_allows_what_the_package_uses():
    assert unpickling_uses("from joblib import Parallel, delayed\nimport numpy as np\n"
                           "np.load(b, allow_pickle=False)\njson.load(f)\nyaml_safe.load(x)") == []


# --- saving: deterministic, lossless -------------------------------------------------------------------------------

def test_resaving_the_shipped_model_gives_the_same_bytes(tmp_path):
    """Loading and saving again reproduces every shipped file byte for byte: nothing is lost (arrays keep
    their dtype and memory order) and nothing varies (zip member dates are fixed)."""
    bundle = load_bundle()
    save_bundle({k: bundle[k] for k in ("attribution", "support", "claims", "spans", "labels")}, bundle["card"],
                tmp_path)
    for name in (CARD_FILE, *MODEL_FILES, "attribution-v1.md"):
        assert (tmp_path / name).read_bytes() == (default_model_dir() / name).read_bytes(), name
    assert load_bundle(tmp_path)["card"] == bundle["card"]


def test_save_load_round_trip_of_freshly_fitted_heads(tmp_path, small_heads, small_training, example_text):
    """Heads fitted by training (tests' small subset) and a support model: saved twice to identical bytes,
    loaded back to exactly the same predictions, probabilities, support grades and contributions."""
    from scorer.model.inputs import article_inputs
    from scorer.model.support import SUPPORT_FEATURES
    from scorer.text.segment import split_article
    from scorer.training.compile import compile_attribution
    from scorer.model.claims import CLAIM_CLASSES
    from scorer.training.claims import compile_claim_model, fit_claim_model
    from scorer.training.train import fit_support

    _, pol, _ = small_training
    model = compile_attribution(small_heads)
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, len(SUPPORT_FEATURES)))
    support = fit_support(X, np.clip(np.round(1.5 + X[:, 0] + X[:, 5]), 0, 3).astype(int))
    texts = ["The council voted on Tuesday.", "Officials said it failed.", "\"No,\" Smith said.",
             "What a shameful day!", "ABSTRACT."] * 4
    claim_dense = rng.normal(size=(len(texts), 6))
    claims = compile_claim_model(*fit_claim_model(texts, ["S_smith T_name"] * len(texts), claim_dense,
                                                  [CLAIM_CLASSES[i % 5] for i in range(len(texts))],
                                                  np.array([[3, 1, 2, 0, np.nan][i % 5] for i in range(len(texts))])))
    from scorer.attribution.tagger import TAGS, SpanTagger

    span_features = ["b", "w=said", "-1:w=<s>", "1:w=</s>", "L=cue", "q=1"]
    spans = SpanTagger(span_features, rng.normal(size=(len(span_features), len(TAGS))),
                       rng.normal(size=(len(TAGS), len(TAGS))))
    bundle = {"attribution": model, "support": support, "claims": claims, "spans": spans,
              "labels": ["named_source", "anonymous_intelligence", "outlet_claim", "editorial_opinion"]}
    card = {"id": "attribution-v1", "retrain": "scorer train", "versions": {}}
    save_bundle(bundle, card, tmp_path / "a")
    save_bundle(bundle, card, tmp_path / "b")
    for name in (CARD_FILE, *MODEL_FILES, "attribution-v1.md"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    umask = os.umask(0)
    os.umask(umask)
    for name in (CARD_FILE, *MODEL_FILES):  # as a file written in place, not the temporary file's 0600
        assert (tmp_path / "a" / name).stat().st_mode & 0o777 == 0o666 & ~umask
    again = load_bundle(tmp_path / "a")
    dev = pol[pol["split"] == "dev"].head(300)
    assert np.array_equal(again["attribution"].predict_proba(dev), model.predict_proba(dev))
    sentences, _ = split_article(example_text)
    inputs = article_inputs(example_text, sentences, model.cues)
    assert np.array_equal(again["attribution"].predict_proba(inputs), model.predict_proba(inputs))
    assert again["attribution"].cues == model.cues and again["attribution"].tokens.union == model.tokens.union
    assert again["attribution"].attributed.tokens is again["attribution"].tokens  # one shared token pass
    for a, b in zip(again["support"].predict(X), support.predict(X)):
        assert np.array_equal(a, b)
    assert np.array_equal(again["support"].contributions(X), support.contributions(X))
    for a, b in zip(again["claims"].predict(texts, ["S_smith T_name"] * len(texts), claim_dense),
                    claims.predict(texts, ["S_smith T_name"] * len(texts), claim_dense)):
        assert np.array_equal(a, b)
    assert again["card"]["sha256"] == _sha((tmp_path / "a" / MANIFEST_FILE).read_bytes())
    assert again["spans"].features == spans.features
    assert np.array_equal(again["spans"].weights, spans.weights)
    assert np.array_equal(again["spans"].transitions, spans.transitions)
    assert again["spans"].spans(example_text, sentences) == spans.spans(example_text, sentences)


def test_npz_bytes_refuses_object_arrays():
    with pytest.raises(ValueError, match="allow_pickle=False"):
        npz_bytes({"a": np.array([object()], dtype=object)})
