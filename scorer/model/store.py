"""Loading the model: plain arrays and JSON, every file checked against the card before it is parsed
(`training.save` writes them).

A model directory holds:

    attribution-v1.json        the card: training data, code and library versions, metrics, the model format
                               version, and the SHA-256 and size of each model file
    attribution-v1.model.json  the manifest: format version, labels, tokeniser, cue lexicon, each head's feature
                               parts, classes and vocabulary size, the support model's features and classes,
                               and the SHA-256 of the arrays file
    attribution-v1.npz         the numbers (numpy arrays, no object arrays): the vocabulary as UTF-8 bytes; per
                               head its vocabulary columns, idf, coefficients and intercepts; the support model's
                               scaler and coefficients

No file holds code or a module path: nothing is unpickled. Loading reads each model file once, checks its
SHA-256 against the card, and only then parses those bytes (JSON, and `numpy.load(..., allow_pickle=False)`),
checking every key, dtype, shape and value range against the manifest and the code. Compatibility is the
card's model format version, not a library version. Any fault is a ModelError (exit 3): one line naming the
file, with the command that rebuilds the model. The card's `sha256` (in every report) is the manifest's
checksum; the manifest pins the arrays' checksum, so it identifies the whole model.
"""
from __future__ import annotations

import hashlib
import io
import json
import math
import re
from pathlib import Path
from typing import NamedTuple

from ..errors import ModelError
from ..labels import GRADES, LABELS, SOURCE_LABELS

MODEL_ID = "attribution-v1"
RETRAIN = "retrain with: scorer train --data ../shared/data --out models/"
# 2: the claim-level head (model/claims.py) joined the three PolNeAR heads and support; 3: the span tagger
# (attribution/tagger.py: a CRF's feature names, state weights and transitions) and the claim head's grade row
# (claims.grade_coef, claims.grade_intercept), which the support model reads as its feature claim_grade
FORMAT_VERSION = 3
CARD_FILE = f"{MODEL_ID}.json"
MANIFEST_FILE = f"{MODEL_ID}.model.json"
ARRAYS_FILE = f"{MODEL_ID}.npz"
MODEL_FILES = (MANIFEST_FILE, ARRAYS_FILE)
HEADS = ("attributed", "source_type", "opinion")


def default_model_dir() -> Path:
    """The shipped model: the package data `scorer.models` (setup.cfg installs the repository's models/ there, and
    an editable install maps it to that directory). Where this `scorer` is a source tree imported beside an installed
    copy (a checkout's tests run against a plain install), the installed copy's `scorer/models`. The checkout around
    the package is never searched; ModelError if there is no installed model."""
    found = _package_dir("scorer.models")
    if found is not None:
        return found
    import sys

    # the installed copy's package data, found as the import system finds packages: along sys.path (not through
    # the distribution's metadata, which a source tree's own .egg-info can shadow when it is first on sys.path)
    for entry in sys.path:
        candidate = Path(entry or ".") / "scorer" / "models"
        if (candidate / CARD_FILE).is_file():
            return candidate
    raise ModelError("the shipped model is not installed (no package data scorer.models): install the package "
                     "(pip install .), or give a model directory with --model DIR")


def _package_dir(name: str) -> Path | None:
    """The directory of the package `name` as the import system finds it (None if it cannot be imported), found
    without importing it nor importlib.resources (which imports zipfile, tempfile and the compression modules: about
    4 MB that a batch parent would hand to every worker it forks)."""
    from importlib.util import find_spec

    try:
        spec = find_spec(name)
    except ModuleNotFoundError:
        return None
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    return Path(locations[0]) if locations else None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _base(model_dir: str | Path | None) -> Path:
    return Path(model_dir) if model_dir is not None else default_model_dir()


