"""The stored span tagger is arrays and JSON covered by the card's checksums: a tampered tagger is refused with
exit 3 and one line naming the file, whether the checksums were left alone or forged to match."""
import json

import numpy as np
import pytest
from test_model_files import _with, forge, refused

from scorer.attribution.tagger import TAGS, SpanTagger
from scorer.model.store import ARRAYS_FILE, MANIFEST_FILE, load_bundle


def test_the_shipped_tagger_loads_as_arrays(model_dir):
    tagger = load_bundle(model_dir)["spans"]
    assert isinstance(tagger, SpanTagger)
    assert tagger.weights.shape == (len(tagger.features), len(TAGS)) and tagger.transitions.shape == (7, 7)
    assert "b" in tagger.features and len(tagger.features) == len(set(tagger.features)) > 1000


def test_a_changed_weight_is_refused_by_its_checksum(model_dir, shipped):
    arrays, _ = shipped
    weights = arrays["spans.weights"].copy()
    weights[0, 0] += 1.0
    (model_dir / ARRAYS_FILE).write_bytes(_with(arrays, spans__weights=weights))  # card left as it was
    refused(model_dir, ARRAYS_FILE, r"checksum .* does not match the card")


def _swap_features(a):
    text = a["spans.features"].tobytes().decode("utf-8").split("\n")
    text[0] = text[1]
    return np.frombuffer("\n".join(text).encode("utf-8"), dtype=np.uint8)


def _no_bias(a):
    text = ["bias-gone" if f == "b" else f for f in a["spans.features"].tobytes().decode("utf-8").split("\n")]
    return np.frombuffer("\n".join(text).encode("utf-8"), dtype=np.uint8)


def _nan(a):
    w = a["spans.weights"].copy()
    w[3, 2] = np.nan
    return w


CASES = {
    "weights one tag short": (lambda a: _with(a, spans__weights=a["spans.weights"][:, :-1]),
                              r"array 'spans\.weights' is <f8 \(\d+, 6\), expected <f8 \(\d+, 7\)"),
    "transitions transposed shape": (lambda a: _with(a, spans__transitions=a["spans.transitions"][:6]),
                                     r"array 'spans\.transitions' is <f8 \(6, 7\), expected <f8 \(7, 7\)"),
    "weights as float32": (lambda a: _with(a, spans__weights=a["spans.weights"].astype(np.float32)),
                           r"array 'spans\.weights' is <f4"),
    "a weight not finite": (lambda a: _with(a, spans__weights=_nan(a)), r"'spans\.weights' has values that are not"),
    "a feature repeated": (lambda a: _with(a, spans__features=_swap_features(a)),
                           r"'spans\.features' holds \d+ terms \(\d+ distinct\)"),
    "no bias feature": (lambda a: _with(a, spans__features=_no_bias(a)), r"lacks the bias feature"),
    "tagger missing": (lambda a: _with(a, spans__transitions=None), r"missing array\(s\) spans\.transitions"),
    "object array": (lambda a: _object_npz(a), r"unreadable arrays \("),
}


def _object_npz(a):
    import io
    import zipfile

    from scorer.training.save import npz_bytes

    raw = npz_bytes({k: v for k, v in a.items()})
    out = io.BytesIO()
    member = io.BytesIO()
    np.save(member, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, member.getvalue() if info.filename == "spans.weights.npy" else src.read(info))
    return out.getvalue()


@pytest.mark.parametrize("case", CASES)
def test_a_forged_tagger_is_refused(model_dir, shipped, case):
    make, pattern = CASES[case]
    forge(model_dir, arrays_raw=make(shipped[0]))
    refused(model_dir, ARRAYS_FILE, pattern)


@pytest.mark.parametrize("change, pattern", [
    (lambda m: m["spans"].update(tags=["O", "B-SOURCE"]), r"'spans\.tags' must be the span tags"),
    (lambda m: m["spans"]["groups"].update(q=3), r"'spans\.groups' must be this scorer's span token features"),
    (lambda m: m["spans"].update(n_features=-1), r"'spans\.n_features' must be a positive count"),
    (lambda m: m.pop("spans"), r"missing key 'spans\.tags'"),
])
def test_a_forged_tagger_manifest_is_refused(model_dir, change, pattern):
    manifest = json.loads((model_dir / MANIFEST_FILE).read_text())
    change(manifest)
    forge(model_dir, manifest_raw=json.dumps(manifest).encode())
    refused(model_dir, MANIFEST_FILE, pattern)