def _brief(exc: BaseException) -> str:
    """An exception as a short single line (messages of zip/npy/JSON parsers can span lines)."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:160]}" if text else type(exc).__name__


def read_card(model_dir: str | Path | None = None) -> dict:
    """The model card as a dict; ModelError if it is missing or unreadable."""
    card_path = _base(model_dir) / CARD_FILE
    if model_dir is not None and not Path(model_dir).is_dir():
        raise ModelError(f"{model_dir}: model directory not found (--model expects a directory holding "
                         f"{CARD_FILE}, {MANIFEST_FILE} and {ARRAYS_FILE}); {RETRAIN}")
    if not card_path.is_file():
        raise ModelError(f"{card_path}: model card not found (model not trained yet?); {RETRAIN}")
    try:
        raw = _read_at_most(card_path, MAX_CARD_BYTES)
    except OSError as exc:
        raise ModelError(f"{card_path}: unreadable model card ({_brief(exc)}); {RETRAIN}") from None
    if raw is None:
        raise ModelError(f"{card_path}: model card larger than {MAX_CARD_BYTES:,} bytes (not a model card); {RETRAIN}")
    try:
        card = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise ModelError(f"{card_path}: unreadable model card ({_brief(exc)}); {RETRAIN}") from None
    if not isinstance(card, dict):
        raise ModelError(f"{card_path}: unreadable model card (not a JSON object); {RETRAIN}")
    return card


def _check_card(card: dict, card_path: Path) -> None:
    """The card's format version and its list of model files with their checksums."""
    if "format_version" not in card:
        raise ModelError(f"{card_path}: no model format version (a model saved before format {FORMAT_VERSION}, "
                         f"e.g. a pickled .joblib file, which is not loaded); {RETRAIN}")
    if not _is_int(card["format_version"]) or card["format_version"] != FORMAT_VERSION:
        raise ModelError(f"{card_path}: model format version {card['format_version']!r}, but this scorer reads "
                         f"version {FORMAT_VERSION}; {RETRAIN}")
    files = card.get("files")
    if not (isinstance(files, dict) and set(files) == set(MODEL_FILES)
            and all(isinstance(e, dict) and isinstance(e.get("sha256"), str) for e in files.values())):
        raise ModelError(f"{card_path}: the card must list exactly the model files {', '.join(MODEL_FILES)} "
                         f"with their SHA-256; {RETRAIN}")
    for name, entry in files.items():
        size = entry.get("size_bytes")
        if size is not None and not (_is_int(size) and 0 <= size <= MAX_MODEL_FILE_BYTES):
            raise ModelError(f"{card_path}: the card's size_bytes of {name} is not a size in bytes up to "
                             f"{MAX_MODEL_FILE_BYTES:,}; {RETRAIN}")
    if card.get("sha256") != files[MANIFEST_FILE]["sha256"]:
        raise ModelError(f"{card_path}: the card's sha256 is not the SHA-256 of {MANIFEST_FILE}; {RETRAIN}")


MAX_CARD_BYTES = 4 << 20  # the card is ~25 KB
MAX_MODEL_FILE_BYTES = 1 << 30  # the shipped model's files are ~16 MB in all


def _read_at_most(path: Path, limit: int) -> bytes | None:
    """The file's bytes, or None when it holds more than `limit` (only limit + 1 bytes are read to tell)."""
    with open(path, "rb") as fh:
        raw = fh.read(limit + 1)
    return None if len(raw) > limit else raw


def _read_verified(model_dir: str | Path | None) -> tuple[Path, dict, dict[str, bytes]]:
    """(model directory, card, bytes of each model file): every file read once and its SHA-256 checked
    against the card before anything parses it (the bytes checked are the bytes parsed)."""
    base = _base(model_dir)
    card = read_card(model_dir)
    _check_card(card, base / CARD_FILE)
    data = {}
    for name in MODEL_FILES:
        path = base / name
        if not path.is_file():
            raise ModelError(f"{path}: model file not found; {RETRAIN}")
        size = card["files"][name].get("size_bytes")
        try:
            # never more than the card's size (or the cap) read: a hostile directory's huge file is refused unread
            raw = _read_at_most(path, MAX_MODEL_FILE_BYTES if size is None else size)
        except OSError as exc:
            raise ModelError(f"{path}: cannot read model file ({exc.strerror}); {RETRAIN}") from None
        if raw is None:
            limit = f"the card's {size:,}" if size is not None else f"{MAX_MODEL_FILE_BYTES:,}"
            raise ModelError(f"{path}: larger than {limit} bytes, not read further (corrupt or replaced file); "
                             f"{RETRAIN}")
        actual, expected = hashlib.sha256(raw).hexdigest(), card["files"][name]["sha256"]
        if actual != expected:
            raise ModelError(f"{path}: checksum {actual[:12]}... does not match the card's {expected[:12]}... "
                             f"(corrupt or replaced file); {RETRAIN}")
        data[name] = raw
    return base, card, data


_PREFETCHES: dict = {}  # str(model_dir) -> [thread, result of _read_verified or the exception it raised]


def prefetch(model_dir: str | Path | None = None, parse: bool = True) -> None:
    """Start reading the model files and checking their SHA-256 (`_read_verified`), then reading the checked arrays
    (`_parse_arrays`), in a thread, so that the next `load_bundle(model_dir)` of this process takes them instead of
    doing it then. The command line's `score` calls it before importing the pipeline: the reads, the hashing and the
    arrays' copies (~35 ms, mostly without the GIL) run on the second core while numpy and the model code are
    imported. A fault is raised by that `load_bundle` where it would be without the prefetch (the manifest's before
    the arrays'; the arrays are read only once the manifest has passed).

    `parse` False: only the files' bytes, checked (no numpy, no model code imported: the batch parent's use, see
    `verify_prefetched`)."""
    import threading

    slot: list = [None, None]

    def run():
        try:
            base, card, data = _read_verified(model_dir)
        except BaseException as exc:  # noqa: BLE001 - raised by the load_bundle that takes it
            slot[1] = exc
            return
        if not parse:
            slot[1] = (base, card, data, None, None)
            return
        try:
            manifest = _parse_manifest(data[MANIFEST_FILE], card)
        except BaseException:  # noqa: BLE001 - the load_bundle that takes it parses the manifest and says what is wrong
            slot[1] = (base, card, data, None, None)  # and the arrays of a model with a bad manifest are never read
            return
        try:
            arrays = _parse_arrays(data[ARRAYS_FILE])
        except BaseException as exc:  # noqa: BLE001 - raised by that load_bundle after the manifest's checks
            arrays = exc
        slot[1] = (base, card, data, manifest, arrays)

    slot[0] = threading.Thread(target=run, name="scorer-model-prefetch", daemon=True)
    _PREFETCHES[str(model_dir)] = slot
    slot[0].start()


def verify_prefetched(model_dir: str | Path | None = None) -> tuple[Path, dict]:
    """`verify_model(model_dir)` from this process's `prefetch(model_dir)` (waited for; its fault raised here, as
    verify_model raises it), which stays for the next `load_bundle`: a batch parent checks the model this way before
    forking its workers, each of which then loads the checked bytes it inherited instead of reading and hashing the
    files again (~25 ms a worker); the parent then lets them go (`release_prefetched`). Without a prefetch, the
    files are read and checked here."""
    slot = _PREFETCHES.get(str(model_dir))
    if slot is None:
        return verify_model(model_dir)
    slot[0].join()
    if isinstance(slot[1], BaseException):
        del _PREFETCHES[str(model_dir)]
        raise slot[1]
    base, card = slot[1][:2]
    return base / MANIFEST_FILE, card


def release_prefetched(model_dir: str | Path | None = None) -> None:
    """Let go of this process's prefetched model files for `model_dir` (once the processes that take them are forked)."""
    slot = _PREFETCHES.pop(str(model_dir), None)
    if slot is not None:
        slot[0].join()


def _take_prefetched(model_dir: str | Path | None):
    """The result of `prefetch(model_dir)`, (base, card, data, the parsed manifest, the arrays or the exception reading
    them raised; the last two None when the manifest failed), waited for and taken (a later load reads the files
    again); None without a prefetch."""
    slot = _PREFETCHES.pop(str(model_dir), None)
    if slot is None:
        return None
    slot[0].join()
    if isinstance(slot[1], BaseException):
        raise slot[1]
    return slot[1]


def verify_model(model_dir: str | Path | None = None) -> tuple[Path, dict]:
    """(manifest file, card) after checking the card's model format version and every model file's SHA-256
    against the card; no model file is parsed."""
    base, card, _ = _read_verified(model_dir)
    return base / MANIFEST_FILE, card


class _Malformed(ValueError):
    """A model file that passed its checksum but does not hold what this scorer reads."""


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _get(obj, path: str, check, what: str):
    """The value at a dotted key path of the manifest, if `check(value)`; else _Malformed saying what it must be."""
    value = obj
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            raise _Malformed(f"missing key {path!r}")
        value = value[key]
    if not check(value):
        raise _Malformed(f"{path!r} must be {what}")
    return value


def _parse_manifest(raw: bytes, card: dict) -> dict:
    """The manifest, checked against the code (labels, features, part kinds, classes) and the card."""
    from ..attribution.tagger import GROUPS, TAGS
    from .claims import CLAIM_CLASSES
    from .cues import CUE_FEATURES  # numpy modules: imported once a model is parsed, not to verify one
    from .heads import PART_KINDS
    from .support import SUPPORT_FEATURES

    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _Malformed(f"not a JSON model manifest ({_brief(exc)})") from None
    if not isinstance(manifest, dict):
        raise _Malformed("not a JSON model manifest (not an object)")
    version = _get(manifest, "format_version", _is_int, "an integer")
    if version != FORMAT_VERSION:
        raise _Malformed(f"model format version {version}, but this scorer reads version {FORMAT_VERSION}")
    _get(manifest, "labels", lambda v: v == list(LABELS), f"the labels {', '.join(LABELS)}")
    _get(manifest, "arrays.file", lambda v: v == ARRAYS_FILE, repr(ARRAYS_FILE))
    _get(manifest, "arrays.sha256", lambda v: v == card["files"][ARRAYS_FILE]["sha256"],
         "the SHA-256 the card gives for the arrays file")
    pattern = _get(manifest, "tokens.pattern", lambda v: isinstance(v, str), "a string")
    try:
        re.compile(pattern)
    except (re.error, RecursionError) as exc:
        raise _Malformed(f"'tokens.pattern' is not a regular expression ({_brief(exc)})") from None
    _get(manifest, "tokens.ngram_max", lambda v: _is_int(v) and 1 <= v <= 10, "an integer from 1 to 10")
    _get(manifest, "tokens.n_terms", lambda v: _is_int(v) and v >= 0, "a count")
    _get(manifest, "cues", lambda v: isinstance(v, list) and all(isinstance(w, str) for w in v), "a list of words")
    _get(manifest, "cue_features", lambda v: v == list(CUE_FEATURES),
         "this scorer's cue features (the model was trained with others)")
    _get(manifest, "heads", lambda v: isinstance(v, dict) and set(v) == set(HEADS), f"the heads {', '.join(HEADS)}")
    kinds = " or ".join(sorted(str(list(k)) for k in PART_KINDS))
    for name in HEADS:
        _get(manifest, f"heads.{name}.parts",
             lambda v: isinstance(v, list) and all(isinstance(p, list) and all(isinstance(x, str) for x in p)
                                                   and tuple(p) in PART_KINDS for p in v),
             f"a list of feature parts, each {kinds}")
        if name == "source_type":
            _get(manifest, f"heads.{name}.classes", lambda v: isinstance(v, list) and all(isinstance(c, str) for c in v)
                 and sorted(v) == sorted(SOURCE_LABELS), f"the source labels {', '.join(SOURCE_LABELS)}")
        else:
            _get(manifest, f"heads.{name}.classes", lambda v: v == [0, 1] and all(map(_is_int, v)), "[0, 1]")
        _get(manifest, f"heads.{name}.n_words", lambda v: _is_int(v) and v >= 0, "a count")
    _get(manifest, "support.C", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
         and v > 0, "a positive number")
    _get(manifest, "support.features", lambda v: v == list(SUPPORT_FEATURES),
         "this scorer's support features (the model was trained with others)")
    _get(manifest, "support.classes", lambda v: isinstance(v, list) and len(v) >= 2 and all(map(_is_int, v))
         and v == sorted(set(v)) and set(v) <= set(GRADES), "increasing grades among 0-3")
    _get(manifest, "claims.classes", lambda v: v == list(CLAIM_CLASSES), f"the claim classes {', '.join(CLAIM_CLASSES)}")
    for block in CLAIM_BLOCKS:
        pattern = _get(manifest, f"claims.{block}.pattern", lambda v: isinstance(v, str), "a string")
        try:
            re.compile(pattern)
        except (re.error, RecursionError) as exc:
            raise _Malformed(f"'claims.{block}.pattern' is not a regular expression ({_brief(exc)})") from None
        _get(manifest, f"claims.{block}.ngram_max", lambda v: _is_int(v) and 1 <= v <= 10, "an integer from 1 to 10")
        _get(manifest, f"claims.{block}.n_terms", lambda v: _is_int(v) and v >= 0, "a count")
    _get(manifest, "claims.n_dense", lambda v: _is_int(v) and v >= 0, "a count")
    _get(manifest, "spans.tags", lambda v: v == list(TAGS), f"the span tags {', '.join(TAGS)}")
    _get(manifest, "spans.groups", lambda v: v == dict(GROUPS), "this scorer's span token features")
    _get(manifest, "spans.n_features", lambda v: _is_int(v) and v >= 1, "a positive count")
    return manifest


CLAIM_BLOCKS = ("words", "sources")


def _expected_arrays() -> set[str]:
    names = {"tokens.terms"} | {f"{h}.{a}" for h in HEADS for a in ("columns", "idf", "coef", "intercept")}
    names |= {f"claims.{b}.{a}" for b in CLAIM_BLOCKS for a in ("terms", "idf")}
    names |= {f"claims.{a}" for a in ("mean", "scale", "coef", "intercept", "grade_coef", "grade_intercept")}
    names |= {f"spans.{a}" for a in ("features", "weights", "transitions")}
    return names | {f"support.{a}" for a in ("mean", "scale", "coef", "intercept")}


def _parse_arrays(raw: bytes) -> dict:
    """The arrays of an npz archive, read without pickle; exactly the expected names."""
    if not raw.startswith(b"PK\x03\x04"):
        raise _Malformed("not an npz archive")
    expected = _expected_arrays()
    try:
        listed = _zip_members(raw)
        if listed is None:  # an archive the plain reader does not take: zipfile reads (or refuses) it
            import zipfile

            archive = zipfile.ZipFile(io.BytesIO(raw))
            listed = archive.infolist()
        else:
            archive = None
        members = {i.filename.removesuffix(".npy"): i for i in listed}
        if len(members) != len(listed):  # "a" and "a.npy", or a name twice: which one is the array?
            raise _Malformed("an array name comes twice")
        packed = sorted(name for name, i in members.items() if i.compress_type != 0)
        if packed:  # training stores members uncompressed; a compressed one could inflate to any declared size
            raise _Malformed(f"compressed array(s) {', '.join(packed[:5])} (the model's arrays are stored)")
        names = set(members)  # as numpy.load's NpzFile.files names them
        if names != expected:
            missing, extra = sorted(expected - names), sorted(names - expected)
            raise _Malformed("; ".join(([f"missing array(s) {', '.join(missing)}"] if missing else [])
                                       + ([f"unexpected array(s) {', '.join(extra)}"] if extra else [])))
        return {name: _member_array(archive, members[name], raw) for name in sorted(expected)}
    except _Malformed:
        raise
    except Exception as exc:  # noqa: BLE001 - zip, npy header, object-array or data faults: all mean a bad file
        raise _Malformed(f"unreadable arrays ({_brief(exc)})") from None


class _ZipMember(NamedTuple):
    """The fields of a zip directory entry that `_member_array` reads (as zipfile.ZipInfo names them)."""

    filename: str
    orig_filename: str
    header_offset: int
    compress_type: int
    compress_size: int
    flag_bits: int


def _zip_members(raw: bytes) -> list[_ZipMember] | None:
    """The members of a plain zip archive (as `training.save.npz_bytes` writes one: no archive comment, no zip64,
    no encryption, stored members) read from its central directory, without importing zipfile (~4 ms with bz2 and
    lzma); None for any other archive or any inconsistency, which zipfile then reads or refuses."""
    import struct

    if len(raw) < 22 or raw[-22:-18] != b"PK\x05\x06":
        return None
    disk, cd_disk, n_here, n_total, cd_size, cd_offset, comment = struct.unpack("<HHHHIIH", raw[-18:])
    if disk or cd_disk or n_here != n_total or comment or cd_offset + cd_size != len(raw) - 22:
        return None
    members, at = [], cd_offset
    for _ in range(n_total):
        entry = raw[at:at + 46]
        if len(entry) < 46 or entry[:4] != b"PK\x01\x02":
            return None
        flags, method = struct.unpack("<HH", entry[8:12])
        compress_size, file_size, name_size, extra_size, comment_size = struct.unpack("<IIHHH", entry[20:34])
        offset = struct.unpack("<I", entry[42:46])[0]
        if flags & 1 or 0xFFFFFFFF in (compress_size, file_size, offset) or extra_size or comment_size:
            return None
        name = raw[at + 46:at + 46 + name_size].decode("utf-8" if flags & 0x800 else "cp437")
        if "\0" in name or "\\" in name:  # names zipfile would change (cut at a NUL; os.sep / altsep elsewhere)
            return None
        members.append(_ZipMember(name, name, offset, method, compress_size, flags))
        at += 46 + name_size
    return members if at == cd_offset + cd_size else None


def _member_array(archive, info, raw: bytes):
    """The array of one .npy member of the npz archive `raw`, as `numpy.load(..., allow_pickle=False)` reads it (a
    writable, aligned array of its own, in the stored memory order; ValueError for an object array). A plain member
    (stored, not encrypted, npy format 1.0 or 2.0) is read straight from the archive's bytes: its header by numpy's
    own parser, its data copied once; its zip CRC is not checked, the whole file's SHA-256 was (this takes ~5 ms of
    loading the model instead of ~20). Any other member goes through numpy's reader."""
    import struct

    import numpy as np

    fmt = np.lib.format
    start = info.header_offset
    local = raw[start:start + 30]
    if not (info.compress_type == 0 and not info.flag_bits & 1 and len(local) == 30  # 0: stored
            and local[:4] == b"PK\x03\x04"):
        return _numpy_member(archive, info, raw)
    name_size, extra_size = struct.unpack("<HH", local[26:30])
    begin = start + 30 + name_size + extra_size
    end = begin + info.compress_size
    if end > len(raw) or raw[start + 30:start + 30 + name_size] != info.orig_filename.encode(
            "utf-8" if info.flag_bits & 0x800 else "cp437"):
        return _numpy_member(archive, info, raw)  # numpy's reader (zipfile) says what is wrong
    # the header: magic, version, its length and the dict, parsed by numpy.lib.format itself
    head = io.BytesIO(raw[begin:min(end, begin + 12)])
    version = fmt.read_magic(head)
    if version not in ((1, 0), (2, 0)):
        return _numpy_member(archive, info, raw)
    size_bytes = 2 if version == (1, 0) else 4
    header_end = begin + 6 + 2 + size_bytes + int.from_bytes(head.getvalue()[8:8 + size_bytes], "little")
    if header_end > end:
        return _numpy_member(archive, info, raw)
    head = io.BytesIO(raw[begin:header_end])
    fmt.read_magic(head)
    read_header = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
    shape, fortran_order, dtype = read_header(head)
    if dtype.hasobject:
        raise ValueError("Object arrays cannot be loaded when allow_pickle=False")
    if any(n < 0 for n in shape):
        raise ValueError("negative dimensions are not allowed")
    count = 1
    for n in shape:
        count *= n
    if dtype.itemsize == 0 or count == 0:
        return _numpy_member(archive, info, raw)
    if count * dtype.itemsize > end - header_end:
        raise ValueError(f"EOF: reading array data, expected {count * dtype.itemsize} bytes "
                         f"got {end - header_end}")
    flat = np.frombuffer(memoryview(raw)[:end], dtype=dtype, count=count, offset=header_end)  # within the member
    view = flat.reshape(shape[::-1]).transpose() if fortran_order else flat.reshape(shape)
    return view.copy(order="K")


def _numpy_member(archive, info, raw: bytes):
    """One member read by numpy's own npy reader from the zip member (CRC checked), without pickle; `archive` is the
    zipfile.ZipFile of `raw` (None: opened here)."""
    import zipfile

    import numpy as np

    if archive is None:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        info = archive.getinfo(info.orig_filename)
    with archive.open(info) as member:
        return np.lib.format.read_array(member, allow_pickle=False)


def _array(arrays: dict, name: str, dtype, shape: tuple | None, finite: bool = True):
    """arrays[name] if it has exactly this dtype and shape (None: any 1-D) and, for floats, only finite values."""
    import numpy as np

    a = arrays[name]
    want = np.dtype(dtype)
    if a.dtype != want or (a.shape != shape if shape is not None else a.ndim != 1):
        raise _Malformed(f"array {name!r} is {a.dtype.str} {a.shape}, expected {want.str} "
                         f"{shape if shape is not None else '(n,)'}")
    if finite and a.dtype.kind == "f" and not np.isfinite(a).all():
        raise _Malformed(f"array {name!r} has values that are not finite numbers")
    return a


def _build(manifest: dict, arrays: dict):
    """(CompiledAttributionModel, SupportModel) from a checked manifest and the arrays, after checking the arrays."""
    import numpy as np

    from .heads import CompiledAttributionModel, CompiledHead, Tokens, part_width
    from .support import SupportModel

    n_terms = manifest["tokens"]["n_terms"]
    tokens = Tokens.from_terms(manifest["tokens"]["pattern"], manifest["tokens"]["ngram_max"],
                               _terms(arrays, "tokens.terms", n_terms))
    heads = []
    for name in HEADS:
        info = manifest["heads"][name]
        n_words, parts = info["n_words"], [tuple(p) for p in info["parts"]]
        rows = 1 if len(info["classes"]) == 2 else len(info["classes"])
        columns = _array(arrays, f"{name}.columns", np.int64, (n_terms,))
        used = columns[columns >= 0]
        # each of 0..n_words-1 once: counted (np.bincount) rather than sorted, once no value is too large to count
        if (columns < -1).any() or len(used) != n_words or used.max(initial=-1) >= n_words \
                or not (np.bincount(used, minlength=n_words) == 1).all():
            raise _Malformed(f"array '{name}.columns' does not map the vocabulary onto columns 0..{n_words - 1} "
                             f"once each (-1 for terms the head lacks)")
        idf = _array(arrays, f"{name}.idf", np.float64, (n_words,))
        coef = _array(arrays, f"{name}.coef", np.float64, (rows, n_words + sum(map(part_width, parts))))
        intercept = _array(arrays, f"{name}.intercept", np.float64, (rows,))
        heads.append(CompiledHead(columns, idf, parts, coef, intercept, np.asarray(info["classes"]), tokens))
    attribution = CompiledAttributionModel(*heads, cues=frozenset(manifest["cues"]), tokens=tokens)
    info = manifest["support"]
    n_features, rows = len(info["features"]), 1 if len(info["classes"]) == 2 else len(info["classes"])
    scale = _array(arrays, "support.scale", np.float64, (n_features,))
    if not (scale > 0).all():
        raise _Malformed("array 'support.scale' has values that are not positive")
    support = SupportModel.from_parameters(info["C"], _array(arrays, "support.mean", np.float64, (n_features,)), scale,
                                           _array(arrays, "support.coef", np.float64, (rows, n_features)),
                                           _array(arrays, "support.intercept", np.float64, (rows,)),
                                           np.asarray(info["classes"], dtype=np.int64))
    return attribution, support, _build_claims(manifest["claims"], arrays), _build_spans(manifest["spans"], arrays)


def _terms(arrays: dict, name: str, n_terms: int):
    """A newline-joined UTF-8 vocabulary array as a compact `Vocabulary` (ids: the terms' positions), exactly
    `n_terms` distinct terms; the array itself holds the terms' bytes (no Python string per term)."""
    import numpy as np

    from ..text.vocab import DuplicateTerms, Vocabulary

    blob = _array(arrays, name, np.uint8, None)
    try:
        vocabulary = Vocabulary.from_joined(blob)
    except UnicodeDecodeError as exc:
        raise _Malformed(f"array {name!r} is not UTF-8 text ({_brief(exc)})") from None
    except DuplicateTerms as exc:
        raise _Malformed(f"array {name!r} holds {exc.n_terms} terms ({exc.n_distinct} distinct), "
                         f"the manifest says {n_terms}") from None
    if len(vocabulary) != n_terms:
        raise _Malformed(f"array {name!r} holds {len(vocabulary)} terms ({len(vocabulary)} distinct), "
                         f"the manifest says {n_terms}")
    return vocabulary


def _build_claims(info: dict, arrays: dict):
    """The CompiledClaimModel from the checked manifest part and the arrays, after checking the arrays."""
    import numpy as np

    from .claims import CLAIM_CLASSES, CompiledClaimModel, TfidfBlock

    blocks = []
    for block in CLAIM_BLOCKS:
        n = info[block]["n_terms"]
        terms = _terms(arrays, f"claims.{block}.terms", n)
        idf = _array(arrays, f"claims.{block}.idf", np.float64, (n,))
        blocks.append(TfidfBlock(terms, idf, info[block]["pattern"], info[block]["ngram_max"]))
    n_dense, k = info["n_dense"], len(CLAIM_CLASSES)
    width = len(blocks[0].idf) + len(blocks[1].idf) + n_dense
    scale = _array(arrays, "claims.scale", np.float64, (n_dense,))
    if not (scale > 0).all():
        raise _Malformed("array 'claims.scale' has values that are not positive")
    return CompiledClaimModel(blocks[0], blocks[1], _array(arrays, "claims.mean", np.float64, (n_dense,)), scale,
                              _array(arrays, "claims.coef", np.float64, (k, width)),
                              _array(arrays, "claims.intercept", np.float64, (k,)),
                              _array(arrays, "claims.grade_coef", np.float64, (width,)),
                              float(_array(arrays, "claims.grade_intercept", np.float64, (1,))[0]))


def _build_spans(info: dict, arrays: dict):
    """The SpanTagger from the checked manifest part and the arrays: feature names (distinct, the bias among them),
    finite state weights (n_features, n_tags) and transitions (n_tags, n_tags)."""
    import numpy as np

    from ..attribution.tagger import TAGS, SpanTagger

    n, k = info["n_features"], len(TAGS)
    features = _terms(arrays, "spans.features", n)
    if "b" not in features:
        raise _Malformed("array 'spans.features' lacks the bias feature 'b'")
    return SpanTagger(features, _array(arrays, "spans.weights", np.float64, (n, k)),
                      _array(arrays, "spans.transitions", np.float64, (k, k)))


def load_bundle(model_dir: str | Path | None = None) -> dict:
    """The model {attribution, support, labels, card}: checksums first (`verify_model`), then the manifest and
    the arrays parsed without pickle and checked; ModelError (exit 3) naming the file for any fault."""
    fetched = _take_prefetched(model_dir)
    base, card, data = fetched[:3] if fetched else _read_verified(model_dir)
    try:
        # (a prefetch parsed it, unless it failed: then it is parsed here again, for its error)
        manifest = fetched[3] if fetched and fetched[3] is not None else _parse_manifest(data[MANIFEST_FILE], card)
    except _Malformed as exc:
        raise ModelError(f"{base / MANIFEST_FILE}: {exc}; {RETRAIN}") from None
    except Exception as exc:  # noqa: BLE001 - whatever else a crafted manifest trips is still a bad model file
        raise ModelError(f"{base / MANIFEST_FILE}: malformed manifest ({_brief(exc)}); {RETRAIN}") from None
    try:
        arrays = fetched[4] if fetched and fetched[4] is not None else _parse_arrays(data[ARRAYS_FILE])
        if isinstance(arrays, BaseException):
            raise arrays
        attribution, support, claims, spans = _build(manifest, arrays)
    except _Malformed as exc:
        raise ModelError(f"{base / ARRAYS_FILE}: {exc}; {RETRAIN}") from None
    except Exception as exc:  # noqa: BLE001 - as above, for the arrays
        raise ModelError(f"{base / ARRAYS_FILE}: malformed arrays ({_brief(exc)}); {RETRAIN}") from None
    return {"attribution": attribution, "support": support, "claims": claims, "spans": spans,
            "labels": list(manifest["labels"]), "card": card}
